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
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/internal/certs"
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

// MaxRSABits is the largest (MAA signs with 2048-bit keys): one limit for every RSA key
// cvmscope checks a signature with.
const MaxRSABits = certs.MaxRSABits

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
	// NoKeysReason says why Keys is nil, for the check's details; NoKeysReasonKO is the
	// same in Korean (empty shows the English in Korean output too).
	NoKeysReason, NoKeysReasonKO string
	// Context bounds key fetches; nil means context.Background().
	Context context.Context
	// AcceptIssuer decides an issuer when none is pinned (Issuer empty): it returns why
	// the caller accepts iss (an explicit --any-azure-provider or --trust-simulated), or ""
	// to refuse it. Nil refuses every unpinned issuer.
	AcceptIssuer func(iss string) string
	// AcceptIssuerKO returns AcceptIssuer's reason in Korean; nil or "" shows the English.
	AcceptIssuerKO func(iss string) string
}

// Verify runs every token check. It never stops early: each check reports on its own so
// that a reader sees all that is wrong at once.
func Verify(tok *Token, opts Options) check.List {
	return check.List{
		verifySignature(tok, opts),
		verifyIssuer(tok.Claims, opts.Issuer, opts.AcceptIssuer, opts.AcceptIssuerKO),
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
			KO("서명 거부: alg %q는 RS256이 아닙니다. MAA는 RS256으로만 서명합니다", h.Alg).
			WithDetail("tokens with alg none, HS* or any other algorithm are never accepted",
				"alg가 none, HS* 또는 그 밖의 알고리즘인 토큰은 절대 받아들이지 않습니다")
	}
	if h.Crit != "" {
		return check.Failf(IDSignature, "signature rejected: header crit %s names JWS extensions cvmscope does not implement", h.Crit).
			KO("서명 거부: 헤더 crit %s가 cvmscope가 구현하지 않은 JWS 확장을 요구합니다", h.Crit).
			WithDetail("RFC 7515 §4.1.11: a verifier that does not understand a critical extension must reject the JWS; MAA never sets crit",
				"RFC 7515 §4.1.11: 필수(crit)로 지정된 확장을 이해하지 못하는 검증자는 JWS를 거부해야 합니다. MAA는 crit를 설정하지 않습니다")
	}
	if _, ok := h.Params["b64"]; ok {
		return check.Failf(IDSignature, "signature rejected: header b64 (RFC 7797 unencoded payload) changes what is signed; MAA never sets it").
			KO("서명 거부: 헤더 b64(RFC 7797 인코딩하지 않은 페이로드)는 서명 대상을 바꿉니다. MAA는 b64를 설정하지 않습니다")
	}
	if opts.Keys == nil {
		// The reason is the summary: it is what a person must act on.
		if opts.NoKeysReason != "" {
			reasonKO := opts.NoKeysReasonKO
			if reasonKO == "" {
				reasonKO = opts.NoKeysReason
			}
			return check.Failf(IDSignature, "signature not verified: %s", opts.NoKeysReason).
				KO("서명을 검증하지 않았습니다: %s", reasonKO)
		}
		return check.Failf(IDSignature, "signature not verified: no key source (give --jwks FILE or pin a provider with -a)").
			KO("서명을 검증하지 않았습니다: 키 출처가 없습니다(--jwks FILE을 주거나 -a로 공급자를 고정합니다)")
	}
	if want := expectedJku(opts); want != "" && h.Jku != "" && !sameJWKSURL(h.Jku, want) {
		return check.Failf(IDSignature, "signature not verified: header jku %s is not the configured provider's %s", h.Jku, want).
			KO("서명을 검증하지 않았습니다: 헤더 jku %s는 설정된 공급자의 %s가 아닙니다", h.Jku, want).
			WithDetail("the jku was not fetched: keys are taken only from the configured provider",
				"jku에서는 키를 가져오지 않았습니다. 키는 설정된 공급자에서만 가져옵니다")
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
				KO("서명을 검증하지 않았습니다: %s가 키 %s를 공개하지 않습니다", nf.Source, h.Kid).
				WithDetail("available kids: "+strings.Join(nf.Available, ", "), "공개된 kid: "+strings.Join(nf.Available, ", "))
		}
		msgKO, hintKO := fault.MessageIn(err, "ko")
		c := check.Failf(IDSignature, "signature not verified: keys unavailable from %s: %v", opts.Keys.Source(), err).
			KO("서명을 검증하지 않았습니다: %s에서 키를 가져올 수 없습니다: %s", opts.Keys.Source(), msgKO)
		switch fault.KindOf(err) {
		case fault.Interrupted:
			// Cancelled while fetching: nothing was decided, and the run ends as interrupted.
			c.Unreachable = err
			return c
		case fault.Network:
		default:
			return c
		}
		// Still a failure (nothing vouches for the claims), but one the network decided: a
		// script must be able to tell it from a forged token (exit 3, not 2).
		hint := fault.HintOf(err)
		if hint == "" {
			// An answer that was no key set (429, 5xx, a malformed document): the service, not the network path.
			hint, hintKO = "the provider did not hand out its keys (busy or failing): wait a little and run again, and check the provider URL",
				"공급자가 키를 내주지 않았습니다(혼잡 또는 장애). 잠시 기다렸다가 다시 실행하고 공급자 URL을 확인합니다"
		}
		// The run's error when nothing else failed (ui/cli exitCode): it says the same.
		c.Unreachable = fault.Korean(fault.WithHint(fault.Network, fmt.Errorf("the signing keys of %s could not be fetched, so the token's signature was not checked (a network failure, not a verdict on the token): %w", opts.Keys.Source(), err), hint),
			fmt.Sprintf("%s의 서명 키를 가져오지 못해 토큰 서명을 확인하지 않았습니다(토큰에 대한 판정이 아닌 네트워크 장애입니다): %s", opts.Keys.Source(), msgKO), hintKO)
		return c.WithDetail("a network failure, not a verdict on the token: its signing keys could not be fetched, so the signature was not checked",
			"네트워크 장애이며 토큰에 대한 판정이 아닙니다. 서명 키를 가져오지 못해 서명을 확인하지 않았습니다").
			WithDetail("what to do: "+hint, "조치 방법: "+hintKO)
	}
	// Checked here, not left to crypto/rsa: Go refuses only keys under 1024 bits, and
	// GODEBUG=rsa1024min=0 lifts even that, while a 1024-bit key is within reach of a
	// well-funded factoring effort. MAA signs with 2048-bit keys.
	if bits := key.Public.N.BitLen(); bits < MinRSABits {
		return check.Failf(IDSignature, "signature rejected: key %s from %s is a %d-bit RSA key; cvmscope requires at least %d bits", h.Kid, opts.Keys.Source(), bits, MinRSABits).
			KO("서명 거부: %s의 키 %s는 %d비트 RSA 키입니다. cvmscope는 최소 %d비트를 요구합니다", opts.Keys.Source(), h.Kid, bits, MinRSABits).
			WithDetail("RSA keys under 2048 bits are below current guidance (NIST SP 800-131A) and can be factored; this holds whatever GODEBUG rsa1024min says",
				"2048비트 미만 RSA 키는 현재 권고(NIST SP 800-131A)에 못 미치며 인수분해될 수 있습니다. GODEBUG rsa1024min 설정과 관계없이 적용합니다")
	}
	if bits := key.Public.N.BitLen(); bits > MaxRSABits {
		return check.Failf(IDSignature, "signature rejected: key %s from %s is a %d-bit RSA key; cvmscope accepts at most %d bits", h.Kid, opts.Keys.Source(), bits, MaxRSABits).
			KO("서명 거부: %s의 키 %s는 %d비트 RSA 키입니다. cvmscope는 최대 %d비트까지 받습니다", opts.Keys.Source(), h.Kid, bits, MaxRSABits).
			WithDetail("checking a signature costs the square of the key's size, and crypto/rsa takes any size: a key of millions of bits would keep cvmscope busy for minutes",
				"서명 확인 비용은 키 크기의 제곱이고 crypto/rsa는 크기를 제한하지 않습니다. 수백만 비트 키는 cvmscope를 몇 분 동안 붙잡아 둡니다")
	}
	if _, err := jws.Verify([]byte(tok.Compact), jws.WithKey(jwa.RS256, key.Public)); err != nil {
		// The library's own reason stays as it wrote it: it names the failing step.
		return check.Failf(IDSignature, "RS256 signature does not verify with key %s from %s", h.Kid, opts.Keys.Source()).
			KO("RS256 서명이 %s의 키 %s로 검증되지 않습니다", opts.Keys.Source(), h.Kid).
			WithDetails(err.Error())
	}
	c := check.Passf(IDSignature, "RS256 signature verifies with key %s from %s (trust rests on that source)", h.Kid, opts.Keys.Source()).
		KO("RS256 서명이 %s의 키 %s로 검증됩니다(신뢰는 그 키 출처에 달려 있습니다)", opts.Keys.Source(), h.Kid)
	if key.Cert != nil {
		subject, until := key.Cert.Subject, key.Cert.NotAfter.UTC().Format(time.DateOnly)
		c = c.WithDetail(fmt.Sprintf("key taken from x5c[0]: subject %s, valid until %s", subject, until),
			fmt.Sprintf("x5c[0]에서 가져온 키: 주체 %s, %s까지 유효", subject, until))
	}
	for _, p := range []string{"x5c", "jwk", "x5u"} {
		if _, ok := h.Params[p]; ok {
			c = c.WithDetail("the header's own "+p+" was ignored: a token cannot vouch for its own key",
				"헤더에 있는 "+p+"는 무시했습니다. 토큰은 자기 키를 스스로 보증할 수 없습니다")
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

func verifyIssuer(c Claims, want string, accept, acceptKO func(string) string) check.Check {
	iss, ok := c.String("iss")
	if !ok {
		return check.Failf(IDIssuer, "no iss claim: the token does not say which provider issued it").
			KO("iss 클레임이 없습니다. 토큰이 어느 공급자가 발급했는지 밝히지 않습니다")
	}
	if want == "" {
		if accept != nil {
			if why := accept(iss); why != "" {
				whyKO := why
				if acceptKO != nil {
					if ko := acceptKO(iss); ko != "" {
						whyKO = ko
					}
				}
				return check.Passf(IDIssuer, "issuer %s accepted without a pinned provider: %s", iss, why).
					KO("고정된 공급자 없이 토큰 발급자 %s를 받아들였습니다: %s", iss, whyKO)
			}
		}
		// A token names its own issuer; believing it would let anyone's provider vouch.
		return check.Failf(IDIssuer, "issuer not pinned: the token says %s, and nothing you gave says to trust it", iss).
			KO("토큰 발급자가 고정되지 않았습니다: 토큰은 %s라고 하지만 이를 신뢰하라는 입력이 없습니다", iss).
			WithDetail(fmt.Sprintf("if you trust that provider, add: -a %s", pinHint(iss)),
				fmt.Sprintf("그 공급자를 신뢰한다면 -a %s를 추가합니다", pinHint(iss)))
	}
	if iss != want {
		return check.Failf(IDIssuer, "issuer %s is not the pinned provider %s", iss, want).
			KO("토큰 발급자 %s는 고정된 공급자 %s가 아닙니다", iss, want).
			WithDetail("providers may share signing keys but enforce different policies, so iss must match exactly",
				"공급자끼리 서명 키를 공유해도 정책은 다를 수 있으므로 iss가 정확히 일치해야 합니다")
	}
	return check.Passf(IDIssuer, "issuer %s is the pinned provider", iss).
		KO("토큰 발급자 %s는 고정된 공급자입니다", iss)
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
		return check.Failf(IDLifetime, "no integer exp claim: the token never expires, which MAA never issues").
			KO("정수 exp 클레임이 없습니다. 만료되지 않는 토큰이며 MAA는 이런 토큰을 발급하지 않습니다")
	}
	expT := time.Unix(exp, 0).UTC()
	at := fmt.Sprintf("checked at %s with %s leeway", fmtTime(now), leeway)
	atKO := fmt.Sprintf("%s 기준, 허용 오차 %s로 확인했습니다", fmtTime(now), leeway)
	var problems, problemsKO []string
	window, windowKO := "until "+fmtTime(expT), fmtTime(expT)+"까지"
	if nbf, ok := c.Int("nbf"); ok {
		nbfT := time.Unix(nbf, 0).UTC()
		window = fmtTime(nbfT) + " to " + fmtTime(expT)
		windowKO = fmtTime(nbfT) + "부터 " + fmtTime(expT) + "까지"
		if now.Add(leeway).Before(nbfT) {
			left := nbfT.Sub(now).Round(time.Second)
			problems = append(problems, fmt.Sprintf("not valid before %s (%s from now)", fmtTime(nbfT), left))
			problemsKO = append(problemsKO, fmt.Sprintf("%s 전에는 유효하지 않습니다(지금부터 %s 뒤)", fmtTime(nbfT), left))
		}
	}
	if iat, ok := c.Int("iat"); ok {
		iatT := time.Unix(iat, 0).UTC()
		if now.Add(leeway).Before(iatT) {
			problems = append(problems, fmt.Sprintf("issued in the future (iat %s)", fmtTime(iatT)))
			problemsKO = append(problemsKO, fmt.Sprintf("미래에 발급되었습니다(iat %s)", fmtTime(iatT)))
		}
		if iatT.After(expT) {
			problems = append(problems, fmt.Sprintf("iat %s is after exp", fmtTime(iatT)))
			problemsKO = append(problemsKO, fmt.Sprintf("iat %s가 exp보다 뒤입니다", fmtTime(iatT)))
		}
	}
	if now.Add(-leeway).After(expT) {
		ago := now.Sub(expT).Round(time.Second)
		problems = append(problems, fmt.Sprintf("expired %s ago", ago))
		problemsKO = append(problemsKO, fmt.Sprintf("%s 전에 만료되었습니다", ago))
	}
	if len(problems) > 0 {
		return check.Failf(IDLifetime, "valid %s: %s", window, strings.Join(problems, "; ")).
			KO("토큰 유효기간 %s: %s", windowKO, strings.Join(problemsKO, "; ")).WithDetail(at, atKO)
	}
	left := expT.Sub(now).Round(time.Second)
	return check.Passf(IDLifetime, "valid %s; expires in %s", window, left).
		KO("토큰 유효기간 %s, %s 뒤 만료됩니다", windowKO, left).WithDetail(at, atKO)
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func verifyVersion(c Claims) check.Check {
	v, ok := c.String("x-ms-ver")
	switch {
	case !ok:
		return check.Failf(IDVersion, "no x-ms-ver claim; not an MAA token schema cvmscope knows").
			KO("x-ms-ver 클레임이 없습니다. cvmscope가 아는 MAA 토큰 스키마가 아닙니다")
	case v != "1.0":
		return check.Failf(IDVersion, "x-ms-ver %q, want \"1.0\"; claims may mean something else in this schema", v).
			KO("x-ms-ver %q, 기대값 \"1.0\". 이 스키마에서는 클레임의 뜻이 다를 수 있습니다", v)
	}
	return check.Passf(IDVersion, "x-ms-ver 1.0 (MAA token schema)").
		KO("x-ms-ver 1.0 (MAA 토큰 스키마)")
}

// pinHint is the -a value that pins iss, or iss itself when it is not a URL.
func pinHint(iss string) string {
	if b, err := NormalizeBase(iss); err == nil {
		return b
	}
	return iss
}
