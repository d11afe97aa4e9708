package vtpmserve

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/hw/simcvm"
	"github.com/cvmscope/cvmscope/hw/tpm"
	"github.com/google/go-tpm-tools/client"
	"github.com/google/go-tpm-tools/simulator"
	legacy "github.com/google/go-tpm/legacy/tpm2"
	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
	"github.com/google/go-tpm/tpm2/transport/tcp"
	"github.com/google/go-tpm/tpmutil"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// serveCVM provisions a simulated SEV-SNP CVM on the embedded simulator (one per process:
// tests run one after another) and serves it on a free loopback port pair.
func serveCVM(t testing.TB) (*simcvm.CVM, *Server) {
	t.Helper()
	opts := simcvm.DefaultOptions()
	opts.Now = testNow
	sim, err := simulator.GetWithFixedSeedInsecure(simcvm.SimulatorSeed(opts.Seed))
	if err != nil {
		t.Fatalf("starting the TPM simulator: %v", err)
	}
	t.Cleanup(func() { sim.Close() })
	cvm, err := simcvm.Provision(transport.FromReadWriter(sim), opts)
	if err != nil {
		t.Fatalf("Provision: %v", err)
	}
	srv, err := Start(Config{Listen: "127.0.0.1:0", TPM: cvm.Transport(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	// Registered after the simulator's cleanup, so it runs first.
	t.Cleanup(func() { srv.Close() })
	return cvm, srv
}

// dialMSSim opens go-tpm's transport for the Microsoft simulator protocol, as a client of
// a TPM simulator does, and powers the TPM on.
func dialMSSim(t testing.TB, srv *Server) *tcp.TPM {
	t.Helper()
	tr, err := tcp.Open(tcp.Config{CommandAddress: srv.Addr(), PlatformAddress: srv.PlatformAddr()})
	if err != nil {
		t.Fatalf("tcp.Open: %v", err)
	}
	t.Cleanup(func() { tr.Close() })
	if err := tr.PowerOn(); err != nil {
		t.Fatalf("PowerOn: %v", err)
	}
	return tr
}

// legacyRW adapts a transport.TPM to the io.ReadWriter go-tpm's legacy API and
// go-tpm-tools' client take: one Read returns the whole response. (go-tpm's own
// transport.ToReadWriter answers io.EOF with the last byte, which legacy code treats as a
// failure.)
type legacyRW struct {
	tr  transport.TPM
	rsp []byte
}

func (l *legacyRW) Write(p []byte) (int, error) {
	rsp, err := l.tr.Send(p)
	if err != nil {
		return 0, err
	}
	l.rsp = rsp
	return len(p), nil
}

func (l *legacyRW) Read(p []byte) (int, error) {
	if len(l.rsp) == 0 {
		return 0, io.EOF
	}
	n := copy(p, l.rsp)
	l.rsp = l.rsp[n:]
	return n, nil
}

// TestGoTPMToolsClient reads and quotes through the server with go-tpm-tools' client and
// go-tpm's legacy API over go-tpm's mssim transport, the way go-azguestattestation does.
func TestGoTPMToolsClient(t *testing.T) {
	cvm, srv := serveCVM(t)
	rw := &legacyRW{tr: dialMSSim(t, srv)}

	report, err := legacy.NVReadEx(rw, tpmutil.Handle(simcvm.ReportIndex), legacy.HandleOwner, "", 0)
	if err != nil {
		t.Fatalf("NVReadEx(HCL report): %v", err)
	}
	if len(report) != hcl.NVSize || !bytes.Equal(report, cvm.Report()) {
		t.Fatalf("HCL report through the server: %d bytes, equal to the paravisor's: %v", len(report), bytes.Equal(report, cvm.Report()))
	}
	cert, err := legacy.NVReadEx(rw, tpmutil.Handle(simcvm.AKCertIndex), legacy.HandleOwner, "", 0)
	if err != nil || !bytes.Equal(cert, cvm.AKCert()) {
		t.Fatalf("AK certificate: err %v, equal %v", err, bytes.Equal(cert, cvm.AKCert()))
	}

	ak, err := client.LoadCachedKey(rw, tpmutil.Handle(simcvm.AKHandle), client.NullSession{})
	if err != nil {
		t.Fatalf("LoadCachedKey(0x81000003): %v", err)
	}
	defer ak.Close()
	pub, ok := ak.PublicKey().(*rsa.PublicKey)
	if !ok || !pub.Equal(cvm.AKPublic()) {
		t.Fatalf("AK through the server is not the CVM's AK (HCLAkPub)")
	}
	nonce := []byte("go-tpm-tools through cvmscope vtpm")
	q, err := ak.Quote(legacy.PCRSelection{Hash: legacy.AlgSHA256, PCRs: []int{0, 1, 2, 3, 4, 5, 6, 7}}, nonce)
	if err != nil {
		t.Fatalf("Quote: %v", err)
	}
	sig, err := legacy.DecodeSignature(bytes.NewBuffer(q.GetRawSig()))
	if err != nil {
		t.Fatalf("quote signature: %v", err)
	}
	digest := sha256.Sum256(q.GetQuote())
	if err := rsa.VerifyPKCS1v15(cvm.AKPublic(), crypto.SHA256, digest[:], sig.RSA.Signature); err != nil {
		t.Fatalf("quote signature does not verify with HCLAkPub: %v", err)
	}
	att, err := legacy.DecodeAttestationData(q.GetQuote())
	if err != nil || !bytes.Equal(att.ExtraData, nonce) {
		t.Fatalf("quote extraData: %v, %q", err, att.ExtraData)
	}
	for i, want := range cvm.PCRs() {
		if i < 8 && !bytes.Equal(q.GetPcrs().GetPcrs()[uint32(i)], want) {
			t.Errorf("PCR%d in the quote differs from the event log's replay", i)
		}
	}

	// Azure's user-data index: a write makes the paravisor bind it into the next report.
	ud := bytes.Repeat([]byte{0xA5}, simcvm.UserDataSize)
	if err := legacy.NVWrite(rw, legacy.HandleOwner, tpmutil.Handle(simcvm.UserDataIndex), "", ud, 0); err != nil {
		t.Fatalf("NVWrite(0x01400002): %v", err)
	}
	fresh, err := legacy.NVReadEx(rw, tpmutil.Handle(simcvm.ReportIndex), legacy.HandleOwner, "", 0)
	if err != nil {
		t.Fatalf("NVReadEx after the user-data write: %v", err)
	}
	r, err := hcl.Parse(fresh)
	if err != nil {
		t.Fatalf("the new report: %v", err)
	}
	if r.RuntimeClaims == nil || !strings.EqualFold(r.RuntimeClaims.UserData, hex.EncodeToString(ud)) {
		t.Fatalf("the new report's user-data is not what was written to 0x01400002")
	}
	claimsHash := sha256.Sum256(r.Claims)
	if !bytes.Contains(fresh, claimsHash[:]) || bytes.Equal(fresh, report) {
		t.Fatalf("the new report does not carry SHA-256 of its runtime claims in REPORT_DATA")
	}
}

// TestSwtpmProtocol speaks swtpm's: bare frames on the command port (cvmscope's own tcp://
// client) and CMD_SET_LOCALITY on the control port, as tpm2-tss's swtpm TCTI does.
func TestSwtpmProtocol(t *testing.T) {
	cvm, srv := serveCVM(t)
	ctx := context.Background()
	tp, err := tpm.Open(ctx, "tcp://"+srv.Addr())
	if err != nil {
		t.Fatalf("tpm.Open(tcp://): %v", err)
	}
	defer tp.Close()
	report, err := tp.NVRead(ctx, tpm.NVHCLReport)
	if err != nil || !bytes.Equal(report, cvm.Report()) {
		t.Fatalf("HCL report over bare frames: err %v, equal %v", err, bytes.Equal(report, cvm.Report()))
	}
	for loc, want := range map[byte]uint32{0: 0, 3: swtpmBadLocality} {
		c, err := net.Dial("tcp", srv.PlatformAddr())
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte{0, 0, 0, swtpmSetLocality, loc})
		var rsp [4]byte
		if _, err := io.ReadFull(c, rsp[:]); err != nil {
			t.Fatalf("CMD_SET_LOCALITY %d: %v", loc, err)
		}
		c.Close()
		if got := binary.BigEndian.Uint32(rsp[:]); got != want {
			t.Errorf("CMD_SET_LOCALITY %d answered %d, want %d", loc, got, want)
		}
	}
}

// TestLeftoversFlushed: a client that loads objects and vanishes must not leave the TPM's
// object slots full for the next one.
func TestLeftoversFlushed(t *testing.T) {
	_, srv := serveCVM(t)
	released := make(chan struct{}, 1)
	hook := func() {
		select {
		case released <- struct{}{}:
		default:
		}
	}
	afterRelease.Store(&hook)
	defer afterRelease.Store(nil)

	first := dialMSSim(t, srv)
	for i := range 3 {
		if _, err := (tpm2.CreatePrimary{PrimaryHandle: tpm2.TPMRHNull, InPublic: tpm2.New2B(tpm2.ECCSRKTemplate)}).Execute(first); err != nil {
			t.Fatalf("CreatePrimary %d: %v", i, err)
		}
	}
	if n := srv.Loaded(); n != 3 {
		t.Fatalf("Loaded() = %d after three CreatePrimary, want 3", n)
	}
	first.Close()
	<-released
	if n := srv.Loaded(); n != 0 {
		t.Fatalf("Loaded() = %d after the client left, want 0", n)
	}
	second := dialMSSim(t, srv)
	for i := range 3 {
		rsp, err := (tpm2.CreatePrimary{PrimaryHandle: tpm2.TPMRHNull, InPublic: tpm2.New2B(tpm2.ECCSRKTemplate)}).Execute(second)
		if err != nil {
			t.Fatalf("CreatePrimary %d on a new connection: %v (the first client's objects were not flushed)", i, err)
		}
		tpm2.FlushContext{FlushHandle: rsp.ObjectHandle}.Execute(second)
	}
}

// TestHostileClients: garbage, oversized frames, other localities and signals that would
// reset the vTPM end or fail only that request; the server keeps answering.
func TestHostileClients(t *testing.T) {
	cvm, srv := serveCVM(t)
	getRandom := []byte{0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 8}
	sendCmd := func(loc byte, cmd []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, simSendCommand)
		b = append(b, loc)
		b = binary.BigEndian.AppendUint32(b, uint32(len(cmd)))
		return append(b, cmd...)
	}
	cases := []struct {
		name  string
		port  func() string
		send  []byte
		want  []byte // a prefix of the answer; nil: the server closes without one
		close bool
	}{
		{"garbage", srv.Addr, []byte("GET / HTTP/1.1\r\n\r\n"), nil, true},
		{"oversized bare frame", srv.Addr, []byte{0x80, 0x01, 0, 0x10, 0, 0, 0, 0, 0x01, 0x7B}, errorResponse(rcCommandSize), true},
		{"undersized bare frame", srv.Addr, []byte{0x80, 0x01, 0, 0, 0, 4, 0, 0, 0x01, 0x7B}, errorResponse(rcCommandSize), true},
		{"oversized mssim command", srv.Addr, append(binary.BigEndian.AppendUint32(nil, simSendCommand), 0, 0x7F, 0xFF, 0xFF, 0xFF), nil, true},
		{"header size disagrees with the frame", srv.Addr, sendCmd(0, append(append([]byte{}, getRandom[:5]...), 99, 0, 0, 0x01, 0x7B, 0, 8)),
			append(binary.BigEndian.AppendUint32(nil, 10), errorResponse(rcCommandSize)...), false},
		{"locality 3", srv.Addr, sendCmd(3, getRandom), append(binary.BigEndian.AppendUint32(nil, 10), errorResponse(rcLocality)...), false},
		{"H-CRTM", srv.Addr, binary.BigEndian.AppendUint32(nil, simHashStart), nil, true},
		{"TPM_STOP", srv.Addr, binary.BigEndian.AppendUint32(nil, simStop), nil, true},
		{"power off", srv.PlatformAddr, binary.BigEndian.AppendUint32(nil, simPowerOff), []byte{0, 0, 0, platformRefused}, false},
		{"reset", srv.PlatformAddr, binary.BigEndian.AppendUint32(nil, simReset), []byte{0, 0, 0, platformRefused}, false},
		{"unknown platform request", srv.PlatformAddr, []byte{0xDE, 0xAD, 0xBE, 0xEF}, []byte{0, 0, 0, platformRefused}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", tc.port())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write(tc.send); err != nil {
				t.Fatal(err)
			}
			if !tc.close {
				got := make([]byte, len(tc.want))
				if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, tc.want) {
					t.Fatalf("answer %x (%v), want %x", got, err, tc.want)
				}
				return
			}
			// The server answers (or not) and then closes: reading to EOF must end.
			got, _ := io.ReadAll(c)
			if !bytes.HasPrefix(got, tc.want) {
				t.Fatalf("answer %x, want prefix %x", got, tc.want)
			}
		})
	}
	// After all of it, an ordinary client is served.
	rw := &legacyRW{tr: dialMSSim(t, srv)}
	report, err := legacy.NVReadEx(rw, tpmutil.Handle(simcvm.ReportIndex), legacy.HandleOwner, "", 0)
	if err != nil || !bytes.Equal(report, cvm.Report()) {
		t.Fatalf("after hostile clients: %v", err)
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	_, err := Start(Config{Listen: "0.0.0.0:2321", TPM: transport.FromReadWriter(&bytes.Buffer{})})
	if err == nil || !strings.Contains(err.Error(), "not loopback") {
		t.Fatalf("Start(0.0.0.0) = %v, want a not-loopback refusal", err)
	}
}

