package tpmquote

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds hostile bytes to every decoder here: errors are fine, panics are not.
func FuzzParse(f *testing.F) {
	f.Add([]byte{0xff, 0x54, 0x43, 0x47, 0x80, 0x18, 0xff, 0xff})
	f.Add([]byte{0x00, 0x01, 0x00, 0x0b})
	// Real quotes, whole and cut inside each field, so that the walker's bounds are reached.
	if dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "testdata", "real")); err == nil {
		for _, name := range []string{"azvtpm-quote-kinvolk-2024.msg.bin", "aztdx-tpmquote-trustee-6332533d.msg.bin"} {
			if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
				for _, n := range []int{len(b), len(b) - 1, 60, 30, 8} {
					f.Add(b[:n])
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if a, err := ParseAttest(b); err == nil {
			_ = a.Fields()
		} else if len(b) >= 6 && strings.HasPrefix(err.Error(), "TPMS_ATTEST does not decode") {
			// The field walker runs before go-tpm's decoder and must catch every bounds
			// error, naming the field and offset; go-tpm's own message names neither.
			t.Fatalf("walker let through input that go-tpm refused: %v", err)
		}
		_, _ = ParsePublic(b)
		VerifyQuote(b, b, nil, nil, nil)
	})
}
