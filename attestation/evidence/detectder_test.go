package evidence

import (
	"os"
	"path/filepath"
	"testing"
)

// A DER certificate is recognised by its shape without a full parse (ParseCertificates parses
// it right after); a damaged one still goes to the certificate parser, which says what is
// wrong, and a CRL or public key is not taken for one.
func TestDetectDERCertificateByShape(t *testing.T) {
	dir := realDir(t)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	vcek := read("amd-milan-vcek-gosevguest.der")
	truncated := vcek[:len(vcek)-40]
	flipped := append([]byte(nil), vcek...)
	flipped[len(flipped)-3] ^= 0xff // inside the signature: the DER still parses, the signature would not verify
	for name, tc := range map[string]struct {
		b    []byte
		want Kind
	}{
		"VCEK":               {vcek, KindCertificates},
		"VCEK cut short":     {truncated, KindCertificates},
		"VCEK, flipped byte": {flipped, KindCertificates},
		"PCK CRL":            {read("intel-pck-platform-crl.der"), KindCRL},
		"root CA CRL":        {read("intel-root-ca-crl.der"), KindCRL},
	} {
		if got := Detect(tc.b); got != tc.want {
			t.Errorf("%s: detected as %s, want %s", name, got, tc.want)
		}
	}
	var s Set
	err := s.Add("vcek-cut.der", truncated)
	if len(s.Files) != 1 || s.Files[0].Kind != KindCertificates || (err == nil && s.Files[0].Err == "") {
		t.Errorf("a certificate cut short: Add = %v, files %+v; want a damaged certificate named as such", err, s.Files)
	}
}
