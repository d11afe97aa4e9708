package tpmquote

import "testing"

// FuzzParse feeds hostile bytes to every decoder here: errors are fine, panics are not.
func FuzzParse(f *testing.F) {
	f.Add([]byte{0xff, 0x54, 0x43, 0x47, 0x80, 0x18, 0xff, 0xff})
	f.Add([]byte{0x00, 0x01, 0x00, 0x0b})
	f.Fuzz(func(t *testing.T, b []byte) {
		if a, err := ParseAttest(b); err == nil {
			_ = a.Fields()
		}
		_, _ = ParsePublic(b)
		VerifyQuote(b, b, nil, nil, nil)
	})
}
