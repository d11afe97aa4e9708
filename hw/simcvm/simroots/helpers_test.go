package simroots

import (
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"testing"
)

// realSample reads a file from ../shared/testdata/real beside the repository root, and
// skips the test when that folder is absent (it is never copied into the repository).
func realSample(t testing.TB, name string) []byte {
	t.Helper()
	return realdata.Read(t, name)
}

func fill(b []byte, v byte) {
	for i := range b {
		b[i] = v + byte(i)
	}
}
