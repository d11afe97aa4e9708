package tpm

import (
	"context"
	"testing"

	"github.com/google/go-tpm/tpm2"
)

func openSimT(t *testing.T) *TPM {
	t.Helper()
	tp, err := Open(context.Background(), "sim:1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tp.Close() })
	return tp
}

// akTemplate is a restricted RSA-2048 RSASSA-SHA256 signing key like the Azure vTPM AK.
var akTemplate = tpm2.TPMTPublic{
	Type:    tpm2.TPMAlgRSA,
	NameAlg: tpm2.TPMAlgSHA256,
	ObjectAttributes: tpm2.TPMAObject{FixedTPM: true, FixedParent: true, SensitiveDataOrigin: true,
		UserWithAuth: true, NoDA: true, Restricted: true, SignEncrypt: true},
	Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgRSA, &tpm2.TPMSRSAParms{
		Scheme: tpm2.TPMTRSAScheme{Scheme: tpm2.TPMAlgRSASSA,
			Details: tpm2.NewTPMUAsymScheme(tpm2.TPMAlgRSASSA, &tpm2.TPMSSigSchemeRSASSA{HashAlg: tpm2.TPMAlgSHA256})},
		KeyBits: 2048,
	}),
	Unique: tpm2.NewTPMUPublicID(tpm2.TPMAlgRSA, &tpm2.TPM2BPublicKeyRSA{Buffer: make([]byte, 256)}),
}

// provisionAK creates an AK and persists it at HandleAK, as the Azure paravisor does.
func provisionAK(t testing.TB, tp *TPM) {
	t.Helper()
	tr := tp.Transport()
	owner := tpm2.AuthHandle{Handle: tpm2.TPMRHOwner, Auth: tpm2.PasswordAuth(nil)}
	rsp, err := tpm2.CreatePrimary{PrimaryHandle: owner, InPublic: tpm2.New2B(akTemplate)}.Execute(tr)
	if err != nil {
		t.Fatalf("CreatePrimary AK: %v", err)
	}
	defer tpm2.FlushContext{FlushHandle: rsp.ObjectHandle}.Execute(tr)
	_, err = tpm2.EvictControl{Auth: owner,
		ObjectHandle:     tpm2.NamedHandle{Handle: rsp.ObjectHandle, Name: rsp.Name},
		PersistentHandle: tpm2.TPMHandle(HandleAK)}.Execute(tr)
	if err != nil {
		t.Fatalf("EvictControl to 0x%08X: %v", HandleAK, err)
	}
}

var testNVAttrs = tpm2.TPMANV{OwnerWrite: true, AuthWrite: true, OwnerRead: true, AuthRead: true, NT: tpm2.TPMNTOrdinary}
