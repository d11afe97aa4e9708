package simcvm

import (
	"testing"

	"github.com/google/go-tpm/tpm2"
)

// TestAKQuotesLikeAzure: the AK's quotes carry the TPM's real firmware version, reset count
// and restart count, as all four Azure vTPM quotes in testdata/real do (firmware
// 0x2020031200120003, reset counts 1-3). A TPM hides them (adds a KDF of shProof) when the
// signer is in neither the endorsement nor the platform hierarchy, which is why the AK stays
// an endorsement-hierarchy primary: an owner-hierarchy child loaded from a kept blob would
// skip its prime search, but its quotes would show a random "firmware version" every run.
func TestAKQuotesLikeAzure(t *testing.T) {
	_, tpm := provision(t, TEESEVSNP, nil)
	_, name := akPublic(t, tpm)
	q, err := tpm2.Quote{
		SignHandle: tpm2.AuthHandle{Handle: tpm2.TPMHandle(AKHandle), Name: name, Auth: tpm2.PasswordAuth(nil)},
		InScheme:   tpm2.TPMTSigScheme{Scheme: tpm2.TPMAlgNull},
		PCRSelect: tpm2.TPMLPCRSelection{PCRSelections: []tpm2.TPMSPCRSelection{{
			Hash: tpm2.TPMAlgSHA256, PCRSelect: tpm2.PCClientCompatible.PCRs(0)}}},
	}.Execute(tpm)
	if err != nil {
		t.Fatal(err)
	}
	a, err := q.Quoted.Contents()
	if err != nil {
		t.Fatal(err)
	}
	fw1, err := tpmProperty(tpm, tpm2.TPMPTFirmwareVersion1)
	if err != nil {
		t.Fatal(err)
	}
	fw2, err := tpmProperty(tpm, tpm2.TPMPTFirmwareVersion2)
	if err != nil {
		t.Fatal(err)
	}
	clock, err := tpm2.ReadClock{}.Execute(tpm)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(fw1)<<32 | uint64(fw2); a.FirmwareVersion != want {
		t.Errorf("quote firmwareVersion %#x, want the TPM's %#x: the AK's hierarchy obfuscates it", a.FirmwareVersion, want)
	}
	if a.ClockInfo.ResetCount != clock.CurrentTime.ClockInfo.ResetCount || a.ClockInfo.RestartCount != clock.CurrentTime.ClockInfo.RestartCount {
		t.Errorf("quote reset/restart counts %d/%d, want the TPM's %d/%d: the AK's hierarchy obfuscates them",
			a.ClockInfo.ResetCount, a.ClockInfo.RestartCount, clock.CurrentTime.ClockInfo.ResetCount, clock.CurrentTime.ClockInfo.RestartCount)
	}
}
