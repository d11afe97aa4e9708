package tdx

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/google/go-tdx-guest/pcs"
)

var wantAdvisories = "advisories INTEL-SA-00960, INTEL-SA-00982, INTEL-SA-00986"

// Under Intel's matching rule (QVL isTdxTcbHigherOrEqual, go-tdx-guest verify) a quote whose
// TEE_TCB_SVN[1] names a TDX module version has components 0 and 1 judged by that module's
// identity, not by the platform levels. Both real quotes then land on the 2023-08-09
// OutOfDate level.
func TestTCBRealQuotesOutOfDate(t *testing.T) {
	for _, tc := range []struct {
		file, module string
	}{
		// Azure: TEE_TCB_SVN 02.01.06, SGX 6.6.2.2.3.1.0.3: platform level OutOfDate and TDX_01 SVN 2 OutOfDate.
		{azureQuoteFile, "TDX module TDX_01 SVN 2: level isvsvn 2 OutOfDate"},
		// dcap-rs: TEE_TCB_SVN 04.01.07 but SGX components 6.6 < 7.7: platform OutOfDate, module UpToDate.
		{dcapQuoteFile, "TDX module TDX_01 SVN 4: level isvsvn 4 UpToDate"},
	} {
		q, err := ParseQuote(readReal(t, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		c := EvaluateTCB(q, Options{Now: collateralDate, Collateral: realCollateral(t)})
		if c.Verdict != check.Warn || !strings.Contains(c.Summary, "TCB OutOfDate") || !strings.Contains(c.Summary, wantAdvisories) {
			t.Errorf("%s: %v\n%s", tc.file, c, strings.Join(c.Details, "\n"))
		}
		if !slices.Contains(c.Details, tc.module) {
			t.Errorf("%s: details lack %q:\n%s", tc.file, tc.module, strings.Join(c.Details, "\n"))
		}
		if !slices.ContainsFunc(c.Details, func(d string) bool { return strings.HasPrefix(d, "PCK CRL") && strings.Contains(d, "no certificate") }) {
			t.Errorf("%s: CRL result missing from details", tc.file)
		}
	}
}

// Comparing all sixteen TDX components (TDX 1.0 semantics, TEE_TCB_SVN[1] = 0) puts the Azure
// module SVN 2 below every level's 3: no level matches, which must fail.
func TestTCBNoMatchingLevelFails(t *testing.T) {
	q := azureQuote(t)
	q.Proto.TdQuoteBody.TeeTcbSvn = []byte{2, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	c := EvaluateTCB(q, Options{Now: collateralDate, Collateral: realCollateral(t)})
	if c.Verdict != check.Fail || !strings.Contains(c.Summary, "no TCB level") {
		t.Errorf("%v", c)
	}
}

func TestTCBCollateralTimeAndTampering(t *testing.T) {
	q := azureQuote(t)

	late := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	c := EvaluateTCB(q, Options{Now: late, Collateral: realCollateral(t)})
	if c.Verdict != check.Warn || !strings.Contains(c.Summary, "not valid at the verification time") {
		t.Errorf("after the signing certificate expired: %v", c)
	}
	if !slices.ContainsFunc(c.Details, func(d string) bool { return strings.Contains(d, "to 2025-05-21") }) {
		t.Errorf("details must name the signing certificate's expiry:\n%s", strings.Join(c.Details, "\n"))
	}

	bad := realCollateral(t)
	bad.TCBInfo = bytes.Replace(bad.TCBInfo, []byte(`"OutOfDate"`), []byte(`"UpToDate" `), 1)
	if c := EvaluateTCB(q, Options{Now: collateralDate, Collateral: bad}); c.Verdict != check.Fail || !strings.Contains(c.Summary, "TCB info signature does not verify") {
		t.Errorf("edited TCB info: %v", c)
	}
	bad = realCollateral(t)
	bad.QEIdentity = bytes.Replace(bad.QEIdentity, []byte(`"isvprodid":2`), []byte(`"isvprodid":3`), 1)
	if c := EvaluateTCB(q, Options{Now: collateralDate, Collateral: bad}); c.Verdict != check.Fail || !strings.Contains(c.Summary, "QE identity signature") {
		t.Errorf("edited QE identity: %v", c)
	}
	bad = realCollateral(t)
	bad.TCBInfo, bad.QEIdentity = bad.QEIdentity, bad.TCBInfo
	if c := EvaluateTCB(q, Options{Now: collateralDate, Collateral: bad}); c.Verdict != check.Fail {
		t.Errorf("swapped files: %v", c)
	}
	bad = realCollateral(t)
	bad.SigningChain = readReal(t, "intel-pck-chain-from-aztdx-trustee-6332533d.pem")
	if c := EvaluateTCB(q, Options{Now: collateralDate, Collateral: bad}); c.Verdict != check.Fail {
		t.Errorf("PCK chain given as the TCB signing chain: %v", c)
	}
	bad = realCollateral(t)
	bad.PCKCRL = readReal(t, "intel-root-ca-crl.der")
	if c := EvaluateTCB(q, Options{Now: collateralDate, Collateral: bad}); c.Verdict != check.Fail || !strings.Contains(c.Summary, "revocation lists") {
		t.Errorf("root CRL given as the PCK CRL: %v", c)
	}
}

func TestTCBWithoutCRLs(t *testing.T) {
	col := realCollateral(t)
	col.PCKCRL, col.RootCRL = nil, nil
	c := EvaluateTCB(azureQuote(t), Options{Now: collateralDate, Collateral: col})
	if c.Verdict != check.Warn || !slices.Contains(c.Details, "revocation not checked: no PCK or root CRL supplied") {
		t.Errorf("%v %v", c, c.Details)
	}
}

func TestConverge(t *testing.T) {
	for _, tc := range []struct{ platform, component, want string }{
		{"UpToDate", "UpToDate", "UpToDate"},
		{"UpToDate", "OutOfDate", "OutOfDate"},
		{"ConfigurationNeeded", "OutOfDate", "OutOfDateConfigurationNeeded"},
		{"SWHardeningNeeded", "UpToDate", "SWHardeningNeeded"},
		{"OutOfDate", "Revoked", "Revoked"},
		{"UpToDate", "ConfigurationNeeded", "ConfigurationNeeded"},
	} {
		if got := converge(pcsStatus(tc.platform), pcsStatus(tc.component)); string(got) != tc.want {
			t.Errorf("converge(%s, %s) = %s, want %s", tc.platform, tc.component, got, tc.want)
		}
	}
}

func pcsStatus(s string) pcs.TcbComponentStatus { return pcs.TcbComponentStatus(s) }

func TestTCBGarbledCollateralFailsCleanly(t *testing.T) {
	q := azureQuote(t)
	good := realCollateral(t)
	for name, col := range map[string]*Collateral{
		"empty":               {},
		"not JSON":            {TCBInfo: []byte("garbage"), QEIdentity: good.QEIdentity, SigningChain: good.SigningChain},
		"truncated TCB info":  {TCBInfo: good.TCBInfo[:len(good.TCBInfo)/2], QEIdentity: good.QEIdentity, SigningChain: good.SigningChain},
		"no signature":        {TCBInfo: []byte(`{"tcbInfo":{}}`), QEIdentity: good.QEIdentity, SigningChain: good.SigningChain},
		"chain not PEM":       {TCBInfo: good.TCBInfo, QEIdentity: good.QEIdentity, SigningChain: []byte("-----BEGIN nonsense")},
		"CRL garbage":         {TCBInfo: good.TCBInfo, QEIdentity: good.QEIdentity, SigningChain: good.SigningChain, PCKCRL: []byte{0x30, 0x03, 0x01}},
		"signing chain alone": {TCBInfo: good.TCBInfo, QEIdentity: good.QEIdentity, SigningChain: good.SigningChain[:len(good.SigningChain)/2]},
	} {
		c := EvaluateTCB(q, Options{Now: collateralDate, Collateral: col})
		if c.Verdict != check.Fail || c.ID != CheckTCB {
			t.Errorf("%s: %v", name, c)
		}
	}
}
