package tpm

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/cvmscope/cvmscope/hw/tpm/tpmtest"
	"github.com/google/go-tpm/tpm2"
)

// TestEphemeralKeyCreatedOnce: the key is created once and its saved context loaded for
// each decryption; a context the TPM refuses (as after a TPM reset) falls back to
// creating the key again, and decryption still works.
func TestEphemeralKeyCreatedOnce(t *testing.T) {
	tp := openSimT(t)
	provisionAK(t, tp)
	count := tpmtest.NewCounter(tp.tr)
	tp.tr = count
	k, err := tp.CreateEphemeralKey(ctx, HandleAK, linuxPCRs)
	if err != nil {
		t.Fatal(err)
	}
	inner := []byte("0123456789abcdef0123456789abcdef")
	ct, err := rsa.EncryptPKCS1v15(rand.Reader, k.PublicKey, inner)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if got, err := tp.DecryptWithEphemeral(ctx, k, ct); err != nil || !bytes.Equal(got, inner) {
			t.Fatalf("decrypt %d: %x, %v", i, got, err)
		}
	}
	if n := count.N[tpm2.TPMCCCreatePrimary]; n != 1 {
		t.Errorf("TPM2_CreatePrimary sent %d times for one key and two decryptions, want 1", n)
	}
	if n := count.N[tpm2.TPMCCContextLoad]; n != 2 {
		t.Errorf("TPM2_ContextLoad sent %d times, want 2", n)
	}

	broken := *k
	saved := *k.saved
	saved.context.ContextBlob.Buffer = bytes.Clone(saved.context.ContextBlob.Buffer)
	saved.context.ContextBlob.Buffer[len(saved.context.ContextBlob.Buffer)-1] ^= 1
	broken.saved = &saved
	if got, err := tp.DecryptWithEphemeral(ctx, &broken, ct); err != nil || !bytes.Equal(got, inner) {
		t.Fatalf("decrypt with a refused context: %x, %v", got, err)
	}
	if n := count.N[tpm2.TPMCCCreatePrimary]; n != 2 {
		t.Errorf("after a refused context TPM2_CreatePrimary was sent %d times in all, want 2", n)
	}
}
