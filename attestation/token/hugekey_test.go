package token

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// An RSA verification costs the square of the modulus: Go's crypto/rsa takes a modulus of
// any size, and a 1 MiB key set can hold one of about 5 million bits, whose single check
// (measured: 262144 bits 1.1 s, so about 5 minutes at the largest) cannot be interrupted.
// A key over MaxRSABits is refused by its size before any arithmetic; MAA signs with 2048.
func TestHugeKeysRefusedBySize(t *testing.T) {
	for _, bits := range []int{MaxRSABits + 8, 4 * MaxRSABits} {
		n := make([]byte, bits/8)
		rand.Read(n)
		n[0] |= 0x80
		n[len(n)-1] |= 1
		jwks := fmt.Sprintf(`{"keys":[{"kty":"RSA","kid":"huge","n":%q,"e":"AQAB"}]}`, base64.RawURLEncoding.EncodeToString(n))
		sig := make([]byte, bits/8)
		rand.Read(sig)
		sig[0] = 0
		compact := b64([]byte(`{"alg":"RS256","kid":"huge"}`)) + "." + b64([]byte(`{"iss":"x","exp":4102444800,"x-ms-ver":"1.0"}`)) + "." + b64(sig)
		tok, err := Parse(compact)
		if err != nil {
			t.Fatal(err)
		}
		c := only(t, Verify(tok, Options{Keys: StaticKeys(mustJWKS(t, []byte(jwks)))}), IDSignature)
		if c.Verdict != check.Fail || !strings.Contains(c.Summary, fmt.Sprintf("%d-bit RSA key", bits)) || !strings.Contains(c.Summary, "at most 16384 bits") {
			t.Errorf("%d-bit key: %s", bits, c)
		}
	}
}
