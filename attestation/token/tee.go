package token

import (
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
)

const compliantCVM = "azure-compliant-cvm"

var teeNames = map[string]string{"sevsnpvm": "SEV-SNP", "tdxvm": "TDX"}

func verifyTEE(c Claims, expectCVM bool) check.Check {
	typ := c.AttestationType()
	switch typ {
	case "azurevm":
		iso := c.IsolationTEE()
		if iso == nil {
			if expectCVM {
				return check.Warnf(IDTEE, "Trusted Launch VM, no hardware TEE claim (a Confidential VM was expected)").
					WithDetails("the token has no x-ms-isolation-tee: MAA attested the vTPM and boot state only")
			}
			return check.Passf(IDTEE, "Trusted Launch VM, no hardware TEE claim (vTPM and boot state attested)")
		}
		nested, _ := iso["x-ms-attestation-type"].(string)
		status, _ := iso["x-ms-compliance-status"].(string)
		return teeVerdict(nested, status, "x-ms-isolation-tee.", "Confidential VM (%s)")
	case "sevsnpvm", "tdxvm":
		status, _ := c.String("x-ms-compliance-status")
		return teeVerdict(typ, status, "", "%s platform token (hardware evidence only, no vTPM or OS claims)")
	case "":
		return check.Failf(IDTEE, "no x-ms-attestation-type claim; cannot tell what was attested")
	}
	return check.Warnf(IDTEE, "not an Azure VM token: x-ms-attestation-type %q", typ).
		WithDetails("Azure VM tokens say azurevm (AzureGuest), sevsnpvm or tdxvm")
}

func teeVerdict(typ, status, prefix, passFmt string) check.Check {
	name, ok := teeNames[typ]
	if !ok {
		return check.Failf(IDTEE, "%sx-ms-attestation-type %q is neither sevsnpvm nor tdxvm", prefix, typ)
	}
	if status != compliantCVM {
		return check.Failf(IDTEE, "%s: %sx-ms-compliance-status %q, want %s", name, prefix, status, compliantCVM).
			WithDetails("MAA did not judge the host and platform a healthy Azure Confidential VM")
	}
	return check.Passf(IDTEE, passFmt, name).
		WithDetails(prefix + "x-ms-compliance-status " + compliantCVM)
}

func verifyNonce(c Claims, nonce []byte) check.Check {
	if nonce == nil {
		return check.Skipf(IDNonce, "no nonce was sent, so freshness by nonce was not checked")
	}
	want := base64.StdEncoding.EncodeToString(nonce)
	if got, ok := c.String("x-ms-runtime", "client-payload", "nonce"); ok {
		if got != want {
			return check.Failf(IDNonce, "x-ms-runtime.client-payload.nonce %q, want %q (base64 of the nonce sent)", got, want)
		}
		return check.Passf(IDNonce, "x-ms-runtime.client-payload.nonce echoes the nonce sent (%s)", want)
	}
	// Platform endpoints copy the request's nonce field unchanged into a top-level claim.
	if got, ok := c.String("nonce"); ok {
		if got != string(nonce) {
			return check.Failf(IDNonce, "nonce claim %q, want %q", got, string(nonce))
		}
		return check.Passf(IDNonce, "nonce claim echoes the nonce sent")
	}
	return check.Failf(IDNonce, "a nonce was sent but the token has no x-ms-runtime.client-payload.nonce")
}

func verifyUserData(c Claims, userData []byte) check.Check {
	if userData == nil {
		return check.Skipf(IDUserData, "no user data was written, so the report-data binding was not checked")
	}
	want := hex.EncodeToString(userData)
	for _, p := range [][]string{
		{"x-ms-isolation-tee", "x-ms-runtime", "user-data"},
		{"x-ms-runtime", "user-data"},
	} {
		got, ok := c.String(p...)
		if !ok {
			continue
		}
		name := strings.Join(p, ".")
		if !strings.EqualFold(got, want) {
			return check.Failf(IDUserData, "%s differs from the %d bytes written", name, len(userData)).
				WithDetails("token: "+got, "want:  "+strings.ToUpper(want))
		}
		return check.Passf(IDUserData, "%s equals the %d bytes written (hex, case-insensitive)", name, len(userData))
	}
	return check.Failf(IDUserData, "user data was written but the token carries no x-ms-runtime.user-data")
}

// CompliantCVM reports whether the token says MAA judged the VM a compliant Azure
// Confidential VM (SEV-SNP or TDX), and which: the nested x-ms-isolation-tee of an AzureGuest
// token or the flat claims of a platform token. A Trusted Launch token is not one.
func (c Claims) CompliantCVM() (tee string, ok bool) {
	typ, status := c.AttestationType(), ""
	switch typ {
	case "azurevm":
		iso := c.IsolationTEE()
		if iso == nil {
			return "", false
		}
		typ, _ = iso["x-ms-attestation-type"].(string)
		status, _ = iso["x-ms-compliance-status"].(string)
	case "sevsnpvm", "tdxvm":
		status, _ = c.String("x-ms-compliance-status")
	default:
		return "", false
	}
	name, known := teeNames[typ]
	return name, known && status == compliantCVM
}
