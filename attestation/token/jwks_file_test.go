package token

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --jwks reads only a regular file of at most MaxJWKSBytes and names it in every error.
func TestLoadJWKSRefusesWhatIsNotAKeySetFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	s := newSigner(t, 0, "k1", "x")
	good := write("good.json", jwksBody(s))
	if ks, err := LoadJWKS(good); err != nil || len(ks.Kids()) != 1 || ks.Source != good {
		t.Fatalf("LoadJWKS(good) = %v, %v", ks, err)
	}
	huge := write("huge.json", []byte(`{"keys":[],"pad":"`+strings.Repeat("x", MaxJWKSBytes)+`"}`))
	cases := map[string]string{
		dir:                               "is a directory, not a regular file",
		filepath.Join(dir, "absent.json"): "no such file",
		huge:                              "over the 1048576-byte (1 MiB) limit",
		write("dup.json", []byte(`{"keys":[],"keys":[]}`)):                                                `duplicate key "keys"`,
		write("deep.json", []byte(`{"keys":[],"x":`+strings.Repeat("[", 65)+strings.Repeat("]", 65)+`}`)): "nested deeper than 64 levels",
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		cases["/dev/zero"] = "is a device, not a regular file"
	}
	for path, want := range cases {
		_, err := LoadJWKS(path)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("LoadJWKS(%s) = %v, want an error naming the file and saying %q", filepath.Base(path), err, want)
		}
	}
}