// TestHMACSessionReport reads the paravisor's report under an HMAC session, as tpm2-tools
// does, with go-tpm's session code, which checks every response HMAC; then uses the same
// session for a command the TPM itself answers, which only verifies if the server moved
// the TPM's session on with the nonce it gave the client. A wrong password fails as on a
// TPM.
func TestHMACSessionReport(t *testing.T) {
	cvm, srv := serveCVM(t)
	tr := dialMSSim(t, srv)
	sess, closeSess, err := tpm2.HMACSession(tr, tpm2.TPMAlgSHA256, 16, tpm2.Auth(nil))
	if err != nil {
		t.Fatalf("StartAuthSession: %v", err)
	}
	defer closeSess()
	pub, err := tpm2.NVReadPublic{NVIndex: tpm2.TPMHandle(simcvm.ReportIndex)}.Execute(tr)
	if err != nil {
		t.Fatalf("NV_ReadPublic: %v", err)
	}
	var report []byte
	for off := 0; off < hcl.NVSize; off += 1024 {
		rsp, err := tpm2.NVRead{
			AuthHandle: tpm2.AuthHandle{Handle: tpm2.TPMRHOwner, Auth: sess},
			NVIndex:    tpm2.NamedHandle{Handle: tpm2.TPMHandle(simcvm.ReportIndex), Name: pub.NVName},
			Size:       uint16(min(1024, hcl.NVSize-off)),
			Offset:     uint16(off),
		}.Execute(tr)
		if err != nil {
			t.Fatalf("NV_Read(report, offset %d) under the HMAC session: %v", off, err)
		}
		report = append(report, rsp.Data.Buffer...)
	}
	if !bytes.Equal(report, cvm.Report()) {
		t.Fatalf("report under the HMAC session differs from the paravisor's")
	}
	certPub, err := tpm2.NVReadPublic{NVIndex: tpm2.TPMHandle(simcvm.AKCertIndex)}.Execute(tr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (tpm2.NVRead{
		AuthHandle: tpm2.AuthHandle{Handle: tpm2.TPMRHOwner, Auth: sess},
		NVIndex:    tpm2.NamedHandle{Handle: tpm2.TPMHandle(simcvm.AKCertIndex), Name: certPub.NVName},
		Size:       16,
	}).Execute(tr); err != nil {
		t.Fatalf("the same session on a TPM-answered NV_Read after the report: %v (nonces out of step)", err)
	}

	wrong, closeWrong, err := tpm2.HMACSession(tr, tpm2.TPMAlgSHA256, 16, tpm2.Auth([]byte("not the owner password")))
	if err != nil {
		t.Fatal(err)
	}
	defer closeWrong()
	_, err = tpm2.NVRead{
		AuthHandle: tpm2.AuthHandle{Handle: tpm2.TPMRHOwner, Auth: wrong},
		NVIndex:    tpm2.NamedHandle{Handle: tpm2.TPMHandle(simcvm.ReportIndex), Name: pub.NVName},
		Size:       16,
	}.Execute(tr)
	if !errors.Is(err, tpm2.TPMRCAuthFail) {
		t.Fatalf("NV_Read(report) with a wrong password: %v, want TPM_RC_AUTH_FAIL", err)
	}
}

// TestConcurrentClients: clients of both protocols at once get whole, equal reports; the
// server runs their commands one at a time.
func TestConcurrentClients(t *testing.T) {
	cvm, srv := serveCVM(t)
	want := cvm.Report()
	errs := make(chan error, 6)
	for i := range 6 {
		target := "tcp://" + srv.Addr()
		if i%2 == 0 {
			target = "mssim://" + srv.Addr()
		}
		go func() {
			tp, err := tpm.Open(context.Background(), target)
			if err != nil {
				errs <- err
				return
			}
			defer tp.Close()
			for range 3 {
				got, err := tp.NVRead(context.Background(), tpm.NVHCLReport)
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(got, want) {
					errs <- fmt.Errorf("%s: a different report", target)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
