package token

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// Check ids reported by Verify.
const (
	IDSignature = "jwt.signature"
	IDIssuer    = "jwt.issuer"
	IDLifetime  = "jwt.lifetime"
	IDVersion   = "jwt.version"
	IDTEE       = "jwt.tee"
	IDNonce     = "jwt.nonce"
	IDUserData  = "jwt.user-data"
)

// MinRSABits is the smallest RSA modulus a signing key may have.
const MinRSABits = 2048

// DefaultLeeway absorbs clock skew between this machine and MAA.
const DefaultLeeway = 60 * time.Second

// Options configure Verify.
type Options struct {
	// Keys supplies signing keys; nil makes jwt.signature fail as unverifiable.
	Keys *Keys
	// Issuer is the provider called or given with -a, normalized by NormalizeBase.
	// Empty leaves the issuer unpinned (a warning).
	Issuer string
	// Now is when the lifetime is evaluated; zero means time.Now().
	Now time.Time
	// Leeway for exp/nbf/iat; zero means DefaultLeeway, negative means none.
	Leeway time.Duration
	// ExpectCVM says the caller expects a Confidential VM: a Trusted Launch token then warns.
	ExpectCVM bool
	// Nonce, when non-nil, must come back in x-ms-runtime.client-payload.nonce (base64).
	Nonce []byte
	// UserData, when non-nil, must equal x-ms-runtime.user-data (hex, any case).
	UserData []byte
	// NoKeysReason says why Keys is nil, for the check's details.
	NoKeysReason string
	// Context bounds key fetches; nil means context.Background().
	Context context.Context
	// AcceptIssuer decides an issuer when none is pinned (Issuer empty): it returns why
	// the caller accepts iss (an explicit --any-azure-provider or --trust-simulated), or ""
	// to refuse it. Nil refuses every unpinned issuer.
	AcceptIssuer func(iss string) string
}

// Verify runs every token check. It never stops early: each check reports on its own so
// that a reader sees all that is wrong at once.
func Verify(tok *Token, opts Options) check.List {
	return check.List{
		verifySignature(tok, opts),
		verifyIssuer(tok.Claims, opts.Issuer, opts.AcceptIssuer),
		verifyLifetime(tok.Claims, opts),
		verifyVersion(tok.Claims),
		verifyTEE(tok.Claims, opts.ExpectCVM),
		verifyNonce(tok.Claims, opts.Nonce),
		verifyUserData(tok.Claims, opts.UserData),
	}
}

func verifySignature(tok *Token, opts Options) check.Check {
	h := tok.Header
	if h.Alg != "RS256" {
		return check.Failf(IDSignature, "signature rejected: alg %q is not RS256, the only algorithm MAA signs with", h.Alg).
			WithDetails("tokens with alg none, HS* or any other algorithm are never accepted")
	}
	if h.Crit != "" {
		return check.Failf(IDSignature, "signature rejected: header crit %s names JWS extensions cvmscope does not implement", h.Crit).
			WithDetails("RFC 7515 §4.1.11: a verifier that does not understand a critical extension must reject the JWS; MAA never sets crit")
	}
	if _, ok := h.Params["b64"]; ok {
		return check.Failf(IDSignature, "signature rejected: header b64 (RFC 7797 unencoded payload) changes what is signed; MAA never sets it")
	}
	if opts.Keys == nil {
		// The reason is the summary: it is what a person must act on.
		if opts.NoKeysReason != "" {
			return check.Failf(IDSignature, "signature not verified: %s", opts.NoKeysReason)
		}
		return check.Failf(IDSignature, "signature not verified: no key source (give --jwks FILE or pin a provider with -a)")
	}
	if want := expectedJku(opts); want != "" && h.Jku != "" && !sameJWKSURL(h.Jku, want) {
		return check.Failf(IDSignature, "signature not verified: header jku %s is not the configured provider's %s", h.Jku, want).
			WithDetails("the jku was not fetched: keys are taken only from the configured provider")
	}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	key, err := opts.Keys.Lookup(ctx, h.Kid)
	if err != nil {
		var nf *KeyNotFoundError
		if errors.As(err, &nf) {
			return check.Failf(IDSignature, "signature not verified: key %s is not published by %s", h.Kid, nf.Source).
				WithDetails("available kids: " + strings.Join(nf.Available, ", "))
		}
		return check.Failf(IDSignature, "signature not verified: keys unavailable from %s: %v", opts.Keys.Source(), err)
	}
	// Checked here, not left to crypto/rsa: Go refuses only keys under 1024 bits, and
	// GODEBUG=rsa1024min=0 lifts even that, while a 1024-bit key is within reach of a
	// well-funded factoring effort. MAA signs with 2048-bit keys.
	if bits := key.Public.N.BitLen(); bits < MinRSABits {
		return check.Failf(IDSignature, "signature rejected: key %s from %s is a %d-bit RSA key; cvmscope requires at least %d bits", h.Kid, opts.Keys.Source(), bits, MinRSABits).
			WithDetails("RSA keys under 2048 bits are below current guidance (NIST SP 800-131A) and can be factored; this holds whatever GODEBUG rsa1024min says")
	}
	if _, err := jws.Verify([]byte(tok.Compact), jws.WithKey(jwa.RS256, key.Public)); err != nil {
		return check.Failf(IDSignature, "RS256 signature does not verify with key %s from %s", h.Kid, opts.Keys.Source()).
			WithDetails(err.Error())
	}
	c := check.Passf(IDSignature, "RS256 signature verifies with key %s from %s (trust rests on that source)", h.Kid, opts.Keys.Source())
	if key.Cert != nil {
		c = c.WithDetails(fmt.Sprintf("key taken from x5c[0]: subject %s, valid until %s",
			key.Cert.Subject, key.Cert.NotAfter.UTC().Format(time.DateOnly)))
	}
	for _, p := range []string{"x5c", "jwk", "x5u"} {
		if _, ok := h.Params[p]; ok {
			c = c.WithDetails("the header's own " + p + " was ignored: a token cannot vouch for its own key")
		}
	}
	return c
}

