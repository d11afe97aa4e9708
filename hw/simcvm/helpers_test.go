package simcvm

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/google/go-eventlog/register"
	"github.com/google/go-eventlog/tcg"
	"github.com/google/go-tpm-tools/simulator"
	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// openSim is the simulator in use: go-tpm-tools allows one per process (a second Get blocks
// until the first is closed), so tests run sequentially and a new one closes the last.
var openSim *simulator.Simulator

func closeSim() {
	if openSim != nil && !openSim.IsClosed() {
		openSim.Close()
	}
}

// newSim starts go-tpm-tools' simulator with hierarchy seeds derived from seed.
func newSim(t testing.TB, seed []byte) transport.TPM {
	t.Helper()
	closeSim()
	sim, err := simulator.GetWithFixedSeedInsecure(SimulatorSeed(seed))
	if err != nil {
		t.Fatalf("starting the TPM simulator: %v", err)
	}
	openSim = sim
	t.Cleanup(closeSim)
	return transport.FromReadWriter(sim)
}

func provision(t testing.TB, tee string, seed []byte) (*CVM, transport.TPM) {
	t.Helper()
	tpm := newSim(t, seed)
	opts := DefaultOptions()
	opts.TEE, opts.Seed, opts.Now = tee, seed, testNow
	c, err := Provision(tpm, opts)
	if err != nil {
		t.Fatalf("Provision(%s): %v", tee, err)
	}
	return c, tpm
}

// readNV reads an NV index the way Azure clients do (§1.3): NV_ReadPublic for the size,
// then NV_Read with owner auth in chunks.
func readNV(t testing.TB, tpm transport.TPM, index uint32, chunk int) []byte {
	t.Helper()
	rp, err := tpm2.NVReadPublic{NVIndex: tpm2.TPMHandle(index)}.Execute(tpm)
	if err != nil {
		t.Fatalf("NV_ReadPublic 0x%08x: %v", index, err)
	}
	pub, err := rp.NVPublic.Contents()
	if err != nil {
		t.Fatalf("NV public 0x%08x: %v", index, err)
	}
	var out []byte
	for off := 0; off < int(pub.DataSize); off += chunk {
		n := min(chunk, int(pub.DataSize)-off)
		rsp, err := tpm2.NVRead{
			AuthHandle: tpm2.AuthHandle{Handle: tpm2.TPMRHOwner, Auth: tpm2.PasswordAuth(nil)},
			NVIndex:    tpm2.NamedHandle{Handle: tpm2.TPMHandle(index), Name: rp.NVName},
			Size:       uint16(n),
			Offset:     uint16(off),
		}.Execute(tpm)
		if err != nil {
			t.Fatalf("NV_Read 0x%08x offset %d size %d: %v", index, off, n, err)
		}
		out = append(out, rsp.Data.Buffer...)
	}
	return out
}

func writeUserData(t testing.TB, tpm transport.TPM, ud []byte) {
	t.Helper()
	rp, err := tpm2.NVReadPublic{NVIndex: tpm2.TPMHandle(UserDataIndex)}.Execute(tpm)
	if err != nil {
		t.Fatalf("NV_ReadPublic 0x%08x: %v", UserDataIndex, err)
	}
	if _, err := (tpm2.NVWrite{
		AuthHandle: tpm2.AuthHandle{Handle: tpm2.TPMRHOwner, Auth: tpm2.PasswordAuth(nil)},
		NVIndex:    tpm2.NamedHandle{Handle: tpm2.TPMHandle(UserDataIndex), Name: rp.NVName},
		Data:       tpm2.TPM2BMaxNVBuffer{Buffer: ud},
	}).Execute(tpm); err != nil {
		t.Fatalf("NV_Write 0x%08x: %v", UserDataIndex, err)
	}
}

// parseBound parses an HCL report and requires REPORT_DATA to bind its runtime claims.
func parseBound(t testing.TB, b []byte) *hcl.Report {
	t.Helper()
	r, err := hcl.Parse(b)
	if err != nil {
		t.Fatalf("hcl.Parse: %v", err)
	}
	if r.ClaimsErr != nil {
		t.Fatalf("runtime claims: %v", r.ClaimsErr)
	}
	bind, err := r.Bind()
	if err != nil {
		t.Fatalf("Bind: %v", err)
	}
	if !bind.Match || !bind.RestZero {
		t.Fatalf("REPORT_DATA %x does not bind SHA-256(claims) %x ‖ zeros", bind.ReportData, bind.Hash)
	}
	return r
}

