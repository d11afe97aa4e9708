package maaemu

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"maps"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/hw/platform"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
	"github.com/cvmscope/cvmscope/hw/tpm"
	"github.com/google/go-eventlog/tcg"
)

const testNonce = "workshop-nonce-42"

// cvm is a provisioned simulated CVM with the evidence a client gathers for AzureGuest:
// the "Read report" set and the AK-certified ephemeral key. The embedded simulator is
// process-global, so tests that use one run one at a time.
type cvm struct {
	tee string
	p   *platform.Platform
	set *evidence.Set
	ek  *tpm.EphemeralKey
	rep *hcl.Report // nil for Trusted Launch
}

func newCVM(t *testing.T, tee string, secureBoot, debug bool) *cvm {
	t.Helper()
	ctx := context.Background()
	p, err := platform.Open(ctx, platform.Options{Platform: "sim", TPM: "sim", SimTEE: tee, SecureBoot: secureBoot, Debug: debug})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	s, err := p.ReadReport(ctx, testNonce)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := p.TPM.CreateEphemeralKey(ctx, tpm.HandleAK, platform.QuotePCRs)
	if err != nil {
		t.Fatal(err)
	}
	c := &cvm{tee: tee, p: p, set: s, ek: ek}
	if len(s.HCLReport) > 0 {
		if c.rep, err = hcl.Parse(s.HCLReport); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// vcekChain is THIM's vcekCert+certificateChain for the simulated chip.
func (c *cvm) vcekChain() string {
	vcek, chain := c.p.CVM.VCEKChain()
	return string(vcek) + string(chain)
}

// tdQuote is what IMDS /acc/tdquote returns for the current TDREPORT.
func (c *cvm) tdQuote(t *testing.T) []byte {
	t.Helper()
	q, err := c.p.CVM.TDX().Quote(c.rep.TDReport())
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// guestRequest is the AzureGuest request a client builds from the evidence.
func (c *cvm) guestRequest(t *testing.T) maa.GuestRequest {
	t.Helper()
	s := c.set
	r := maa.GuestRequest{
		TPM: maa.TPMInfo{AikCert: s.AKCert, AikPub: s.AKPub, PcrQuote: s.Quote.Msg, PcrSignature: s.Quote.Sig,
			PcrSet: platform.QuotePCRs, PCRs: s.PCRs, EncKeyPub: c.ek.Public, EncKeyCertifyInfo: c.ek.CertifyInfo,
			EncKeyCertifyInfoSignature: c.ek.CertifySig},
		OS:            maa.OSInfo{Type: "Linux", Distro: "Ubuntu", VersionMajor: 22, VersionMinor: 4, Build: "NotApplication"},
		TcgLogs:       s.EventLog,
		ClientPayload: map[string]string{"nonce": testNonce},
		Isolation:     maa.TrustedLaunch{},
	}
	switch c.tee {
	case "sevsnp":
		r.Isolation = maa.SevSnp{SnpReport: c.rep.SNPReport(), VcekCertChain: c.vcekChain(), RuntimeData: c.rep.Claims}
	case "tdx":
		r.Isolation = maa.Tdx{Quote: c.tdQuote(t), RuntimeData: c.rep.Claims}
	}
	return r
}

func (c *cvm) guestBody(t *testing.T) []byte {
	t.Helper()
	return buildGuest(t, c.guestRequest(t))
}

func buildGuest(t *testing.T, r maa.GuestRequest) []byte {
	t.Helper()
	body, _, err := maa.BuildGuest(r)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// start runs an emulator for the test.
func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := Start(withAnchors(t, cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// client is the real MAA client, trusting the emulator's certificate; retries do not
// sleep, they record how long they would have.
func client(t *testing.T, s *Server) (*maa.Client, *[]time.Duration) {
	t.Helper()
	c, err := maa.NewClient(s.URL(), s.CertPool())
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	c.MaxJitter = 0
	c.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
	return c, &waits
}

// attestGuest POSTs body and decrypts the answer with the CVM's TPM.
func (c *cvm) attestGuest(t *testing.T, s *Server, body []byte) (string, *maa.Exchange, error) {
	t.Helper()
	cl, _ := client(t, s)
	ctx := context.Background()
	ex, err := cl.Attest(ctx, maa.PathAzureGuest, body)
	if err != nil {
		return "", ex, err
	}
	et, err := maa.ParseGuestResponse(ex.ResponseBody)
	if err != nil {
		t.Fatalf("answer is not MAA's encrypted token: %v", err)
	}
	jwt, err := maa.DecryptToken(et, func(k []byte) ([]byte, error) { return c.p.TPM.DecryptWithEphemeral(ctx, c.ek, k) })
	if err != nil {
		t.Fatalf("decrypting with the TPM: %v", err)
	}
	return jwt, ex, nil
}

// verifyToken runs the relying party's checks with keys from the emulator's /certs.
func verifyToken(t *testing.T, s *Server, jwt string, opts token.Options) (*token.Token, check.List) {
	t.Helper()
	tok, err := token.Parse(jwt)
	if err != nil {
		t.Fatal(err)
	}
	prov, err := token.NewProvider(s.URL(), s.HTTPClient())
	if err != nil {
		t.Fatal(err)
	}
	opts.Keys = token.ProviderKeys(prov)
	opts.Issuer = s.URL()
	return tok, token.Verify(tok, opts)
}

// payload is the token's claims as plain JSON values.
func payload(t *testing.T, tok *token.Token) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(tok.Payload, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func serviceError(t *testing.T, ex *maa.Exchange, err error) *maa.ServiceError {
	t.Helper()
	if err == nil {
		t.Fatal("the emulator accepted the request; want an error answer")
	}
	if ex == nil || ex.Status == 0 {
		t.Fatalf("no HTTP answer: %v", err)
	}
	return maa.ParseServiceError(ex.Status, ex.ResponseBody)
}

func readReal(t *testing.T, name string) []byte {
	t.Helper()
	return realdata.Read(t, name)
}

func parseLog(raw []byte) (*eventlog.Log, error) { return eventlog.Parse(raw) }

// newCVMKeyCert issues a certificate for the CVM's real AK from a CA the attacker made,
// with the simulated CA's name: names are not trust, only the pinned root is.
func newCVMKeyCert(t *testing.T, c *cvm) []byte {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: c.p.CVM.VTPMCA().Intermediate.Subject,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: c.p.CVM.VMID() + simroots.AKCertCNSuffix},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, c.p.CVM.AKPublic(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// logWith is a parsed crypto-agile log of one EV_IPL event with a SHA-256 digest (32
// bytes) after its Spec ID event.
func logWith(t *testing.T, pcr int, data, digest []byte) *eventlog.Log {
	t.Helper()
	le := binary.LittleEndian
	spec := []byte("Spec ID Event03\x00")
	spec = le.AppendUint32(spec, 0)                           // platform class
	spec = append(spec, 0, 2, 0, 2)                           // spec version 2.0 errata 0, uintn size 2
	spec = le.AppendUint32(spec, 1)                           // one algorithm:
	spec = le.AppendUint16(le.AppendUint16(spec, 0x000b), 32) // SHA-256
	spec = append(spec, 0)                                    // vendor info size
	raw := le.AppendUint32(le.AppendUint32(nil, 0), uint32(tcg.NoAction))
	raw = append(raw, make([]byte, 20)...)
	raw = append(le.AppendUint32(raw, uint32(len(spec))), spec...)
	raw = le.AppendUint32(le.AppendUint32(raw, uint32(pcr)), uint32(tcg.Ipl))
	raw = le.AppendUint16(le.AppendUint32(raw, 1), 0x000b)
	raw = append(raw, digest...)
	raw = append(le.AppendUint32(raw, uint32(len(data))), data...)
	l, err := eventlog.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// withAnchors gives cfg the simulated CVM's anchors, as the workshop does.
func withAnchors(t testing.TB, cfg Config) Config {
	t.Helper()
	a, err := simroots.Anchors()
	if err != nil {
		t.Fatal(err)
	}
	plat, err := simroots.NewTDX(simroots.DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	col, err := plat.Collateral(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Anchors = Anchors{AMD: snp.Roots{Product: "Milan", ARK: a.ARK, ASK: a.ASK}, PCKRoot: a.PCKRoot,
		VTPMRoot: a.VTPMRoot, VTPMIntermediate: a.VTPMIntermediate, SigningKey: a.MAAKey, SigningCert: a.MAACert,
		TDXCollateral: func() *tdx.Collateral {
			return &tdx.Collateral{TCBInfo: col.TCBInfo, QEIdentity: col.QEIdentity, SigningChain: col.SigningChain, PCKCRL: col.PCKCRL}
		}}
	return cfg
}

// claimsListed fails for a claim of m, at the top level or in x-ms-isolation-tee, that the
// OpenID metadata's claims_supported does not list.
func claimsListed(t *testing.T, m map[string]any) {
	t.Helper()
	names := maps.Keys(m)
	if tee, ok := m["x-ms-isolation-tee"].(map[string]any); ok {
		names = func(yield func(string) bool) {
			for k := range m {
				if !yield(k) {
					return
				}
			}
			for k := range tee {
				if !yield(k) {
					return
				}
			}
		}
	}
	for k := range names {
		if !slices.Contains(ClaimsSupported(), k) {
			t.Errorf("claim %s is issued but not in claims_supported", k)
		}
	}
}
