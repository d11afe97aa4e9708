package explain_test

import (
	"github.com/cvmscope/cvmscope/attestation/check/checktest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/akcert"
	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/google/go-eventlog/tcg"
	"github.com/google/go-tpm/tpm2"
)

func realDir(t *testing.T) string {
	d := filepath.Join(repoRoot(t), "..", "shared", "testdata", "real")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("real samples not found at %s (they live beside the checkout, never in it): %v", d, err)
	}
	return d
}

func readReal(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join(realDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func globReal(t *testing.T, pattern string) []string {
	m, err := filepath.Glob(filepath.Join(realDir(t), pattern))
	if err != nil || len(m) == 0 {
		t.Fatalf("no real sample matches %s (%v)", pattern, err)
	}
	return m
}

func requireField(t *testing.T, kind, name, sample string) {
	t.Helper()
	txt, ok := explain.LookupField(kind, name)
	if !ok {
		t.Errorf("%s field %q (from %s) has no explanation", kind, name, filepath.Base(sample))
		return
	}
	requireBoth(t, kind+"/"+name, txt)
}

// runtimeKeys lists every key of a runtime-claims JSON as the Read report page shows it.
func runtimeKeys(t *testing.T, raw map[string]any, rc *hcl.RuntimeClaims) []string {
	var out []string
	for k := range raw {
		out = append(out, k)
	}
	for _, k := range rc.Keys {
		out = append(out, k.Kid)
	}
	for k := range rc.VMConfigRaw {
		out = append(out, "vm-configuration."+k)
	}
	return out
}

func TestFieldsOfRealSamplesAreExplained(t *testing.T) {
	for _, p := range globReal(t, "az*-hcl-*.bin") {
		b, _ := os.ReadFile(p)
		rep, err := hcl.Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, k := range runtimeKeys(t, rep.RuntimeClaims.Raw, rep.RuntimeClaims) {
			requireField(t, explain.KindRuntime, k, p)
		}
		if raw := rep.SNPReport(); raw != nil {
			r, err := snp.Parse(raw)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			for _, f := range r.Fields() {
				requireField(t, explain.KindSNP, f.Name, p)
			}
		}
		if raw := rep.TDReport(); raw != nil {
			r, err := tdx.ParseTDReport(raw)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			for _, f := range r.Fields() {
				requireField(t, explain.KindTDReport, f.Name, p)
			}
		}
	}
	vardata := readReal(t, "azcvm-hcl-vardata-kinvolk.json")
	rc, err := hcl.ParseRuntimeClaims(vardata)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range runtimeKeys(t, rc.Raw, rc) {
		requireField(t, explain.KindRuntime, k, "azcvm-hcl-vardata-kinvolk.json")
	}

	r, err := snp.Parse(readReal(t, "snp-report-gosevguest.bin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Fields() {
		requireField(t, explain.KindSNP, f.Name, "snp-report-gosevguest.bin")
	}
	for _, name := range []string{"aztdx-tdquote-trustee-6332533d.bin", "tdx-quote-dcaprs-00806f050000.bin"} {
		q, err := tdx.ParseQuote(readReal(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, f := range q.Fields() {
			requireField(t, explain.KindTDQuote, f.Name, name)
		}
	}
	for _, p := range globReal(t, "*.msg.bin") {
		b, _ := os.ReadFile(p)
		a, err := tpmquote.ParseAttest(b)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, f := range a.Fields() {
			requireField(t, explain.KindAttest, f.Name, p)
		}
	}
	// No real AK certificate is published; the field names do not depend on the issuer, and
	// the vendor certificates exercise the optional AIA and CRL rows.
	var certs int
	for _, p := range append(globReal(t, "*.pem"), globReal(t, "*.der")...) {
		b, _ := os.ReadFile(p)
		list, err := evidence.ParseCertificates(b)
		if err != nil {
			continue // a CRL or a public key
		}
		for _, c := range list {
			certs++
			for _, f := range akcert.Fields(c) {
				requireField(t, explain.KindAKCert, f.Name, p)
			}
		}
	}
	if certs < 5 {
		t.Errorf("only %d real certificates parsed", certs)
	}
}

func TestEveryEventTypeIsExplained(t *testing.T) {
	for typ := range tcg.EventTypeNames {
		name := eventlog.TypeName(uint32(typ))
		requireBoth(t, "event type "+name, explain.EventType(name))
	}
	unknown := eventlog.TypeName(0x7777)
	requireBoth(t, "unknown event type", explain.EventType(unknown))
	if !strings.Contains(explain.EventType(unknown).EN, "0x00007777") {
		t.Errorf("unknown type explanation %q does not name the type", explain.EventType(unknown).EN)
	}
	for _, p := range globReal(t, "*eventlog*.bin") {
		b, _ := os.ReadFile(p)
		l, err := eventlog.Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for e := range l.Events() {
			if explain.EventType(e.TypeName).Empty() {
				t.Errorf("%s event #%d type %s has no explanation", filepath.Base(p), e.Index, e.TypeName)
			}
		}
	}
}

// rcByIdent resolves the go-tpm identifiers hw/tpm/errors.go explains. A new identifier
// there fails the test until it is added here and to the catalog.
var rcByIdent = map[string]tpm2.TPMRC{
	"TPMRCNVUninitialized": tpm2.TPMRCNVUninitialized, "TPMRCHandle": tpm2.TPMRCHandle,
	"TPMRCPolicyFail": tpm2.TPMRCPolicyFail, "TPMRCPolicy": tpm2.TPMRCPolicy,
	"TPMRCPCRChanged": tpm2.TPMRCPCRChanged, "TPMRCLocality": tpm2.TPMRCLocality,
	"TPMRCNVLocked": tpm2.TPMRCNVLocked, "TPMRCNVAuthorization": tpm2.TPMRCNVAuthorization,
	"TPMRCAuthFail": tpm2.TPMRCAuthFail, "TPMRCBadAuth": tpm2.TPMRCBadAuth,
	"TPMRCLockout": tpm2.TPMRCLockout, "TPMRCAuthMissing": tpm2.TPMRCAuthMissing,
	"TPMRCNVRange": tpm2.TPMRCNVRange, "TPMRCNVSize": tpm2.TPMRCNVSize,
	"TPMRCNVSpace": tpm2.TPMRCNVSpace, "TPMRCNVDefined": tpm2.TPMRCNVDefined,
	"TPMRCSize": tpm2.TPMRCSize, "TPMRCValue": tpm2.TPMRCValue,
	"TPMRCAttributes": tpm2.TPMRCAttributes, "TPMRCScheme": tpm2.TPMRCScheme,
	"TPMRCKey": tpm2.TPMRCKey, "TPMRCHierarchy": tpm2.TPMRCHierarchy,
	"TPMRCCommandCode": tpm2.TPMRCCommandCode, "TPMRCInitialize": tpm2.TPMRCInitialize,
	"TPMRCFailure": tpm2.TPMRCFailure, "TPMRCRetry": tpm2.TPMRCRetry,
	"TPMRCNVRate": tpm2.TPMRCNVRate, "TPMRCNVUnavailable": tpm2.TPMRCNVUnavailable,
	"TPMRCTesting": tpm2.TPMRCTesting, "TPMRCObjectMemory": tpm2.TPMRCObjectMemory,
	"TPMRCSessionMemory": tpm2.TPMRCSessionMemory,
}

// TestEveryTPMErrorNameHasKorean reads the names hw/tpm gives its errors from its source:
// the go-tpm response codes it explains (named as go-tpm names them, which is what
// hw/tpm shows) and its own device error names.
func TestEveryTPMErrorNameHasKorean(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "hw", "tpm", "errors.go"))
	if err != nil {
		t.Skipf("hw/tpm/errors.go not readable: %v", err)
	}
	var names []string
	for _, m := range regexp.MustCompile(`tpm2\.(TPMRC\w+):`).FindAllSubmatch(src, -1) {
		rc, ok := rcByIdent[string(m[1])]
		if !ok {
			t.Errorf("hw/tpm explains tpm2.%s; add it to rcByIdent and the catalog", m[1])
			continue
		}
		name := rc.Error()
		if i := strings.IndexAny(name, " :"); i > 0 {
			name = name[:i]
		}
		names = append(names, name)
	}
	for _, m := range regexp.MustCompile(`Name(?:\s*=\s*|:\s*)"([A-Z_]+)"`).FindAllSubmatch(src, -1) {
		names = append(names, string(m[1]))
	}
	if len(names) < 30 {
		t.Fatalf("found only %d error names in hw/tpm/errors.go: %v", len(names), names)
	}
	for _, n := range names {
		m, h := explain.TPMError(n)
		if m.KO == "" || h.KO == "" || !checktest.HasHangul(m.KO) {
			t.Errorf("TPM error %s has no Korean explanation", n)
		}
	}
}
