package tpm

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"log/slog"
	"math/big"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/akcert"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

var ctx = context.Background()

func randBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenSimDesc(t *testing.T) {
	tp := openSimT(t)
	if tp.Desc() != "embedded simulator (seed 1)" || tp.DescKO() != "내장 시뮬레이터 (시드 1)" {
		t.Errorf("Desc() = %q, DescKO() = %q", tp.Desc(), tp.DescKO())
	}
}

func TestNVRoundTripAcrossChunks(t *testing.T) {
	tp := openSimT(t)
	max, err := tp.NVBufferMax(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if max <= 0 || max > 2048 {
		t.Fatalf("TPM_PT_NV_BUFFER_MAX = %d", max)
	}
	for i, size := range []int{1, max - 1, max, max + 1, 2048} {
		idx := uint32(0x01500000 + i)
		if err := tp.NVDefine(ctx, idx, size, testNVAttrs); err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		data := randBytes(t, size)
		if err := tp.NVWrite(ctx, idx, data); err != nil {
			t.Fatalf("size %d: write: %v", size, err)
		}
		got, err := tp.NVRead(ctx, idx)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("size %d: read %d bytes, equal %v, err %v", size, len(got), bytes.Equal(got, data), err)
		}
		pub, err := tp.NVReadPublic(ctx, idx)
		if err != nil || pub.Size != size || !pub.Attributes.Written {
			t.Fatalf("size %d: public %+v, %v", size, pub, err)
		}
	}
	// A TPM with a small NV buffer needs many reads; force that on the 2048-byte index.
	tp.nvBufMax = 100
	want, _ := tp.NVRead(ctx, 0x01500004)
	tp.nvBufMax = 0
	again, err := tp.NVRead(ctx, 0x01500004)
	if err != nil || len(want) != 2048 || !bytes.Equal(want, again) {
		t.Fatalf("100-byte chunks differ from %d-byte chunks: %v", max, err)
	}
	if err := tp.NVUndefine(ctx, 0x01500000); err != nil {
		t.Fatal(err)
	}
	if _, err := tp.NVReadPublic(ctx, 0x01500000); !errors.Is(err, tpm2.TPMRCHandle) {
		t.Fatalf("undefined index still readable: %v", err)
	}
}

func TestNVWriteUserData(t *testing.T) {
	tp := openSimT(t)
	for _, data := range [][]byte{[]byte("nonce-1"), bytes.Repeat([]byte{0xAB}, 64)} {
		if err := tp.NVWriteUserData(ctx, data); err != nil {
			t.Fatal(err)
		}
		got, err := tp.NVRead(ctx, NVUserData)
		want := append(bytes.Clone(data), make([]byte, 64-len(data))...)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("user data %x, want %x (%v)", got, want, err)
		}
	}
	pub, err := tp.NVReadPublic(ctx, NVUserData)
	if err != nil {
		t.Fatal(err)
	}
	if raw := tpm2.Marshal(pub.Attributes); !bytes.Equal(raw, []byte{0x20, 0x06, 0x00, 0x06}) || pub.NameAlg != tpm2.TPMAlgSHA256 {
		// 0x00060006 plus TPMA_NV_WRITTEN (bit 29).
		t.Errorf("attributes %x nameAlg %v, want 20060006 sha256", raw, pub.NameAlg)
	}
	err = tp.NVWriteUserData(ctx, make([]byte, 65))
	if err == nil || fault.KindOf(err) != fault.Internal || !strings.Contains(err.Error(), "65 bytes") {
		t.Fatalf("65 bytes: %v", err)
	}
}

func TestReadPCRs(t *testing.T) {
	tp := openSimT(t)
	before, err := tp.ReadPCRs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 24 {
		t.Fatalf("%d PCRs, want 24", len(before))
	}
	for i := 0; i < 24; i++ {
		if len(before[i]) != 32 {
			t.Fatalf("PCR %d is %d bytes", i, len(before[i]))
		}
	}
	digest := sha256.Sum256([]byte("event"))
	_, err = tpm2.PCRExtend{PCRHandle: tpm2.AuthHandle{Handle: tpm2.TPMHandle(16), Auth: tpm2.PasswordAuth(nil)},
		Digests: tpm2.TPMLDigestValues{Digests: []tpm2.TPMTHA{{HashAlg: tpm2.TPMAlgSHA256, Digest: digest[:]}}}}.Execute(tp.Transport())
	if err != nil {
		t.Fatal(err)
	}
	after, err := tp.ReadPCRSelection(ctx, []int{16, 0})
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(append(bytes.Clone(before[16]), digest[:]...))
	if !bytes.Equal(after[16], want[:]) || !bytes.Equal(after[0], before[0]) || len(after) != 2 {
		t.Fatalf("PCR16 %x, want %x", after[16], want)
	}
}

