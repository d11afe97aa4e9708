package simcvm

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"testing"

	"github.com/google/go-tpm/tpm2"
)

// recorder keeps the last command frame and answers it with rsp.
type recorder struct {
	cmd, rsp []byte
}

func (r *recorder) Send(cmd []byte) ([]byte, error) {
	r.cmd = bytes.Clone(cmd)
	return r.rsp, nil
}

// TestPCRExtendFrameIsGoTPMs: extendPCR sends exactly the frame go-tpm's tpm2.PCRExtend
// sends, for every mix of banks the boot log extends, and a TPM's error reaches the caller
// as go-tpm's tpm2.TPMRC.
func TestPCRExtendFrameIsGoTPMs(t *testing.T) {
	// TPM_ST_SESSIONS, 19 bytes, TPM_RC_SUCCESS, an empty parameter area and a password
	// session's empty response (nonce, attributes continueSession, HMAC).
	ok := []byte{0x80, 0x02, 0, 0, 0, 0x13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}
	d256, d1, d384 := sha256.Sum256([]byte("a")), sha1.Sum([]byte("b")), sha512.Sum384([]byte("c"))
	for _, others := range [][][]byte{nil, {d1[:]}, {d1[:], d384[:]}, {d384[:], []byte("ignored: no bank has this size")}} {
		var goTPM, ours recorder
		goTPM.rsp, ours.rsp = ok, ok
		ds := []tpm2.TPMTHA{{HashAlg: tpm2.TPMAlgSHA256, Digest: d256[:]}}
		for _, d := range others {
			switch len(d) {
			case 20:
				ds = append(ds, tpm2.TPMTHA{HashAlg: tpm2.TPMAlgSHA1, Digest: d})
			case 48:
				ds = append(ds, tpm2.TPMTHA{HashAlg: tpm2.TPMAlgSHA384, Digest: d})
			}
		}
		if _, err := (tpm2.PCRExtend{
			PCRHandle: tpm2.AuthHandle{Handle: tpm2.TPMHandle(7), Auth: tpm2.PasswordAuth(nil)},
			Digests:   tpm2.TPMLDigestValues{Digests: ds},
		}).Execute(&goTPM); err != nil {
			t.Fatalf("go-tpm: %v", err)
		}
		if err := extendPCR(&ours, 7, d256[:], others...); err != nil {
			t.Fatalf("%d other digests: %v", len(others), err)
		}
		if !bytes.Equal(ours.cmd, goTPM.cmd) {
			t.Errorf("%d other digests: frame\n%x\nwant go-tpm's\n%x", len(others), ours.cmd, goTPM.cmd)
		}
	}

	locality := []byte{0x80, 0x01, 0, 0, 0, 0x0a, 0, 0, 0x09, 0x07} // TPM_RC_LOCALITY
	err := extendPCR(&recorder{rsp: locality}, 17, d256[:])
	if !errors.Is(err, tpm2.TPMRCLocality) {
		t.Errorf("extending PCR17 at locality 0: %v, want TPM_RC_LOCALITY", err)
	}
	if err := extendPCR(&recorder{rsp: []byte{0x80}}, 0, d256[:]); err == nil {
		t.Error("a 1-byte response was taken for success")
	}
}
