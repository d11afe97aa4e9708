package sshserve

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/regfile"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// hostKeyPEM reads the server's host key, or creates it (ed25519, mode 0600) when missing.
// Its directory is created (0700) only when missing: an existing directory keeps its mode,
// as it may be shared (wish's key generator would chmod it to 0700).
func hostKeyPEM(path string) ([]byte, error) {
	b, err := regfile.Read(path, maxHostKey)
	if err == nil {
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("--host-key: %w", err)
	}
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("--host-key: creating its directory: %w", err)
		}
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("--host-key: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "cvmscope serve host key")
	if err != nil {
		return nil, fmt.Errorf("--host-key: %w", err)
	}
	b = pem.EncodeToMemory(block)
	// O_EXCL: two servers starting at once must not overwrite each other's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--host-key: %w (give a writable path, or an existing key)", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("--host-key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("--host-key %s: %w", path, err)
	}
	return b, nil
}

// HostKeyFingerprint is the SHA256 fingerprint of the host key at path, as ssh prints it on
// first connection: attendees compare it with the one the instructor shows.
func HostKeyFingerprint(path string) (string, error) {
	b, err := regfile.Read(path, maxHostKey)
	if err != nil {
		return "", fmt.Errorf("--host-key: %w", err)
	}
	signer, err := gossh.ParsePrivateKey(b)
	if err != nil {
		return "", fmt.Errorf("--host-key %s: %w", path, err)
	}
	return gossh.FingerprintSHA256(signer.PublicKey()), nil
}

// maxHostKey bounds the host key file: an ed25519 PEM is under 1 KiB.
const maxHostKey = 64 << 10
