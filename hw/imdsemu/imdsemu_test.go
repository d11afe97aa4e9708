package imdsemu

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/imds"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/hw/simcvm"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
	"github.com/google/go-tpm-tools/simulator"
	"github.com/google/go-tpm/tpm2/transport"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// provision makes a simulated CVM on go-tpm-tools' simulator (one per process, so the tests
// here run one after another).
func provision(t *testing.T, tee string) *simcvm.CVM {
	t.Helper()
	opts := simcvm.DefaultOptions()
	opts.TEE, opts.Now = tee, testNow
	sim, err := simulator.GetWithFixedSeedInsecure(simcvm.SimulatorSeed(opts.Seed))
	if err != nil {
		t.Fatalf("TPM simulator: %v", err)
	}
	t.Cleanup(func() { sim.Close() })
	c, err := simcvm.Provision(transport.FromReadWriter(sim), opts)
	if err != nil {
		t.Fatalf("Provision(%s): %v", tee, err)
	}
	return c
}

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// client is the real IMDS client pointed at the emulator, recording waits instead of
// sleeping.
func client(s *Server) (*imds.Client, *[]time.Duration) {
	c := imds.New()
	c.BaseURL, c.THIMBase = s.URL(), s.URL()
	var waits []time.Duration
	c.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
	return c, &waits
}

func emuFor(t *testing.T, c *simcvm.CVM) *Server {
	t.Helper()
	cfg, err := FromCVM(c)
	if err != nil {
		t.Fatal(err)
	}
	return start(t, cfg)
}

func TestSEVSNPCertificatesVerifyTheReport(t *testing.T) {
	cvm := provision(t, simcvm.TEESEVSNP)
	s := emuFor(t, cvm)
	cl, _ := client(s)
	ctx := context.Background()

	certs, err := cl.THIMCertification(ctx)
	if err != nil {
		t.Fatalf("THIMCertification: %v", err)
	}
	chain, err := snp.ParseCerts([]byte(certs.VcekCertChain()))
	if err != nil || len(chain) != 3 {
		t.Fatalf("THIM chain: %d certificates, %v", len(chain), err)
	}
	if certs.TCBM != "DB18000000000004" || certs.CacheControl == "" {
		t.Errorf("tcbm %q, cacheControl %q", certs.TCBM, certs.CacheControl)
	}
	parsed, err := hcl.Parse(cvm.Report())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := snp.Parse(parsed.SNPReport())
	if err != nil {
		t.Fatal(err)
	}
	ark, ask := cvm.AMDRoots()
	l := snp.Verify(rep, chain, snp.Options{Now: testNow.Add(time.Hour), ExtraRoots: []snp.Roots{{ARK: ark, ASK: ask}}})
	for _, id := range []string{snp.IDSignature, snp.IDChain} {
		if l.Verdict(id) != check.Pass {
			t.Errorf("%s: %v", id, l.Find(id))
		}
	}
	// No TD quote service on an SEV-SNP VM.
	if _, err := cl.TDQuote(ctx, make([]byte, 1024)); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("TDQuote on SEV-SNP: %v", err)
	}
	reqs := s.Requests()
	if len(reqs) == 0 || reqs[0].Path != "/metadata/THIM/amd/certification" || reqs[0].Metadata != "true" || reqs[0].Status != 200 {
		t.Errorf("request log %+v", reqs)
	}
}

