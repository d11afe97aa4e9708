//go:build unix

// Unix only: it uses formats_test.go's and hostile_test.go's helpers (write, certsPEM,
// issue), which are.

package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
)

// TestEmulatorCAHintSaysWhatToDo: --emulator-ca with an Azure -a, or without -a, is refused
// with what to do in both languages: drop the flag for Azure (an Azure provider needs no
// test CA, so "pass the CA file" would send the user the wrong way), give -a or drop it when
// -a is missing.
func TestEmulatorCAHintSaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := write(t, dir, "ca.pem", certsPEM([][]byte{issue(t, "room", "room", &key.PublicKey, key, nil, true).Raw}))
	tok := write(t, dir, "token.jwt", []byte("e30.e30."))
	azure := []string{"--emulator-ca", ca, "-a", "https://sharedeus.eus.attest.azure.net"}
	for _, tc := range []struct {
		args []string
		lang string
		want string
	}{
		{append([]string{"verify", tok}, azure...), "en", "what to do: drop --emulator-ca"},
		{append([]string{"inspect", tok}, azure...), "ko", "조치 방법: --emulator-ca를 뺍니다"},
		{append([]string{"--platform", "sim", "-o", "json"}, azure...), "en", "what to do: drop --emulator-ca"},
		{append([]string{"--platform", "sim", "-o", "json"}, azure...), "ko", "조치 방법: --emulator-ca를 뺍니다"},
		{[]string{"inspect", tok, "--emulator-ca", ca}, "en", "what to do: add -a with the emulator's URL"},
		{[]string{"inspect", tok, "--emulator-ca", ca}, "ko", "에뮬레이터 URL을 -a로 주거나, --emulator-ca를 뺍니다"},
	} {
		r := runCLI(t, append([]string{"--lang", tc.lang}, tc.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "pass the CA file") || strings.Contains(r.stderr, "CA 파일을 넘깁니다") {
			t.Errorf("%v (%s): exit %d, want 1 and %q:\n%s", tc.args, tc.lang, r.code, tc.want, r.stderr)
		}
	}
}
