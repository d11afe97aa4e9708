//go:build unix

package token

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Opening a FIFO for reading blocks until a writer comes; LoadJWKS must refuse it from its
// stat without opening it, so this test returns instead of hanging.
func TestLoadJWKSRefusesFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "keys.json")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	if _, err := LoadJWKS(p); err == nil || !strings.Contains(err.Error(), "is a named pipe, not a regular file") || !strings.Contains(err.Error(), p) {
		t.Errorf("LoadJWKS(FIFO) = %v", err)
	}
}
