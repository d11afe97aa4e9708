package pages_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-tpm/tpm2"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"github.com/cvmscope/cvmscope/hw/tpm"
)

var update = flag.Bool("update", false, "rewrite golden files")

// policyDenial is MAA's answer when its default policy refuses a VM with Secure Boot off
// (shape from protocol §4.6).
const policyDenial = `{"error":{"code":"PolicyEvaluationError","innererror":{"code":"PolicyValidationFailure","details":[{"code":"PolicyFailureClaim","target":"x-ms-azurevm-dbxvalidated","value":"false"}]},"message":"Attestation policy evaluation failed."}}`

// testClient calls a loopback server without waiting for real between retries.
func testClient(t *testing.T, url string) (*maa.Client, *[]time.Duration) {
	t.Helper()
	c, err := maa.NewClient(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	c.MaxJitter = 0
	c.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
	return c, &waits
}

// TestCallMAAGuestThrottledThenOpened: a loopback MAA throttles once (429, Retry-After 1)
// and then answers with a JWT encrypted, as MAA does, to the request's ephemeral key; the
// simulated vTPM opens it under the key's PCR policy.
func TestCallMAAGuestThrottledThenOpened(t *testing.T) {
	g := newSimGuest(t, "sevsnp", "n")
	jwt := strings.TrimSpace(string(realdata.Read(t, "maa-azureguest-sharedeus2-cvmga-2022.jwt")))
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		body, err := maa.EncryptToken(jwt, g.enc.PublicKey)
		if err != nil {
			t.Error(err)
		}
		w.Write(body)
	}))
	defer srv.Close()
	client, waits := testClient(t, srv.URL)
	ctx := context.Background()
	ex, err := client.Attest(ctx, maa.PathAzureGuest, g.body)
	if err != nil {
		t.Fatal(err)
	}
	et, err := maa.ParseGuestResponse(ex.ResponseBody)
	if err != nil {
		t.Fatal(err)
	}
	compact, err := maa.DecryptToken(et, func(w []byte) ([]byte, error) { return g.p.TPM.DecryptWithEphemeral(ctx, g.enc, w) })
	if err != nil || compact != jwt {
		t.Fatalf("decrypting with the simulated vTPM: %v", err)
	}
	checks := check.List{
		check.Warnf("maa.call", "token received after %d attempts", len(ex.Attempts)),
		check.Passf("maa.decrypt", "token decrypted with the ephemeral key (TPM2_RSA_Decrypt) and AES-GCM"),
	}
	p := pages.Pager{}.CallMAA(pages.CallView{Endpoint: srv.URL, Path: maa.PathAzureGuest, Exchange: ex, Emulated: true, Decrypted: true, Checks: checks})
	requireExplained(t, p)
	requireValidCode(t, p)
	if p.Step != "call-maa" || p.Verdict != check.Warn || !strings.Contains(p.Summary.EN, "the MAA emulator answered HTTP 200") || !strings.Contains(p.Summary.KO, "HTTP 200") {
		t.Errorf("page %s %s %+v", p.Step, p.Verdict, p.Summary)
	}
	if len(*waits) != 1 || (*waits)[0] != time.Second {
		t.Errorf("waits %v, want the 1 s Retry-After", *waits)
	}
	att := section(t, p, "attempts")
	if len(att.Rows) != 2 || att.Rows[0].Verdict != check.Warn || att.Rows[0].Cells[0] != "429 Too Many Requests" || att.Rows[0].Cells[2] != "1s" ||
		att.Rows[1].Verdict != check.Pass || len(att.Columns) != 5 {
		t.Errorf("attempts table %+v", att)
	}
	if row := requireRow(t, p, "call", "provider"); !strings.Contains(row.Value, "emulator") {
		t.Errorf("provider row %+v", row)
	}
	if row := requireRow(t, p, "call", "attempts"); row.Verdict != check.Warn || row.Value != "2" || row.Hint.KO == "" {
		t.Errorf("attempts row %+v", row)
	}
	for key, want := range map[string]string{"EncryptedInnerKey": "256 bytes (RSA-2048 ciphertext)", "EncryptionParams": "AES-256, ChainingModeGCM, padding PKCS7",
		"Iv": "12 bytes", "AuthenticationData": "16 bytes", "token": "opened: a compact JWT, verified in the next step"} {
		if v := requireRow(t, p, "decrypt", key).Value; v != want {
			t.Errorf("decrypt %s = %q, want %q", key, v, want)
		}
	}
	if requireRow(t, p, "decrypt", "unwrap").Verdict != check.Pass {
		t.Error("unwrap row does not carry maa.decrypt's verdict")
	}
	if hasSection(p, "error") {
		t.Error("a successful call shows an error section")
	}
}

