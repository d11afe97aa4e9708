package simcvm

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/hw/tpm/swtpmtest"
	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

// frameConn hands go-tpm one whole response per Read: a TCP stream may split a response,
// while transport.FromReadWriter expects it in one piece.
type frameConn struct{ net.Conn }

func (f frameConn) Read(p []byte) (int, error) {
	hdr := make([]byte, headerSize)
	if _, err := io.ReadFull(f.Conn, hdr); err != nil {
		return 0, err
	}
	size := int(binary.BigEndian.Uint32(hdr[2:6]))
	if size < headerSize || size > len(p) {
		return 0, fmt.Errorf("swtpm response of %d bytes does not fit a %d-byte buffer", size, len(p))
	}
	copy(p, hdr)
	if _, err := io.ReadFull(f.Conn, p[headerSize:size]); err != nil {
		return 0, err
	}
	return size, nil
}

func dialSWTPM(t *testing.T, addr string) (transport.TPM, func()) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("connecting to swtpm at %s: %v", addr, err)
	}
	return transport.FromReadWriter(frameConn{conn}), func() { conn.Close() }
}

// tool runs a tpm2-tools command against swtpm and returns its stdout.
func tool(t *testing.T, tcti string, name string, args ...string) []byte {
	out, _ := toolOutput(t, tcti, name, args...)
	return out
}

// toolOutput runs a tpm2-tools command and returns its stdout and stderr.
func toolOutput(t *testing.T, tcti string, name string, args ...string) (stdout, stderr []byte) {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed and CI is set: apt-get install -y tpm2-tools", name)
		}
		t.Skipf("%s is not installed (apt-get install -y tpm2-tools); skipping", name)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), "TPM2TOOLS_TCTI="+tcti)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errOut.String())
	}
	return out.Bytes(), errOut.Bytes()
}