// expectedJku is the certs URL of the configured provider: the one keys are fetched from,
// else the pinned issuer when keys come from a file.
func expectedJku(opts Options) string {
	if p := opts.Keys.Provider(); p != nil {
		return p.CertsURL()
	}
	if opts.Issuer != "" {
		return opts.Issuer + "/certs"
	}
	return ""
}

// sameJWKSURL compares a jku with the expected certs URL ignoring host case and a
// trailing slash; any other difference (scheme, port, path, query) is a mismatch.
func sameJWKSURL(jku, want string) bool {
	u, err := url.Parse(jku)
	if err != nil || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	got := u.Scheme + "://" + strings.ToLower(u.Host) + strings.TrimSuffix(u.Path, "/")
	return got == want
}

func verifyIssuer(c Claims, want string, accept func(string) string) check.Check {
	iss, ok := c.String("iss")
	if !ok {
		return check.Failf(IDIssuer, "no iss claim: the token does not say which provider issued it")
	}
	if want == "" {
		if accept != nil {
			if why := accept(iss); why != "" {
				return check.Passf(IDIssuer, "issuer %s accepted without a pinned provider: %s", iss, why)
			}
		}
		// A token names its own issuer; believing it would let anyone's provider vouch.
		return check.Failf(IDIssuer, "issuer not pinned: the token says %s, and nothing you gave says to trust it", iss).
			WithDetails(fmt.Sprintf("if you trust that provider, add: -a %s", pinHint(iss)))
	}
	if iss != want {
		return check.Failf(IDIssuer, "issuer %s is not the pinned provider %s", iss, want).
			WithDetails("providers may share signing keys but enforce different policies, so iss must match exactly")
	}
	return check.Passf(IDIssuer, "issuer %s is the pinned provider", iss)
}

func verifyLifetime(c Claims, opts Options) check.Check {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	leeway := opts.Leeway
	if leeway == 0 {
		leeway = DefaultLeeway
	} else if leeway < 0 {
		leeway = 0
	}
	exp, okE := c.Int("exp")
	if !okE {
		return check.Failf(IDLifetime, "no integer exp claim: the token never expires, which MAA never issues")
	}
	expT := time.Unix(exp, 0).UTC()
	at := fmt.Sprintf("checked at %s with %s leeway", fmtTime(now), leeway)
	var problems []string
	window := "until " + fmtTime(expT)
	if nbf, ok := c.Int("nbf"); ok {
		nbfT := time.Unix(nbf, 0).UTC()
		window = fmtTime(nbfT) + " to " + fmtTime(expT)
		if now.Add(leeway).Before(nbfT) {
			problems = append(problems, fmt.Sprintf("not valid before %s (%s from now)", fmtTime(nbfT), nbfT.Sub(now).Round(time.Second)))
		}
	}
	if iat, ok := c.Int("iat"); ok {
		iatT := time.Unix(iat, 0).UTC()
		if now.Add(leeway).Before(iatT) {
			problems = append(problems, fmt.Sprintf("issued in the future (iat %s)", fmtTime(iatT)))
		}
		if iatT.After(expT) {
			problems = append(problems, fmt.Sprintf("iat %s is after exp", fmtTime(iatT)))
		}
	}
	if now.Add(-leeway).After(expT) {
		problems = append(problems, fmt.Sprintf("expired %s ago", now.Sub(expT).Round(time.Second)))
	}
	if len(problems) > 0 {
		return check.Failf(IDLifetime, "valid %s: %s", window, strings.Join(problems, "; ")).WithDetails(at)
	}
	return check.Passf(IDLifetime, "valid %s; expires in %s", window, expT.Sub(now).Round(time.Second)).WithDetails(at)
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func verifyVersion(c Claims) check.Check {
	v, ok := c.String("x-ms-ver")
	switch {
	case !ok:
		return check.Failf(IDVersion, "no x-ms-ver claim; not an MAA token schema cvmscope knows")
	case v != "1.0":
		return check.Failf(IDVersion, "x-ms-ver %q, want \"1.0\"; claims may mean something else in this schema", v)
	}
	return check.Passf(IDVersion, "x-ms-ver 1.0 (MAA token schema)")
}

// pinHint is the -a value that pins iss, or iss itself when it is not a URL.
func pinHint(iss string) string {
	if b, err := NormalizeBase(iss); err == nil {
		return b
	}
	return iss
}
