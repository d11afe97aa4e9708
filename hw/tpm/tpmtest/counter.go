// Package tpmtest holds test helpers for code that talks to a TPM.
package tpmtest

import (
	"encoding/binary"

	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

// Counter counts the commands sent through it by command code, so a test can prove an
// expensive command (TPM2_CreatePrimary: a prime search) is not sent twice.
type Counter struct {
	transport.TPM
	N map[tpm2.TPMCC]int
}

// NewCounter wraps t.
func NewCounter(t transport.TPM) *Counter {
	return &Counter{TPM: t, N: map[tpm2.TPMCC]int{}}
}

func (c *Counter) Send(cmd []byte) ([]byte, error) {
	if len(cmd) >= 10 {
		c.N[tpm2.TPMCC(binary.BigEndian.Uint32(cmd[6:10]))]++
	}
	return c.TPM.Send(cmd)
}
