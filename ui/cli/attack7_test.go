//go:build unix

package cli

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

// A TDX HCL report with no TD quote is only MAC'd by the CPU, so nothing vouches for its
// runtime claims or the AK they name. A genuine SEV-SNP report from another VM put beside it
// (as a file or a bundle field) was verified in its place and anchored that AK: the set exited
// 0 on a TDREPORT nobody checked. Each set must hold one VM's hardware report.
func TestAttackSEVSNPReportAnchorsATDXReport(t *testing.T) {
	tmp := t.TempDir()
	snpSet, tdxSet := simEvidence(t, tmp, "sevsnp"), simEvidence(t, tmp, "tdx")
	if len(snpSet.HCLReport) < 32+1184 || len(tdxSet.HCLReport) == 0 || tdxSet.Quote == nil {
		t.Fatal("simulated sets lack their HCL reports or quote")
	}
	genuineSNP := snpSet.HCLReport[32 : 32+1184] // the simulated SEV-SNP HCL report's own report

	// The TDX set without its TD quote: its TDREPORT is unsigned, so it must not pass alone.
	unsigned := *tdxSet
	unsigned.TDQuote, unsigned.Token, unsigned.JWKS, unsigned.MAA, unsigned.EncKey = nil, "", nil, nil, nil
	unsigned.Collateral = evidence.Collateral{}
	mixed := unsigned
	mixed.SNPReport, mixed.Certs = genuineSNP, snpSet.Certs

	dir := t.TempDir()
	trust := []string{"inspect", "-o", "json", "--trust-simulated"}
	if r := runCLI(t, append(trust, write(t, dir, "unsigned.json", bundleWith(t, &unsigned)))...); r.code != 2 {
		t.Fatalf("control: the TDX set without its TD quote exits %d, want 2; failing: %s", r.code, attackFailing(r))
	}

	r := runCLI(t, append(trust, write(t, dir, "mixed.json", bundleWith(t, &mixed)))...)
	if r.code != 2 || r.verdict("bundle.parse") != check.Fail {
		t.Errorf("bundle with a TDX HCL report and another VM's SEV-SNP report: exit %d, bundle.parse %s, want 2 and fail; failing: %s", r.code, r.verdict("bundle.parse"), attackFailing(r))
	}

	files := []string{write(t, dir, "tdx-hcl.bin", tdxSet.HCLReport), write(t, dir, "quote.msg", tdxSet.Quote.Msg),
		write(t, dir, "quote.sig", tdxSet.Quote.Sig), write(t, dir, "snp-report.bin", genuineSNP), write(t, dir, "vcek.pem", certsPEM(snpSet.Certs))}
	r = runCLI(t, append(trust, files...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "snp-report.bin") || !strings.Contains(r.stderr, "SEV-SNP and TDX") {
		t.Errorf("files: a TDX HCL report beside another VM's SEV-SNP report: exit %d, want 1 naming snp-report.bin\n%s", r.code, r.stderr)
	}
}

// An AK certificate saved with its vTPM chain, leaf first (`cat ak.pem chain.pem`), failed
// ak.certificate "for a different key than the AK": the CA, whose issuer is named "Virtual
// TPM" too, was read as a second AK certificate and replaced the AK's. Two different AK
// certificates kept the last and dropped the other unread; they are refused now.
func TestAKCertificateBesideItsChain(t *testing.T) {
	tmp := t.TempDir()
	s := simEvidence(t, tmp, "trustedlaunch")
	ca, err := simroots.NewVTPMCA(simroots.DefaultSeed())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pcrs := runCLI(t, "export", "pcrs", "--from", write(t, dir, "b.json", bundleWith(t, s)), "-o", filepath.Join(dir, "pcrs.json"))
	if pcrs.code != 0 {
		t.Fatalf("export pcrs: exit %d: %s", pcrs.code, pcrs.stderr)
	}
	base := []string{"inspect", "-o", "json", "--trust-simulated", write(t, dir, "quote.msg", s.Quote.Msg), write(t, dir, "quote.sig", s.Quote.Sig),
		write(t, dir, "ak.pub", s.AKPub), filepath.Join(dir, "pcrs.json")}
	leafFirst := write(t, dir, "ak-chain.pem", append(certsPEM([][]byte{s.AKCert}), ca.ChainPEM()...))
	if r := runCLI(t, append(base, leafFirst)...); r.code != 0 || r.verdict("ak.certificate") != check.Pass {
		t.Errorf("AK certificate, then its chain: exit %d, ak.certificate %s; failing: %s", r.code, r.verdict("ak.certificate"), attackFailing(r))
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ca.IssueAKCert(&key.PublicKey, "8f8e3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	two := write(t, dir, "two.pem", certsPEM([][]byte{other, s.AKCert}))
	if r := runCLI(t, append(base, two)...); r.code != 1 || !strings.Contains(r.stderr, "second AK certificate") {
		t.Errorf("another AK's certificate before the AK's own: exit %d, want 1 refusing it\n%s", r.code, r.stderr)
	}
}

// A VM booted with Secure Boot off, its event log's SecureBoot variable rewritten from 0 to 1
// under the digest of 0: the quote, the AK and PCR 7's replay all still pass (a replay checks
// digests), and policy check permitted a policy that reads Secure Boot from the "events"
// claim (exit 0). Only data its digest covers reaches the claim now: denied, exit 5.
func TestAttackSecureBootRewrittenUnderItsDigest(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sboff.json")
	var out, errb bytes.Buffer
	if code := Main([]string{"--platform", "sim", "--sim-tee", "trustedlaunch", "--sim-secureboot-off", "--save", p, "-o", "json"}, &out, &errb); code != 5 {
		t.Fatalf("simulated run with Secure Boot off: exit %d, want 5 (MAA's policy): %s", code, errb.String())
	}
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := evidence.ParseBundle(raw)
	if err != nil {
		t.Fatal(err)
	}
	s := b.Evidence
	s.MAA = nil // the refusal: what is judged is the evidence alone
	name := []byte("S\x00e\x00c\x00u\x00r\x00e\x00B\x00o\x00o\x00t\x00")
	i := bytes.Index(s.EventLog, name)
	if i < 0 || s.EventLog[i+len(name)] != 0 {
		t.Fatalf("no SecureBoot = 0 in the simulated log")
	}
	s.EventLog = bytes.Clone(s.EventLog)
	s.EventLog[i+len(name)] = 1
	dir := t.TempDir()
	pol := write(t, dir, "sb.policy", []byte("version=1.2;\nauthorizationrules {\n"+
		`  c:[type=="events", issuer=="AttestationService"] => add(type="sb", value=JsonToClaimValue(JmesPath(c.value, "Events[?ProcessedData.UnicodeName == 'SecureBoot'] | length(@) == `+"`1`"+` && @[0].ProcessedData.VariableData == 'AQ'")));`+
		"\n  [type==\"sb\", value==true] => permit();\n};"))
	code, stdout, stderr := runPolicyCLI(t, "check", "--trust-simulated", pol, write(t, dir, "tampered.json", bundleWith(t, s)))
	if code != 5 || !strings.Contains(stdout, "sb = false") {
		t.Errorf("policy check of a SecureBoot variable rewritten under its digest: exit %d, want 5 with sb = false\n%s%s", code, stdout, stderr)
	}
	if r := runCLI(t, "inspect", "-o", "json", "--trust-simulated", filepath.Join(dir, "tampered.json")); r.verdict("eventlog.replay") == check.Fail {
		t.Errorf("the rewritten log should still replay (only its data changed): %s", attackFailing(r))
	}
}

// The ephemeral key a bundle records is what ties its token to this one request
// (jwt.matches-evidence's "ephemeral key" item), but inspect never checked the AK's
// certification of it: a key copied from any token into a bundle, its TPM2_Certify signature
// broken, still matched and bound. The certification must verify for the key to bind.
func TestAttackEphemeralKeyWithoutItsCertification(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := Main([]string{"--platform", "sim", "--sim-tee", "trustedlaunch", "--save", filepath.Join(dir, "run.json"), "-o", "json"}, &out, &errb); code != 0 {
		t.Fatalf("simulated AzureGuest run: exit %d: %s", code, errb.String())
	}
	raw, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := evidence.ParseBundle(raw)
	if err != nil {
		t.Fatal(err)
	}
	s := b.Evidence
	if s.EncKey == nil || len(s.EncKey.CertifySig) == 0 || s.Token == "" {
		t.Fatal("the AzureGuest run saved no ephemeral key or token")
	}
	if r := runCLI(t, "inspect", "-o", "json", "--trust-simulated", write(t, dir, "b.json", bundleWith(t, s))); r.code != 0 || r.verdict("jwt.matches-evidence") != check.Pass {
		t.Fatalf("control: exit %d, jwt.matches-evidence %s; failing: %s", r.code, r.verdict("jwt.matches-evidence"), attackFailing(r))
	}
	broken := *s
	enc := *s.EncKey
	enc.CertifySig = bytes.Clone(enc.CertifySig)
	enc.CertifySig[10] ^= 0xff
	broken.EncKey = &enc
	r := runCLI(t, "inspect", "-o", "json", "--trust-simulated", write(t, dir, "broken.json", bundleWith(t, &broken)))
	if r.code != 2 || r.verdict("jwt.matches-evidence") != check.Fail {
		t.Errorf("ephemeral key whose certification does not verify: exit %d, jwt.matches-evidence %s, want 2 and fail", r.code, r.verdict("jwt.matches-evidence"))
	}
}

// Evidence alone (no token) of a debuggable guest exited 0: the report page marked
// policy.debug / td_attributes.DEBUG as FAIL, but no check failed, so a script that trusts
// exit 0 took a VM whose memory the host can read for a confidential one. With a token the
// baseline refuses it (exit 5); the report's own bit now does too, unless --no-baseline.
func TestAttackDebuggableGuestWithoutToken(t *testing.T) {
	for _, tee := range []string{"sevsnp", "tdx"} {
		dir := t.TempDir()
		var out, errb bytes.Buffer
		for _, debug := range []bool{false, true} {
			args := []string{"--platform", "sim", "--sim-tee", tee, "--save", filepath.Join(dir, "run.json"), "-o", "json"}
			if debug {
				args = append(args, "--sim-debug")
			}
			Main(args, &out, &errb) // debug: MAA refuses it (exit 5); the bundle is saved either way
			raw, err := os.ReadFile(filepath.Join(dir, "run.json"))
			if err != nil {
				t.Fatal(err)
			}
			b, err := evidence.ParseBundle(raw)
			if err != nil {
				t.Fatal(err)
			}
			s := b.Evidence
			s.Token, s.MAA, s.JWKS, s.EncKey = "", nil, nil, nil
			p := write(t, dir, "evidence.json", bundleWith(t, s))
			r := runCLI(t, "inspect", "-o", "json", "--trust-simulated", p)
			switch {
			case !debug && (r.code != 0 || len(r.report.Checks.Find("policy.baseline")) != 0):
				t.Errorf("%s: control: exit %d, baseline %+v; failing: %s", tee, r.code, r.report.Checks.Find("policy.baseline"), attackFailing(r))
			case debug && (r.code != 5 || r.verdict("policy.baseline") != check.Fail):
				t.Errorf("%s: a debuggable guest's evidence: exit %d, policy.baseline %s; want 5 and fail", tee, r.code, r.verdict("policy.baseline"))
			case debug:
				if nb := runCLI(t, "inspect", "-o", "json", "--trust-simulated", "--no-baseline", p); nb.code != 0 {
					t.Errorf("%s: --no-baseline: exit %d, want 0; failing: %s", tee, nb.code, attackFailing(nb))
				}
			}
		}
	}
}

// The simulated MAA signing key is public: --trust-simulated trusts it for the simulated
// CVM's emulator, but it was also taken for a token naming a real Azure provider, so with
// -a pinning that provider, a token anyone signed with the public key passed jwt.signature
// and jwt.issuer (verify and inspect: exit 0). It never signs for an Azure provider now.
func TestAttackSimulatedKeyForAnAzureProvider(t *testing.T) {
	const azure = "https://sharedeus.eus.attest.azure.net"
	s := simEvidence(t, t.TempDir(), "sevsnp")
	a, err := simroots.Anchors()
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(s.Token, ".")
	var h map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	delete(h, "jku")
	claims := tokenClaims(t, s.Token)
	claims["iss"] = azure
	hb, _ := json.Marshal(h)
	cb, _ := json.Marshal(claims)
	si := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	sum := sha256.Sum256([]byte(si))
	sig, err := rsa.SignPKCS1v15(rand.Reader, a.MAAKey, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tok := write(t, dir, "forged.jwt", []byte(si+"."+base64.RawURLEncoding.EncodeToString(sig)))
	forged := *s
	forged.Token = string(readFile(t, tok))
	bundle := write(t, dir, "forged.json", bundleWith(t, &forged))
	for _, args := range [][]string{
		{"verify", "-o", "json", "--trust-simulated", "-a", azure, tok},
		{"verify", "-o", "json", "--trust-simulated", "--any-azure-provider", tok},
		{"inspect", "-o", "json", "--trust-simulated", "-a", azure, bundle},
	} {
		r := runCLI(t, args...)
		if r.code == 0 || r.verdict("jwt.signature") == check.Pass {
			t.Errorf("%v: exit %d, jwt.signature %s; a token signed with the public simulated key passed for %s", args, r.code, r.verdict("jwt.signature"), azure)
		}
	}
	// Control: the simulated token itself, from its loopback emulator, still verifies.
	if r := runCLI(t, "verify", "-o", "json", "--trust-simulated", write(t, dir, "sim.jwt", []byte(s.Token))); r.verdict("jwt.signature") != check.Pass {
		t.Errorf("the simulated token: jwt.signature %s; failing: %s", r.verdict("jwt.signature"), attackFailing(r))
	}
}