func TestTDXQuoteAndEndorsement(t *testing.T) {
	cvm := provision(t, simcvm.TEETDX)
	s := emuFor(t, cvm)
	cl, waits := client(s)
	ctx := context.Background()

	tdr := cvm.TDReport()
	raw, err := cl.TDQuote(ctx, tdr)
	if err != nil {
		t.Fatalf("TDQuote: %v", err)
	}
	q, err := tdx.ParseQuote(raw)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := tdx.ParseTDReport(tdr)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cvm.TDX().PCKRoot())
	l := tdx.Verify(q, rep, tdx.Options{TrustedRoots: pool, Now: testNow})
	for _, id := range []string{tdx.CheckSignature, tdx.CheckMatchesReport} {
		if l.Verdict(id) != check.Pass {
			t.Errorf("%s: %v", id, l.Find(id))
		}
	}

	// The paravisor's MRTD is endorsed; the check passes against the simulated root.
	mrtd := q.MRTD()
	doc, err := cl.TDXEndorsement(ctx, mrtd)
	if err != nil {
		t.Fatalf("TDXEndorsement: %v", err)
	}
	en, _ := simroots.NewEndorser(simroots.DefaultSeed())
	opts := tdx.EndorsementOptions{Roots: en.Roots(), Now: testNow, Source: s.URL()}
	if c := tdx.CheckMRTDEndorsed(mrtd, [][]byte{doc}, opts); c.Verdict != check.Pass {
		t.Errorf("own MRTD: %s", c)
	}
	list, err := cl.TDXEndorsedMRTDs(ctx)
	if err != nil || len(list) != 1 || !strings.EqualFold(list[0], hexOf(mrtd)) {
		t.Errorf("MRTD list %v, %v", list, err)
	}

	// Another MRTD: THIM has no endorsement (404, not retried), and the endorsement of the
	// real MRTD does not cover it.
	other := bytes.Repeat([]byte{0x42}, 48)
	_, err = cl.TDXEndorsement(ctx, other)
	if !errors.Is(err, imds.ErrNoEndorsement) || len(*waits) != 0 {
		t.Fatalf("other MRTD: %v (waits %v)", err, *waits)
	}
	if c := tdx.CheckMRTDEndorsed(other, nil, tdx.EndorsementOptions{NotListed: true, Source: s.URL()}); c.Verdict != check.Fail {
		t.Errorf("404: %s", c)
	}
	if c := tdx.CheckMRTDEndorsed(other, [][]byte{doc}, opts); c.Verdict != check.Fail || !strings.Contains(c.Summary, "not a Microsoft-endorsed paravisor") {
		t.Errorf("other MRTD against the real endorsement: %s", c)
	}

	// No AMD certificates on a TDX VM: THIM answers 404 (retried, as for a cold cache).
	if _, err := cl.THIMCertification(ctx); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("THIM on TDX: %v", err)
	}

	// The vmId IMDS serves is the CVM's vmUniqueId (IMDS writes it lower-case).
	id, err := cl.VMID(ctx)
	parsed, _ := hcl.Parse(cvm.Report())
	if err != nil || !strings.EqualFold(id, parsed.RuntimeClaims.VMConfig.VMUniqueID) || id != strings.ToLower(id) {
		t.Errorf("vmId %q vs runtime claims %q: %v", id, parsed.RuntimeClaims.VMConfig.VMUniqueID, err)
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// Bad input to the quote service gets a 400 that says what is wrong.
func TestTDQuoteBadInput(t *testing.T) {
	cvm := provision(t, simcvm.TEETDX)
	s := emuFor(t, cvm)
	foreign, _ := simroots.NewTDX([]byte("another platform"))
	var p simroots.TDXParams
	fr, _ := foreign.NewTDReport(p)
	for _, tc := range []struct{ name, body, want string }{
		{"not json", "report=abc", "JSON"},
		{"no report", `{"quote":"x"}`, "JSON"},
		{"not base64", `{"report":"%%%"}`, "base64"},
		{"short", `{"report":"` + b64url(make([]byte, 1000)) + `"}`, "1000 bytes"},
		{"foreign", `{"report":"` + b64url(fr) + `"}`, "MAC"},
	} {
		resp, err := http.Post(s.URL()+"/acc/tdquote", "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct{ Error string }
		json.Unmarshal(b, &e)
		if resp.StatusCode != 400 || !strings.Contains(e.Error, tc.want) {
			t.Errorf("%s: %d %s; want 400 naming %q", tc.name, resp.StatusCode, b, tc.want)
		}
	}
	// Standard base64 is accepted too (AZ-RS sends it first).
	resp, err := http.Post(s.URL()+"/acc/tdquote", "application/json", strings.NewReader(`{"report":"`+b64std(cvm.TDReport())+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("standard base64 report: %d", resp.StatusCode)
	}
	if r, _ := http.Get(s.URL() + "/acc/tdquote"); r == nil || r.StatusCode != 405 {
		t.Errorf("GET /acc/tdquote: %v", r)
	}
}

func TestInstanceMetadataAndHeaderRules(t *testing.T) {
	cvm := provision(t, simcvm.TEETrustedLaunch)
	s := emuFor(t, cvm)
	cl, _ := client(s)
	ctx := context.Background()
	in, err := cl.Instance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(in.VMID, cvm.VMID()) || in.Location != "koreacentral" || in.VMSize != "Standard_D2s_v5" ||
		in.SecurityType != "TrustedLaunch" || in.SecureBoot != "true" || in.VTPM != "true" || in.OSType != "Linux" || in.Tags["cvmscope"] != "simulated" {
		t.Errorf("instance %+v", in)
	}
	if loc, err := cl.Location(ctx); err != nil || loc != "koreacentral" {
		t.Errorf("location %q, %v", loc, err)
	}
	if base, _ := cl.EndorsementBase(ctx); base != s.URL() {
		t.Errorf("THIM base %q", base)
	}
	cl.THIMBase = ""
	if base, _ := cl.EndorsementBase(ctx); base != "https://koreacentral.thim.azure.net" {
		t.Errorf("THIM base from the emulator's location: %q", base)
	}
	if _, err := cl.THIMCertification(ctx); err == nil {
		t.Error("THIM AMD certificates on a Trusted Launch VM")
	}

	get := func(path string, hdr map[string]string) (int, string) {
		req, _ := http.NewRequest("GET", s.URL()+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	md := map[string]string{"Metadata": "true"}
	for _, tc := range []struct {
		path   string
		hdr    map[string]string
		status int
		want   string
	}{
		{"/metadata/instance?api-version=2021-02-01", nil, 400, "Required metadata header not specified"},
		{"/metadata/THIM/amd/certification", map[string]string{"Metadata": "false"}, 400, "metadata header"},
		{"/metadata/instance?api-version=2021-02-01", map[string]string{"Metadata": "true", "X-Forwarded-For": "10.0.0.9"}, 400, "X-Forwarded-For"},
		{"/metadata/instance", md, 400, "api-version"},
		{"/metadata/instance/compute?api-version=2021-02-01&format=text", md, 400, "leaf"},
		{"/metadata/instance/compute/nope?api-version=2021-02-01&format=text", md, 404, "no such"},
		{"/metadata/instance/compute/vmSize?api-version=2021-02-01&format=text", md, 200, "Standard_D2s_v5"},
		{"/metadata/instance/compute/securityProfile?api-version=2021-02-01&format=json", md, 200, `"securityType":"TrustedLaunch"`},
		{"/metadata/instance/compute/vmId?api-version=2019-03-11&format=text", map[string]string{"metadata": "True"}, 200, strings.ToLower(cvm.VMID())},
		{"/nothing", nil, 404, "no such endpoint"},
	} {
		status, body := get(tc.path, tc.hdr)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s %v: %d %s; want %d with %q", tc.path, tc.hdr, status, body, tc.status, tc.want)
		}
	}
}

// The client's retries, run against the real server's fault knob.
func TestClientRetriesAgainstFailStatus(t *testing.T) {
	base := Config{TEE: TEETrustedLaunch, VMID: "9F8E7D6C-0000-4000-8000-000000000001", SecureBoot: true}
	cfg := base
	cfg.FailStatus, cfg.FailFirst = 503, 2
	s := start(t, cfg)
	cl, waits := client(s)
	in, err := cl.Instance(context.Background())
	if err != nil {
		t.Fatalf("after two 503s: %v", err)
	}
	if in.VMID != "9f8e7d6c-0000-4000-8000-000000000001" {
		t.Errorf("vmId %q", in.VMID)
	}
	reqs := s.Requests()
	if len(reqs) != 3 || reqs[0].Status != 503 || reqs[1].Fault != "fail 503" || reqs[2].Status != 200 {
		t.Errorf("requests %+v", reqs)
	}
	if len(*waits) != 2 || (*waits)[0] != time.Second || (*waits)[1] != 2*time.Second {
		t.Errorf("backoff %v, want [1s 2s]", *waits)
	}

	// Every call failing: bounded attempts, then a StatusError.
	cfg = base
	cfg.FailStatus, cfg.FailPath = 500, "/metadata/instance"
	s2 := start(t, cfg)
	cl2, _ := client(s2)
	_, err = cl2.Instance(context.Background())
	var se *imds.StatusError
	if !errors.As(err, &se) || se.Status != 500 || se.Attempts != 4 || len(s2.Requests()) != 4 {
		t.Errorf("always 500: %v, %d requests", err, len(s2.Requests()))
	}
	// FailPath leaves other paths alone.
	if _, err := cl2.THIMCertification(context.Background()); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("outside FailPath: %v", err)
	}
}

// A slow IMDS times the client out, and Close ends the delayed answers and leaves no
// goroutine behind.
func TestDelayCloseNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := Start(Config{TEE: TEETrustedLaunch, VMID: "x", Delay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := client(s)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, err = cl.Instance(ctx)
	cancel()
	if err == nil || !strings.Contains(err.Error(), "did not answer in time") {
		t.Errorf("slow IMDS: %v", err)
	}
	// A request still waiting when Close comes; Close is called once it is sent.
	got, wrote := make(chan error, 1), make(chan struct{})
	var once sync.Once
	sent := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { once.Do(func() { close(wrote) }) }})
	go func() {
		_, err := cl.Location(sent)
		got <- err
	}()
	<-wrote
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := <-got; err == nil {
		t.Error("the delayed request succeeded across Close")
	}
	// Close cut the delay short: the request is answered "shutting down", not cut when
	// Shutdown's grace ran out (logged as the client giving up). It is not logged at all
	// when Close came before the server accepted the connection.
	for _, r := range s.Requests() {
		if strings.Contains(r.Path, "location") && (r.Status != http.StatusServiceUnavailable || r.Fault != "") {
			t.Errorf("the request pending at Close, as logged: %+v; want 503 and no fault", r)
		}
	}
	s.Close() // idempotent
	cl.HTTP.CloseIdleConnections()
	// Goroutines end a little after Close (connections closing); a leak never does.
	deadline := time.Now().Add(time.Minute)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
func b64std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestStartRefusesBadConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"unknown TEE":    {TEE: "sgx", VMID: "x"},
		"no VMID":        {TEE: TEETrustedLaunch},
		"SNP no certs":   {TEE: TEESEVSNP, VMID: "x"},
		"TDX no TDX":     {TEE: TEETDX, VMID: "x"},
		"not loopback":   {TEE: TEETrustedLaunch, VMID: "x", Listen: "0.0.0.0:0"},
		"bad FailStatus": {TEE: TEETrustedLaunch, VMID: "x", FailStatus: 200},
		"short MRTD":     {TEE: TEETrustedLaunch, VMID: "x", MRTDs: [][]byte{{1, 2}}},
	} {
		if s, err := Start(cfg); err == nil {
			s.Close()
			t.Errorf("%s: started", name)
		}
	}
}

// TestListenOnIMDSAddress: the emulator itself listens on 169.254.169.254, the address a
// real client uses (it used to refuse it, and cvmscope vtpm relayed to it by hand); every
// other non-loopback address, the unspecified ones first, is still refused before
// anything listens. Binding the IMDS address works where an interface carries it (a
// network namespace, TestVTPMNamespaceIMDS); elsewhere the error says how to add it.
func TestListenOnIMDSAddress(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:80", "localhost:8080", "169.254.169.254:80", "169.254.169.254:0"} {
		if err := CheckListen(addr); err != nil {
			t.Errorf("CheckListen(%s) = %v, want accepted", addr, err)
		}
	}
	for _, addr := range []string{"0.0.0.0:80", ":80", "[::]:80", "169.254.169.253:80", "169.254.0.1:80", "10.0.0.1:80", "169.254.169.254"} {
		err := CheckListen(addr)
		if err == nil || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), IMDSAddress) {
			t.Errorf("CheckListen(%s) = %v, want a refusal naming the address and %s", addr, err, IMDSAddress)
			continue
		}
		if msg, hint := fault.MessageIn(err, "ko"); !strings.Contains(msg, "루프백") || hint == "" {
			t.Errorf("CheckListen(%s) in Korean: %q / %q", addr, msg, hint)
		}
	}
	s, err := Start(Config{TEE: TEETrustedLaunch, VMID: "x", Listen: IMDSAddress + ":0"})
	if err == nil {
		defer s.Close()
		if !strings.HasPrefix(s.URL(), "http://"+IMDSAddress+":") {
			t.Fatalf("listening on the IMDS address, URL %s", s.URL())
		}
		return
	}
	if _, hint := fault.MessageIn(err, "en"); !strings.Contains(err.Error(), IMDSAddress) || !strings.Contains(hint, "ip addr add 169.254.169.254/32 dev lo") {
		t.Fatalf("Start on %s without the address: %v (hint %q); want the listen error and how to add the address", IMDSAddress, err, hint)
	}
}
