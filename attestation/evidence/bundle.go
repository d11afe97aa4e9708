package evidence

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/tpm2tools"
)

// BundleFormat is the "format" value of a cvmscope evidence bundle.
const BundleFormat = "cvmscope-evidence"

// BundleVersion is the version this build writes. Readers accept versions up to it.
const BundleVersion = 1

// MaxBundleSize bounds what LoadBundle reads: a real bundle is well under 1 MiB.
const MaxBundleSize = 64 << 20

// Bundle is the saved form of a Set: a versioned JSON document. Byte fields are standard
// base64 (encoding/json's []byte encoding).
type Bundle struct {
	Format   string    `json:"format"`
	Version  int       `json:"version"`
	Created  time.Time `json:"created"`
	Tool     string    `json:"tool,omitempty"`
	Evidence *Set      `json:"evidence"`
}

// MarshalBundle encodes a set as a bundle.
func MarshalBundle(s *Set, tool string, now time.Time) ([]byte, error) {
	b := Bundle{Format: BundleFormat, Version: BundleVersion, Created: now.UTC(), Tool: tool, Evidence: s}
	out, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode evidence bundle: %w", err)
	}
	return append(out, '\n'), nil
}

// ParseBundle decodes a bundle. Errors name the field that is wrong.
func ParseBundle(data []byte) (*Bundle, error) {
	if len(data) > MaxBundleSize {
		return nil, fmt.Errorf("bundle is %d bytes, more than the %d-byte limit; this is not a cvmscope bundle", len(data), MaxBundleSize)
	}
	var b Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case asErr(err, &se):
			return nil, fmt.Errorf("bundle is not valid JSON at offset %d: %v", se.Offset, err)
		case asErr(err, &te):
			return nil, fmt.Errorf("bundle field %q at offset %d: want %s, found %s", te.Field, te.Offset, te.Type, te.Value)
		}
		return nil, fmt.Errorf("bundle: %v", err)
	}
	if b.Format != BundleFormat {
		return nil, fmt.Errorf("bundle field \"format\" is %q, want %q", b.Format, BundleFormat)
	}
	if b.Version < 1 || b.Version > BundleVersion {
		return nil, fmt.Errorf("bundle field \"version\" is %d; this cvmscope reads versions 1 to %d (upgrade cvmscope to read newer bundles)", b.Version, BundleVersion)
	}
	if b.Evidence == nil {
		return nil, fmt.Errorf("bundle field \"evidence\" is missing")
	}
	for i, p := range b.Evidence.PCRs {
		if i < 0 || i > 23 {
			return nil, fmt.Errorf("bundle field \"evidence.pcrs\": PCR index %d is out of range 0-23", i)
		}
		if len(p) != 32 {
			return nil, fmt.Errorf("bundle field \"evidence.pcrs.%d\": %d bytes, want 32 (SHA-256)", i, len(p))
		}
	}
	for name, bank := range b.Evidence.PCRBanks {
		size := tpm2tools.DigestSize(tpm2tools.HashAlg(name))
		if size == 0 || name == "sha256" {
			return nil, fmt.Errorf("bundle field \"evidence.pcrBanks\": bank %q is not sha1, sha384 or sha512 (SHA-256 values go in \"pcrs\")", name)
		}
		for i, p := range bank {
			if i < 0 || i > 23 || len(p) != size {
				return nil, fmt.Errorf("bundle field \"evidence.pcrBanks.%s.%d\": want an index 0-23 and %d bytes, have %d bytes", name, i, size, len(p))
			}
		}
	}
	// A bundle is one run's set: two VMs' reports in it would leave one unread (oneReport).
	if field, err := b.Evidence.oneReport(); err != nil {
		return nil, fault.Korean(fmt.Errorf("bundle field \"evidence.%s\": %w", field, err),
			fmt.Sprintf("번들 필드 \"evidence.%s\": %s", field, koMsg(err)), "")
	}
	return &b, nil
}

// WriteFileAtomic writes data to path through a temporary file in the same directory, synced
// and renamed into place, so a crash never leaves a half-written file. The file gets the given
// mode (bundles hold tokens and evidence: 0600).
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	cleanup := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(mode); err != nil {
		return cleanup(err)
	}
	if _, err := f.Write(data); err != nil {
		return cleanup(err)
	}
	if err := f.Sync(); err != nil {
		return cleanup(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// SaveBundle writes a set as a bundle file, atomically, mode 0600.
func SaveBundle(path string, s *Set, tool string, now time.Time) error {
	data, err := MarshalBundle(s, tool, now)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, data, 0o600)
}