// When a PCR moves between the request and the answer, the vTPM refuses to unwrap the key:
// the page shows the failing decrypt with what to do.
func TestCallMAADecryptFailsAfterPCRChange(t *testing.T) {
	g := newSimGuest(t, "trustedlaunch", "")
	body, err := maa.EncryptToken("a.b.c", g.enc.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	ext := tpm2.PCRExtend{PCRHandle: tpm2.AuthHandle{Handle: tpm2.TPMHandle(7), Auth: tpm2.PasswordAuth(nil)},
		Digests: tpm2.TPMLDigestValues{Digests: []tpm2.TPMTHA{{HashAlg: tpm2.TPMAlgSHA256, Digest: make([]byte, 32)}}}}
	if _, err := ext.Execute(g.p.TPM.Transport()); err != nil {
		t.Fatal(err)
	}
	et, err := maa.ParseGuestResponse(body)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, derr := maa.DecryptToken(et, func(w []byte) ([]byte, error) { return g.p.TPM.DecryptWithEphemeral(ctx, g.enc, w) })
	if !errors.Is(derr, tpm.ErrPCRsChanged) {
		t.Fatalf("decrypt after extending PCR 7: %v, want ErrPCRsChanged", derr)
	}
	ex := &maa.Exchange{URL: "http://127.0.0.1:1" + maa.PathAzureGuest, Status: 200, Duration: 80 * time.Millisecond,
		Attempts: []maa.Attempt{{Status: 200, Duration: 80 * time.Millisecond}}, RequestBody: g.body, ResponseBody: body}
	p := pages.CallMAA(pages.CallView{Endpoint: "http://127.0.0.1:1", Path: maa.PathAzureGuest, Exchange: ex, Emulated: true,
		Checks: check.List{check.Passf("maa.call", "HTTP 200"), check.Failf("maa.decrypt", "%v", derr)}})
	requireExplained(t, p)
	unwrap := requireRow(t, p, "decrypt", "unwrap")
	if unwrap.Verdict != check.Fail || !strings.Contains(unwrap.Detail, "PCRs changed") || unwrap.Hint.KO == "" {
		t.Errorf("unwrap row %+v", unwrap)
	}
	if v := requireRow(t, p, "decrypt", "token").Value; v != "not opened" || p.Verdict != check.Fail {
		t.Errorf("token row %q, page %s", v, p.Verdict)
	}
}

func TestCallMAAPolicyDeniedReadOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, policyDenial)
	}))
	defer srv.Close()
	client, _ := testClient(t, srv.URL)
	ex, err := client.Attest(context.Background(), maa.PathAzureGuest, []byte(`{"AttestationInfo":"e30"}`))
	if err == nil {
		t.Fatal("a 400 answer gave no error")
	}
	p := pages.CallMAA(pages.CallView{Endpoint: srv.URL, Path: maa.PathAzureGuest, Exchange: ex, Err: err, Emulated: true,
		Checks: check.List{check.Failf("maa.call", "%v", err)}})
	requireExplained(t, p)
	if p.Verdict != check.Fail || !strings.Contains(p.Summary.EN, "HTTP 400") || !strings.Contains(p.Summary.EN, "first failure: maa.call") {
		t.Errorf("page %s %+v", p.Verdict, p.Summary)
	}
	if hasSection(p, "attempts") || hasSection(p, "decrypt") {
		t.Errorf("sections %v: one clean attempt needs no table and a refusal has nothing to decrypt", sectionIDs(p))
	}
	happened := requireRow(t, p, "error", "what happened")
	wantM, wantH := explain.MAAProblem("policy")
	if happened.Explain != wantM || happened.Hint != wantH || !strings.Contains(happened.Value, "PolicyEvaluationError") {
		t.Errorf("what happened %+v", happened)
	}
	if todo := requireRow(t, p, "error", "what to do"); !strings.Contains(todo.Value, "Secure Boot is off") {
		t.Errorf("what to do %+v", todo)
	}
	claim := requireRow(t, p, "error", "x-ms-azurevm-dbxvalidated")
	if claim.Verdict != check.Fail || !strings.HasPrefix(claim.Hint.EN, "Enable Secure Boot") || !strings.Contains(claim.Hint.KO, "보안 부팅") ||
		!strings.Contains(claim.Explain.KO, "dbx") || claim.Value != "false (PolicyFailureClaim)" {
		t.Errorf("denied claim row %+v", claim)
	}
	for k, want := range map[string]string{"error code": "PolicyEvaluationError", "inner code": "PolicyValidationFailure", "message": "Attestation policy evaluation failed."} {
		if v := requireRow(t, p, "error", k).Value; v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
}

