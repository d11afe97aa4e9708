package compare

import (
	"strings"

	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/token"
)

// tokenView knows where a kind of token keeps its claims: an AzureGuest token ("azurevm")
// nests the hardware claims and the paravisor's runtime claims in x-ms-isolation-tee and
// keeps its own x-ms-runtime (client payload, ephemeral key) at the top; a SevSnpVm or
// TdxVm platform token has all of them at the top level.
type tokenView struct {
	c     token.Claims
	guest bool
	tee   map[string]any
}

const isoPrefix = "x-ms-isolation-tee."

func newTokenView(c token.Claims) tokenView {
	return tokenView{c: c, guest: c.AttestationType() == "azurevm", tee: c.IsolationTEE()}
}

// teeClaim finds a hardware claim: nested first, then at the top level. When it is absent,
// path is where this kind of token would carry it.
func (t tokenView) teeClaim(name string) (path string, v any, ok bool) {
	if t.tee != nil {
		if v, ok := t.tee[name]; ok && v != nil {
			return isoPrefix + name, v, true
		}
	}
	if v := t.c.Get(name); v != nil {
		return name, v, true
	}
	if t.guest {
		return isoPrefix + name, nil, false
	}
	return name, nil, false
}

// firstTEEClaim returns the first of several alternative claims that is present.
func (t tokenView) firstTEEClaim(names ...string) (string, any, bool) {
	for _, n := range names {
		if p, v, ok := t.teeClaim(n); ok {
			return p, v, true
		}
	}
	p, _, _ := t.teeClaim(names[0])
	return p, nil, false
}

// runtimePaths are where the paravisor's runtime claims sit, most specific first: nested in
// an AzureGuest token, at the top of a platform token. The top-level x-ms-runtime of an
// AzureGuest token is MAA's own (client payload, ephemeral key), so it comes second there.
func (t tokenView) runtimePaths() [][]string {
	nested := []string{"x-ms-isolation-tee", "x-ms-runtime"}
	flat := []string{"x-ms-runtime"}
	if t.guest {
		return [][]string{nested, flat}
	}
	return [][]string{flat, nested}
}

// runtimeClaim finds a key of the paravisor's runtime claims (e.g. "user-data",
// "vm-configuration", "keys").
func (t tokenView) runtimeClaim(key ...string) (path string, v any, ok bool) {
	paths := t.runtimePaths()
	for _, base := range paths {
		p := append(append([]string(nil), base...), key...)
		if v := t.c.Get(p...); v != nil {
			return strings.Join(p, "."), v, true
		}
	}
	return strings.Join(append(append([]string(nil), paths[0]...), key...), "."), nil, false
}

// teeKind is the TEE the token speaks of, as an evidence.TEE, with the claim that says so
// and its text. A token of another service (sgx) keeps its own name.
func (t tokenView) teeKind() (kind evidence.TEE, path, text string, ok bool) {
	typ := t.c.AttestationType()
	switch {
	case typ == "":
		return "", "x-ms-attestation-type", "", false
	case typ == "azurevm" && t.tee == nil:
		return evidence.TEETrustedLaunch, "x-ms-isolation-tee", "azurevm, no x-ms-isolation-tee", true
	case typ == "azurevm":
		nested, _ := t.tee["x-ms-attestation-type"].(string)
		return teeOf(nested), isoPrefix + "x-ms-attestation-type", nested, nested != ""
	}
	return teeOf(typ), "x-ms-attestation-type", typ, true
}

func teeOf(typ string) evidence.TEE {
	switch typ {
	case "sevsnpvm":
		return evidence.TEESEVSNP
	case "tdxvm":
		return evidence.TEETDX
	}
	return evidence.TEE(typ)
}