func TestQuoteVerifiesWithAK(t *testing.T) {
	tp := openSimT(t)
	provisionAK(t, tp)
	nonce := []byte("challenge")
	q, err := tp.Quote(ctx, HandleAK, nonce, AllPCRs())
	if err != nil {
		t.Fatal(err)
	}
	raw, ak, err := tp.ReadPublic(ctx, HandleAK)
	if err != nil {
		t.Fatal(err)
	}
	if ak.E != 65537 || ak.N.BitLen() != 2048 {
		t.Fatalf("AK e=%d bits=%d", ak.E, ak.N.BitLen())
	}
	parsed, err := tpmquote.ParsePublic(raw)
	if err != nil || !parsed.Equal(ak) {
		t.Fatalf("tpmquote.ParsePublic(TPM2B_PUBLIC) = %v, %v", parsed, err)
	}
	l := tpmquote.VerifyQuote(q.Attest, q.Signature, ak, q.PCRs, nonce)
	if l.Verdict(tpmquote.IDSignature) != check.Pass || l.Verdict(tpmquote.IDPCRDigest) != check.Pass || l.Verdict(tpmquote.IDNonce) != check.Pass {
		t.Fatalf("quote from the simulator does not verify:\n%v", l)
	}
	_, other, err := tp.EKPub(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v := tpmquote.VerifyQuote(q.Attest, q.Signature, other, q.PCRs, nonce).Verdict(tpmquote.IDSignature); v != check.Fail {
		t.Fatalf("quote verified with the EK: %v", v)
	}
}

func TestEKPubIsStable(t *testing.T) {
	tp := openSimT(t)
	_, a, err := tp.EKPub(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, b, err := tp.EKPub(ctx)
	if err != nil || !a.Equal(b) || a.N.BitLen() != 2048 {
		t.Fatalf("EK differs between reads or is not RSA-2048: %v", err)
	}
}

func TestAKCertTrimsPadding(t *testing.T) {
	tp := openSimT(t)
	provisionAK(t, tp)
	_, ak, err := tp.ReadPublic(ctx, HandleAK)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "vm.TrustedVM.Azure.windows.net"},
		Issuer: pkix.Name{CommonName: "Azure Cloud Virtual TPM CA - 11"}, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, ak, ca)
	if err != nil {
		t.Fatal(err)
	}
	if err := tp.NVDefine(ctx, NVAKCert, 2048, testNVAttrs); err != nil {
		t.Fatal(err)
	}
	if err := tp.NVWrite(ctx, NVAKCert, append(bytes.Clone(der), make([]byte, 2048-len(der))...)); err != nil {
		t.Fatal(err)
	}
	got, err := tp.AKCert(ctx)
	if err != nil || !bytes.Equal(got, der) {
		t.Fatalf("AKCert: %d bytes (want %d), %v", len(got), len(der), err)
	}
	if c := akcert.Check(got, ak, now); c.Verdict != check.Pass {
		t.Fatalf("akcert.Check: %v", c)
	}
}

func TestErrorsAreNamed(t *testing.T) {
	tp := openSimT(t)
	_, err := tp.NVRead(ctx, NVHCLReport)
	var e *Error
	if !errors.As(err, &e) || e.Code != "0x18b" || e.Name != "TPM_RC_HANDLE" || e.Command != "TPM2_NV_ReadPublic" ||
		!strings.Contains(e.Meaning, "not a Confidential VM or Trusted Launch VM") || e.Target != "NV 0x01400001" {
		t.Fatalf("missing index: %#v", err)
	}
	if fault.KindOf(err) != fault.Device || fault.ExitCode(err) != 4 || fault.HintOf(err) == "" {
		t.Fatalf("kind %v hint %q", fault.KindOf(err), fault.HintOf(err))
	}
	if name, meaning, hint := Explain(err); name != "TPM_RC_HANDLE" || meaning != e.Meaning || hint != e.Hint {
		t.Fatalf("Explain: %q %q %q", name, meaning, hint)
	}

	// Defined but never written: what Azure shows before the AK certificate is provisioned.
	if err := tp.NVDefine(ctx, NVAKCert, 1024, testNVAttrs); err != nil {
		t.Fatal(err)
	}
	_, err = tp.AKCert(ctx)
	if !errors.As(err, &e) || e.Code != "0x14a" || e.Name != "TPM_RC_NV_UNINITIALIZED" || e.Command != "TPM2_NV_Read" ||
		!strings.Contains(e.Meaning, "AK certificate is not provisioned yet") || !strings.Contains(e.Hint, "retry in a few minutes") {
		t.Fatalf("uninitialized index: %#v", err)
	}
	if !errors.Is(err, tpm2.TPMRCNVUninitialized) {
		t.Error("errors.Is does not see the TPM response code")
	}
}