// TestCallMAASavedDenialReadOut: a bundle's recorded refusal (inspect) is read out as in
// the run, but the page's verdict is its checks' (a skip: nothing was called now), so the
// step, the status line and the exit code agree; the same answer live fails the page.
func TestCallMAASavedDenialReadOut(t *testing.T) {
	ex := &maa.Exchange{URL: "https://sharedkrc.krc.attest.azure.net" + maa.PathAzureGuest, Status: http.StatusBadRequest,
		RequestBody: []byte(`{"AttestationInfo":"e30"}`), ResponseBody: []byte(policyDenial)}
	se := maa.ParseServiceError(ex.Status, ex.ResponseBody)
	if se == nil {
		t.Fatal("the denial does not parse")
	}
	view := func(saved bool) present.Page {
		return pages.CallMAA(pages.CallView{Endpoint: "https://sharedkrc.krc.attest.azure.net", Path: maa.PathAzureGuest, Exchange: ex, Err: se, Saved: saved,
			Checks: check.List{check.Skipf("maa.call", "saved answer")}})
	}
	live, saved := view(false), view(true)
	if live.Verdict != check.Fail {
		t.Errorf("a refusal in this run: page %s, want fail", live.Verdict)
	}
	if saved.Verdict != check.Skip || !strings.HasPrefix(saved.Summary.EN, "saved answer: MAA answered HTTP 400") || !strings.HasPrefix(saved.Summary.KO, "저장된 응답: ") {
		t.Errorf("saved refusal: page %s %+v, want skip and said to be the saved answer", saved.Verdict, saved.Summary)
	}
	requireExplained(t, saved)
	if v := requireRow(t, saved, "error", "what happened").Value; !strings.Contains(v, "PolicyEvaluationError") {
		t.Errorf("the saved refusal is not read out: %q", v)
	}
	claim := requireRow(t, saved, "error", "x-ms-azurevm-dbxvalidated")
	if claim.Verdict != "" || !strings.HasPrefix(claim.Hint.EN, "Enable Secure Boot") {
		t.Errorf("denied claim in a saved answer %+v: read out with its fix, no verdict on this run", claim)
	}
	for _, sec := range saved.Sections {
		if sec.ID == "error" && !strings.Contains(sec.Title.EN, "saved run") {
			t.Errorf("error section titled %q: say it is the saved run's", sec.Title.EN)
		}
	}
}