func akPublic(t testing.TB, tpm transport.TPM) (*rsa.PublicKey, tpm2.TPM2BName) {
	t.Helper()
	rp, err := tpm2.ReadPublic{ObjectHandle: tpm2.TPMHandle(AKHandle)}.Execute(tpm)
	if err != nil {
		t.Fatalf("ReadPublic AK: %v", err)
	}
	pub, err := rp.OutPublic.Contents()
	if err != nil {
		t.Fatal(err)
	}
	k, err := rsaPublic(pub, "AK", AKHandle)
	if err != nil {
		t.Fatal(err)
	}
	return k, rp.Name
}

func sameKey(a, b *rsa.PublicKey) bool { return a.E == b.E && a.N.Cmp(b.N) == 0 }

// quoteAndVerify has the AK quote PCRs 0–7 and checks the signature, the nonce and the PCR
// digest against the PCR values read separately.
func quoteAndVerify(t testing.TB, tpm transport.TPM) {
	t.Helper()
	ak, name := akPublic(t, tpm)
	sel := tpm2.TPMLPCRSelection{PCRSelections: []tpm2.TPMSPCRSelection{{
		Hash: tpm2.TPMAlgSHA256, PCRSelect: tpm2.PCClientCompatible.PCRs(0, 1, 2, 3, 4, 5, 6, 7),
	}}}
	nonce := []byte("cvmscope quote nonce")
	q, err := tpm2.Quote{
		SignHandle:     tpm2.AuthHandle{Handle: tpm2.TPMHandle(AKHandle), Name: name, Auth: tpm2.PasswordAuth(nil)},
		QualifyingData: tpm2.TPM2BData{Buffer: nonce},
		InScheme:       tpm2.TPMTSigScheme{Scheme: tpm2.TPMAlgNull},
		PCRSelect:      sel,
	}.Execute(tpm)
	if err != nil {
		t.Fatalf("TPM2_Quote: %v", err)
	}
	msg := q.Quoted.Bytes()
	sig, err := q.Signature.Signature.RSASSA()
	if err != nil {
		t.Fatalf("quote signature is not RSASSA: %v", err)
	}
	h := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(ak, crypto.SHA256, h[:], sig.Sig.Buffer); err != nil {
		t.Fatalf("quote signature does not verify with the AK: %v", err)
	}
	att, err := q.Quoted.Contents()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(att.ExtraData.Buffer, nonce) {
		t.Fatalf("quote extraData %q, want %q", att.ExtraData.Buffer, nonce)
	}
	info, err := att.Attested.Quote()
	if err != nil {
		t.Fatal(err)
	}
	pcrs, err := readPCRs(tpm, []int{0, 1, 2, 3, 4, 5, 6, 7})
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.New()
	for i := 0; i < 8; i++ {
		d.Write(pcrs[i])
	}
	if !bytes.Equal(info.PCRDigest.Buffer, d.Sum(nil)) {
		t.Fatalf("quote PCR digest %x does not match the PCRs read", info.PCRDigest.Buffer)
	}
}

// replayLog parses the event log with go-eventlog and replays it against the TPM's PCRs.
func replayLog(t testing.TB, tpm transport.TPM, log []byte) []tcg.Event {
	t.Helper()
	pcrs, err := readPCRs(tpm, bootPCRs)
	if err != nil {
		t.Fatal(err)
	}
	var mrs []register.MR
	for _, i := range bootPCRs {
		mrs = append(mrs, register.PCR{Index: i, Digest: pcrs[i], DigestAlg: crypto.SHA256})
	}
	events, err := tcg.ParseAndReplay(log, mrs, tcg.ParseOpts{})
	if err != nil {
		t.Fatalf("the event log does not replay to the TPM's PCRs: %v", err)
	}
	return events
}

// verifyAKCert checks the AK certificate read from NV against the simulated vTPM CA and the AK.
func verifyAKCert(t testing.TB, c *CVM, der []byte, ak *rsa.PublicKey) *x509.Certificate {
	t.Helper()
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("AK certificate in NV 0x%08x: %v", AKCertIndex, err)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(c.VTPMCA().Root)
	inter.AddCert(c.VTPMCA().Intermediate)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: testNow.Add(time.Hour),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatalf("AK certificate does not verify under the simulated vTPM CA: %v", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || !sameKey(pub, ak) {
		t.Fatalf("AK certificate holds another key than the AK at 0x%08x", AKHandle)
	}
	return cert
}

func tpmRC(err error) (tpm2.TPMRC, bool) {
	var rc tpm2.TPMRC
	ok := errors.As(err, &rc)
	return rc, ok
}
