package akcert

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/realdata"
)

// assertKorean fails unless the check's summary and every detail line have Korean text,
// and the English is left free of Hangul.
func assertKorean(t *testing.T, name string, c check.Check) {
	t.Helper()
	if !checktest.HasHangul(c.SummaryKO) {
		t.Errorf("%s (%s): Korean summary %q has no Hangul; English: %s", name, c.Verdict, c.SummaryKO, c.Summary)
	}
	if checktest.HasHangul(c.Summary) || checktest.HasHangul(strings.Join(c.Details, "\n")) {
		t.Errorf("%s: English text holds Hangul: %s %q", name, c.Summary, c.Details)
	}
	_, ko := c.In("ko")
	if len(ko) != len(c.Details) {
		t.Fatalf("%s: %d Korean detail lines for %d English", name, len(ko), len(c.Details))
	}
	for i, line := range ko {
		if !checktest.HasHangul(line) {
			t.Errorf("%s: detail %d has no Korean: %q", name, i, c.Details[i])
		}
	}
}

func TestKoreanChecks(t *testing.T) {
	keys(t)
	const ca = "Azure Cloud Virtual TPM CA - 11"
	valid := issue(t, ca, &ak.PublicKey, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0))
	type koCase struct {
		name string
		der  []byte
		ak   *rsa.PublicKey
		want check.Verdict
	}
	cases := []koCase{
		{"valid", valid, &ak.PublicKey, check.Pass},
		{"no AK", valid, nil, check.Pass},
		{"expiring", issue(t, ca, &ak.PublicKey, now.AddDate(-1, 0, 0), now.AddDate(0, 0, 30)), &ak.PublicKey, check.Pass},
		{"wrong key", valid, &otherAK.PublicKey, check.Fail},
		{"expired", issue(t, ca, &ak.PublicKey, now.AddDate(-2, 0, 0), now.AddDate(0, 0, -1)), &ak.PublicKey, check.Fail},
		{"not yet valid", issue(t, ca, &ak.PublicKey, now.AddDate(0, 0, 2), now.AddDate(1, 0, 0)), &ak.PublicKey, check.Fail},
		{"placeholder", issue(t, "Microsoft Azure Trusted VM RSA 2021", &ak.PublicKey, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0)), nil, check.Fail},
		{"all zeros", make([]byte, 64), nil, check.Fail},
		{"DER but not X.509", []byte{0x30, 0x03, 0x02, 0x01, 0x00}, nil, check.Fail},
	}
	// Real samples: the VCEK from go-sev-guest is a real X.509 certificate with an ECDSA key,
	// which cannot be an AK; the real Azure AK public key is not the simulated certificate's.
	vcek := realdata.Read(t, "amd-milan-vcek-gosevguest.der")
	blk, _ := pem.Decode(realdata.Read(t, "azvtpm-akpub-kinvolk-2024.pem"))
	if blk == nil {
		t.Fatal("azvtpm-akpub-kinvolk-2024.pem: no PEM block")
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	realAK := pub.(*rsa.PublicKey)
	cases = append(cases,
		koCase{"real VCEK as AK certificate", append(bytes.Clone(vcek), 0, 0, 0), realAK, check.Fail},
		koCase{"real AK against a simulated certificate", valid, realAK, check.Fail},
	)
	for _, tc := range cases {
		c := Check(tc.der, tc.ak, now)
		if c.Verdict != tc.want {
			t.Errorf("%s: %s, want %s: %s", tc.name, c.Verdict, tc.want, c.Summary)
		}
		assertKorean(t, tc.name, c)
	}
}

func TestKoreanErrorsAndFields(t *testing.T) {
	for _, bad := range [][]byte{nil, {0x31, 1}, make([]byte, 8), {0x30, 0x80}, {0x30, 0x84, 1}, {0x30, 0x82, 0x01, 0x00}, {0x30, 0x03, 0x02, 0x01, 0x00}} {
		_, err := Parse(bad)
		if err == nil {
			t.Fatalf("Parse(%x) accepted", bad)
		}
		if msg, _ := fault.MessageIn(err, "ko"); !checktest.HasHangul(msg) {
			t.Errorf("Parse(%x): no Korean message for %q", bad, err)
		}
	}
	cert, err := Parse(realdata.Read(t, "amd-milan-vcek-gosevguest.der"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Fields(cert) {
		// Acronym labels (OCSP, CRL) read the same in Korean; every other label is words.
		if acronym := f.Name == "OCSP (AIA)" || f.Name == "CRL"; !checktest.HasHangul(f.NameKO) && !(acronym && f.NameKO == f.Name) {
			t.Errorf("field %q has no Korean label (%q)", f.Name, f.NameKO)
		}
	}
}