// dnsNXDomain answers every query with NXDOMAIN: a real resolver on loopback, so that the
// client meets the DNS failure it meets on a VM whose DNS does not know the host.
func dnsNXDomain(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			q := append([]byte(nil), buf[:n]...)
			binary.BigEndian.PutUint16(q[2:], 0x8183) // response, recursion desired and available, NXDOMAIN
			binary.BigEndian.PutUint16(q[6:], 0)      // no answers
			binary.BigEndian.PutUint16(q[8:], 0)
			binary.BigEndian.PutUint16(q[10:], 0)
			pc.WriteTo(q, addr)
		}
	}()
	return pc.LocalAddr().String()
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestCallMAANetworkFailuresReadOut makes each network failure happen for real on loopback
// and checks that the page names it and says what to do, in both languages.
func TestCallMAANetworkFailuresReadOut(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client func(t *testing.T) *maa.Client
	}{
		{"refused", func(t *testing.T) *maa.Client {
			c, _ := testClient(t, "http://"+closedPort(t))
			return c
		}},
		{"timeout", func(t *testing.T) *maa.Client {
			stop := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-stop:
				}
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(stop) }) // runs first: the handler returns, so Close does not wait
			c, _ := testClient(t, srv.URL)
			c.AttemptTimeout, c.MaxAttempts = 100*time.Millisecond, 1
			return c
		}},
		{"reset", func(t *testing.T) *maa.Client {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					conn.Close() // hang up without answering, as a cutting middlebox does
				}
			}))
			t.Cleanup(srv.Close)
			c, _ := testClient(t, srv.URL)
			return c
		}},
		{"tls", func(t *testing.T) *maa.Client {
			srv := httptest.NewUnstartedServer(http.NotFoundHandler())
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
			srv.StartTLS()
			t.Cleanup(srv.Close)
			c, _ := testClient(t, srv.URL) // the test server's root is not trusted: verification stays on
			return c
		}},
		{"proxy", func(t *testing.T) *maa.Client {
			c, _ := testClient(t, "https://sharedkrc.krc.attest.azure.net")
			proxy := "http://" + closedPort(t)
			c.HTTP.Transport.(*http.Transport).Proxy = func(*http.Request) (*url.URL, error) { return url.Parse(proxy) }
			return c
		}},
		{"dns", func(t *testing.T) *maa.Client {
			dns := dnsNXDomain(t)
			c, _ := testClient(t, "https://maa.cvmscope.invalid")
			res := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "udp", dns)
			}}
			tr := c.HTTP.Transport.(*http.Transport)
			tr.DialContext = (&net.Dialer{Resolver: res, Timeout: 2 * time.Second}).DialContext
			// The name must be looked up here: through a proxy from the environment
			// (HTTPS_PROXY) the proxy would resolve it and the failure would read as "proxy".
			tr.Proxy = nil
			return c
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.client(t)
			ex, err := c.Attest(context.Background(), maa.PathAzureGuest, []byte(`{}`))
			if err == nil {
				t.Fatal("the call succeeded")
			}
			p := pages.CallMAA(pages.CallView{Endpoint: c.Base, Path: maa.PathAzureGuest, Exchange: ex, Err: err,
				Checks: check.List{check.Failf("maa.call", "%v", err)}})
			requireExplained(t, p)
			m, h := explain.MAAProblem(tc.name)
			row := requireRow(t, p, "error", "what happened")
			if row.Explain != m || row.Hint != h || row.Verdict != check.Fail {
				t.Errorf("%v\nread as %q, want %s: %+v", err, row.Detail, tc.name, row)
			}
			if todo := requireRow(t, p, "error", "what to do"); todo.Value == "" || todo.Explain != h {
				t.Errorf("what to do %+v", todo)
			}
			if !strings.HasPrefix(p.Summary.EN, "no answer: "+strings.TrimSuffix(m.EN, ".")) || !strings.HasPrefix(p.Summary.KO, "응답 없음") {
				t.Errorf("summary %+v", p.Summary)
			}
			short := explain.MAAProblemShort(tc.name)
			if last := section(t, p, "attempts").Rows; last[len(last)-1].Cells[3] != short.EN || last[len(last)-1].CellsKO[3] != short.KO {
				t.Errorf("the failed attempt does not name its error: %+v", last)
			}
		})
	}
}