// TestSWTPM provisions a real swtpm over TCP and checks the result with tpm2-tools: the AK
// certificate in NV, the PCRs, and a quote made through cvmscope. Then a user-data write by
// tpm2_nvwrite (another process) reaches the report after re-provisioning on a new
// connection.
func TestSWTPM(t *testing.T) {
	addr, tcti := swtpmtest.Start(t)
	dir := t.TempDir()
	seed := []byte("swtpm seed")
	opts := DefaultOptions()
	opts.Seed, opts.Now = seed, testNow

	tpm, closeConn := dialSWTPM(t, addr)
	c, err := Provision(tpm, opts)
	if err != nil {
		closeConn()
		t.Fatalf("Provision on swtpm: %v", err)
	}
	r := parseBound(t, readNV(t, c.Transport(), ReportIndex, 1024))
	if r.IGVM.ReportType != hcl.ReportSNP {
		t.Fatalf("report type %v", r.IGVM.ReportType)
	}
	pcrs, err := readPCRs(c.Transport(), []int{0, 1, 2, 3, 4, 5, 6, 7})
	if err != nil {
		t.Fatal(err)
	}
	replayLog(t, c.Transport(), c.EventLog())
	nonce := []byte("swtpm nonce")
	msg, sig := quoteFiles(t, c.Transport(), nonce)
	ak, _ := akPublic(t, c.Transport())
	closeConn() // swtpm serves one client at a time; the tools need the channel now.

	akDER, err := x509.MarshalPKIXPublicKey(ak)
	if err != nil {
		t.Fatal(err)
	}
	var pcrValues []byte
	for i := 0; i < 8; i++ {
		pcrValues = append(pcrValues, pcrs[i]...)
	}
	files := map[string][]byte{
		"ak.pem":  pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: akDER}),
		"msg.bin": msg,
		"sig.bin": sig,
		"log.bin": c.EventLog(),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f := func(name string) string { return filepath.Join(dir, name) }

	cert := tool(t, tcti, "tpm2_nvread", "-C", "o", fmt.Sprintf("0x%08x", AKCertIndex))
	if !bytes.Equal(cert, c.AKCert()) {
		t.Fatalf("tpm2_nvread 0x%08x returned %d bytes that are not the %d-byte AK certificate cvmscope wrote", AKCertIndex, len(cert), len(c.AKCert()))
	}
	tool(t, tcti, "tpm2_flushcontext", "-t")
	tool(t, tcti, "tpm2_pcrread", "sha256:0,1,2,3,4,5,6,7", "-o", f("tools-pcrs.bin"))
	toolPCRs, err := os.ReadFile(f("tools-pcrs.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(toolPCRs, pcrValues) {
		t.Fatalf("tpm2_pcrread sha256:0-7 = %x, cvmscope read %x", toolPCRs, pcrValues)
	}
	// tpm2_checkquote 5.4 fails on the plain "values" PCR format with -l ("Failed to hash
	// PCR values"), even for tpm2_pcrread's own output; it takes its serialized format.
	tool(t, tcti, "tpm2_pcrread", "sha256:0,1,2,3,4,5,6,7", "-F", "serialized", "-o", f("tools-pcrs.ser"))
	tool(t, tcti, "tpm2_flushcontext", "-t")
	tool(t, tcti, "tpm2_checkquote", "-u", f("ak.pem"), "-g", "sha256", "-m", f("msg.bin"), "-s", f("sig.bin"),
		"-f", f("tools-pcrs.ser"), "-q", hex.EncodeToString(nonce), "-e", f("log.bin"))
	tool(t, tcti, "tpm2_flushcontext", "-t")

	// tpm2-tools' own event log parser checks each digest it can recompute (EV_IPL strings,
	// separators, actions) and warns on a mismatch.
	if _, warn := toolOutput(t, tcti, "tpm2_eventlog", f("log.bin")); len(warn) > 0 {
		t.Fatalf("tpm2_eventlog on the generated log:\n%s", warn)
	}

	// Another process writes user data straight to the TPM.
	ud := bytes.Repeat([]byte{0xC3}, UserDataSize)
	if err := os.WriteFile(f("ud.bin"), ud, 0o600); err != nil {
		t.Fatal(err)
	}
	tool(t, tcti, "tpm2_nvwrite", "-C", "o", "-i", f("ud.bin"), fmt.Sprintf("0x%08x", UserDataIndex))

	tpm2conn, closeConn2 := dialSWTPM(t, addr)
	defer closeConn2()
	c2, err := Provision(tpm2conn, opts)
	if err != nil {
		t.Fatalf("re-provisioning the same swtpm state: %v", err)
	}
	r2 := parseBound(t, readNV(t, c2.Transport(), ReportIndex, 1024))
	if r2.RuntimeClaims.UserData != hcl.UserDataHex(ud) {
		t.Fatalf("user-data after tpm2_nvwrite = %q, want %q", r2.RuntimeClaims.UserData, hcl.UserDataHex(ud))
	}
	ak2, _ := akPublic(t, c2.Transport())
	if !sameKey(ak, ak2) {
		t.Fatal("re-provisioning swtpm replaced the AK")
	}
}

// quoteFiles makes a quote over PCRs 0–7 with the AK and returns the TPMS_ATTEST and the
// TPMT_SIGNATURE as tpm2_checkquote reads them.
func quoteFiles(t *testing.T, tpm transport.TPM, nonce []byte) (msg, sig []byte) {
	t.Helper()
	_, name := akPublic(t, tpm)
	q, err := tpm2.Quote{
		SignHandle:     tpm2.AuthHandle{Handle: tpm2.TPMHandle(AKHandle), Name: name, Auth: tpm2.PasswordAuth(nil)},
		QualifyingData: tpm2.TPM2BData{Buffer: nonce},
		InScheme:       tpm2.TPMTSigScheme{Scheme: tpm2.TPMAlgNull},
		PCRSelect: tpm2.TPMLPCRSelection{PCRSelections: []tpm2.TPMSPCRSelection{{
			Hash: tpm2.TPMAlgSHA256, PCRSelect: tpm2.PCClientCompatible.PCRs(0, 1, 2, 3, 4, 5, 6, 7),
		}}},
	}.Execute(tpm)
	if err != nil {
		t.Fatalf("TPM2_Quote on swtpm: %v", err)
	}
	return q.Quoted.Bytes(), tpm2.Marshal(q.Signature)
}
