package tdx

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/hcl"
)

// realDir is ../shared/testdata/real relative to the repository root.
func realDir(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata", "real")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real evidence folder %s is absent; these tests need ../shared/testdata/real next to the repository", dir)
	}
	return dir
}

func readReal(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join(realDir(t), name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return b
}

const (
	azureQuoteFile = "aztdx-tdquote-trustee-6332533d.bin"
	azureHCLFile   = "aztdx-hcl-trustee-6332533d.bin"
	dcapQuoteFile  = "tdx-quote-dcaprs-00806f050000.bin"
)

// collateralDate lies inside the sample collateral's validity (issued 2025-02-13, next
// update 2025-03-15) and the TCB signing certificate's (expired 2025-05-21).
var collateralDate = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

func realCollateral(t testing.TB) *Collateral {
	return &Collateral{
		TCBInfo:      readReal(t, "intel-tdx-tcbinfo-00806f050000.json"),
		QEIdentity:   readReal(t, "intel-tdx-qeidentity.json"),
		SigningChain: readReal(t, "intel-tcb-signing-chain.pem"),
		PCKCRL:       readReal(t, "intel-pck-platform-crl.der"),
		RootCRL:      readReal(t, "intel-root-ca-crl.der"),
	}
}

func azureQuote(t testing.TB) *Quote {
	q, err := ParseQuote(readReal(t, azureQuoteFile))
	if err != nil {
		t.Fatalf("ParseQuote(%s): %v", azureQuoteFile, err)
	}
	return q
}

func azureTDReport(t testing.TB) *TDReport {
	rep, err := hcl.Parse(readReal(t, azureHCLFile))
	if err != nil {
		t.Fatalf("hcl.Parse: %v", err)
	}
	td, err := ParseTDReport(rep.TDReport())
	if err != nil {
		t.Fatalf("ParseTDReport: %v", err)
	}
	return td
}