func TestCallMAAPlatformAnswer(t *testing.T) {
	jwt := strings.TrimSpace(string(realdata.Read(t, "maa-sgx-sharedeus-teaclave-2023.jwt")))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"token": jwt})
	}))
	defer srv.Close()
	client, _ := testClient(t, srv.URL)
	ex, err := client.Attest(context.Background(), maa.PathSevSnpVm, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	p := pages.CallMAA(pages.CallView{Endpoint: srv.URL, Path: maa.PathSevSnpVm, Exchange: ex, Emulated: true,
		Checks: check.List{check.Passf("maa.call", "HTTP 200")}})
	requireExplained(t, p)
	tok := requireRow(t, p, "token", "token")
	if tok.Verdict != check.Pass || !strings.Contains(tok.Value, "plain JWT") || hasSection(p, "decrypt") || p.Verdict != check.Pass {
		t.Errorf("platform answer: %+v, sections %v, verdict %s", tok, sectionIDs(p), p.Verdict)
	}
	// Nothing called: the page says so and claims nothing.
	p = pages.CallMAA(pages.CallView{Endpoint: "https://sharedkrc.krc.attest.azure.net", Path: maa.PathAzureGuest})
	requireExplained(t, p)
	if p.Verdict != check.Skip || p.Summary.EN != "not called yet: 0 passed, 0 failed, 0 warnings, 0 skipped" {
		t.Errorf("not called: %s %+v", p.Verdict, p.Summary)
	}
}

// TestCallMAAGolden pins the whole page for a throttled and then refused call; the
// exchange is fixed so the page is byte-for-byte stable. Run with -update to rewrite.
func TestCallMAAGolden(t *testing.T) {
	ex := &maa.Exchange{URL: "https://sharedkrc.krc.attest.azure.net" + maa.PathAzureGuest, Status: 400, Duration: 1250 * time.Millisecond,
		Attempts: []maa.Attempt{
			{Status: 503, Duration: 200 * time.Millisecond, RetryAfter: time.Second},
			{Status: 400, Duration: 50 * time.Millisecond},
		},
		RequestBody: []byte(`{"AttestationInfo":"e30"}`), ResponseBody: []byte(policyDenial)}
	err := maa.ParseServiceError(400, []byte(policyDenial))
	p := pages.CallMAA(pages.CallView{Endpoint: "https://sharedkrc.krc.attest.azure.net", Path: maa.PathAzureGuest, Exchange: ex, Err: err,
		Checks: check.List{check.Failf("maa.call", "%v (after 2 attempts)", err)}})
	requireExplained(t, p)
	got, jerr := json.MarshalIndent(p, "", "  ")
	if jerr != nil {
		t.Fatal(jerr)
	}
	golden := filepath.Join("testdata", "call-maa-policy-denied.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, rerr := os.ReadFile(golden)
	if rerr != nil {
		t.Fatalf("%v (run go test -run TestCallMAAGolden -update to create it)", rerr)
	}
	if string(want) != string(got)+"\n" {
		t.Errorf("Call MAA page differs from %s; run with -update if the change is intended\n%s", golden, got)
	}
	var back present.Page
	if err := json.Unmarshal(want, &back); err != nil || back.Verdict != check.Fail {
		t.Errorf("golden does not decode to a failing page: %v", err)
	}
}