func TestExplainCodes(t *testing.T) {
	for _, tc := range []struct {
		rc         tpm2.TPMRC
		name, text string
	}{
		{0x14a, "TPM_RC_NV_UNINITIALIZED", "never written"},
		{0x18b, "TPM_RC_HANDLE", "does not exist"},
		{0x28b, "TPM_RC_HANDLE", "handle 2"},
		{0x99d, "TPM_RC_POLICY_FAIL", "policy"},
		{0x907, "TPM_RC_LOCALITY", "locality"},
		{0x148, "TPM_RC_NV_LOCKED", "locked"},
		{0x98e, "TPM_RC_AUTH_FAIL", "authorization value"},
		{0x149, "TPM_RC_NV_AUTHORIZATION", "not allowed"},
		{0x2d5, "TPM_RC_SIZE", "size"},
		{0x101, "TPM_RC_FAILURE", "failure mode"},
	} {
		name, meaning, hint := Explain(tc.rc)
		if name != tc.name || !strings.Contains(meaning, tc.text) || hint == "" {
			t.Errorf("0x%x: %q %q %q", uint32(tc.rc), name, meaning, hint)
		}
	}
}

func TestDeviceErrors(t *testing.T) {
	_, err := Open(ctx, "/dev/cvmscope-no-such-tpm")
	name, _, hint := Explain(err)
	if name != "NO_TPM_DEVICE" || !strings.Contains(hint, "--platform sim") || fault.KindOf(err) != fault.Device {
		t.Fatalf("missing device: %q %q %v", name, hint, err)
	}
	// Root can open anything, so the permission case is the error open(2) gives a user.
	denied := &os.PathError{Op: "open", Path: "/dev/tpmrm0", Err: syscall.EACCES}
	old := fault.Euid
	defer func() { fault.Euid = old }()
	fault.Euid = func() int { return 1000 }
	if name, _, hint := Explain(denied); name != "PERMISSION_DENIED" || !strings.Contains(hint, "tss group") {
		t.Fatalf("permission: %q %q", name, hint)
	}
	// Root is never told to run as root.
	fault.Euid = func() int { return 0 }
	if _, _, hint := Explain(denied); strings.Contains(hint, "sudo") || !strings.Contains(hint, "already runs as root") {
		t.Fatalf("permission as root: %q", hint)
	}
	f, err := os.CreateTemp(t.TempDir(), "notadevice")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := Open(ctx, f.Name()); err == nil || fault.KindOf(err) != fault.Device {
		t.Fatalf("regular file accepted as TPM: %v", err)
	}
	for _, bad := range []string{"sim:x", "ftp://x", "mssim://nohost"} {
		if _, err := Open(ctx, bad); err == nil || fault.HintOf(err) == "" {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if _, err := Open(ctx, "tcp://127.0.0.1:1"); err == nil || fault.KindOf(err) != fault.Device {
		t.Errorf("refused connection: %v", err)
	}
}

func TestCommandsAreLogged(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(old)
	tp := openSimT(t)
	tp.NVReadPublic(ctx, NVHCLReport)
	tp.ReadPCRs(ctx)
	out := buf.String()
	for _, want := range []string{"cmd=TPM2_NV_ReadPublic", "rc=0x18b", "rc_name=TPM_RC_HANDLE", "cmd=TPM2_PCR_Read", "rc_name=TPM_RC_SUCCESS"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// counting passes commands on and counts them, as a simulated paravisor in front would.
type counting struct {
	next transport.TPM
	n    int
}

func (c *counting) Send(b []byte) ([]byte, error) { c.n++; return c.next.Send(b) }

func TestInterpose(t *testing.T) {
	base, err := Open(ctx, "sim")
	if err != nil {
		t.Fatal(err)
	}
	var front *counting
	tp := base.Interpose(func(next transport.TPM) transport.TPM { front = &counting{next: next}; return front }, "counting front")
	defer tp.Close() // closes base too
	if _, err := tp.ReadPCRs(ctx); err != nil {
		t.Fatal(err)
	}
	if front.n == 0 || tp.Desc() != "counting front" {
		t.Fatalf("commands through the front: %d", front.n)
	}
}

// Every error that reaches a person reads in Korean under --lang ko: its message and, when
// there is one, its hint.
func TestErrorsInKorean(t *testing.T) {
	tp := openSimT(t)
	_, nvErr := tp.NVRead(ctx, NVHCLReport)
	_, devErr := Open(ctx, "/dev/cvmscope-no-such-tpm")
	_, connErr := Open(ctx, "tcp://127.0.0.1:1")
	_, quoteErr := tp.Quote(ctx, HandleAK, make([]byte, 65), []int{0})
	errs := map[string]error{"missing NV index": nvErr, "missing device": devErr, "refused connection": connErr, "long nonce": quoteErr}
	for _, bad := range []string{"sim:x", "ftp://x", "mssim://nohost"} {
		_, errs[bad] = Open(ctx, bad)
	}
	for what, err := range errs {
		if err == nil {
			t.Errorf("%s: no error", what)
			continue
		}
		msg, hint := fault.MessageIn(err, "ko")
		if !checktest.HasHangul(msg) || (fault.HintOf(err) != "" && !checktest.HasHangul(hint)) {
			t.Errorf("%s: Korean message %q, hint %q (English %q)", what, msg, hint, err)
		}
	}
	if msg, _ := fault.MessageIn(nvErr, "ko"); !strings.Contains(msg, "TPM_RC_HANDLE") || !strings.Contains(msg, "NV 0x01400001") {
		t.Errorf("the Korean message lost the command's name or target: %q", msg)
	}
}
