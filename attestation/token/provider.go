package token

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/internal/httpx"
	"github.com/cvmscope/cvmscope/attestation/internal/netcache"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// MaxResponseBytes bounds every response read from a provider: a JWKS is about 20 KiB, and
// a hostile or broken server must not make cvmscope read without end.
const MaxResponseBytes = 1 << 20

// NormalizeBase reduces a provider URL to scheme://host[:port], the form MAA uses in "iss".
// A pasted attest URL (".../attest/AzureGuest?api-version=...") keeps only its host, as the
// Microsoft client does. Plain http is accepted only for a loopback emulator.
func NormalizeBase(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("provider URL %q: %v", raw, err)
	}
	if u.Host == "" {
		return "", fmt.Errorf("provider URL %q has no host; write it as https://<name>.<region>.attest.azure.net", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !httpx.IsLoopback(u.Hostname()) {
			return "", fmt.Errorf("provider URL %q: http is allowed only for a loopback emulator; use https", raw)
		}
	default:
		return "", fmt.Errorf("provider URL %q: scheme %q, want https", raw, u.Scheme)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// Default time limits of a key fetch: a JWKS is a few KiB from a service that answers in
// well under a second, so a try that takes 10 s is stuck; the metadata and the key set with
// one retry each fit in 30 s.
const (
	DefaultAttemptTimeout = 10 * time.Second
	DefaultFetchTimeout   = 30 * time.Second
)

// Provider is the one MAA provider cvmscope is configured to trust for keys.
//
// Client is used for every request. Callers must pass a client that verifies TLS; the only
// exception is a loopback emulator in tests or demos, whose client may trust its own
// test certificate. A nil Client means http.DefaultClient. Whatever the client, every
// request is bounded by AttemptTimeout and a whole FetchKeys by FetchTimeout (zero means
// the defaults), and ends when the caller's context does.
type Provider struct {
	Base           string
	Client         *http.Client
	AttemptTimeout time.Duration
	FetchTimeout   time.Duration
}

// NewProvider normalizes base (see NormalizeBase).
func NewProvider(base string, client *http.Client) (*Provider, error) {
	b, err := NormalizeBase(base)
	if err != nil {
		return nil, err
	}
	return &Provider{Base: b, Client: client}, nil
}

// CertsURL is the JWKS address every MAA token from this provider names in "jku".
func (p *Provider) CertsURL() string { return p.Base + "/certs" }

// FetchKeys reads the provider's OpenID metadata for jwks_uri and loads the key set from
// there, or from {base}/certs when the metadata is unavailable or names another host. Only
// an answer (an error status, a document without jwks_uri) leads to {base}/certs: a
// provider that did not answer, or a cancelled run, ends the fetch.
func (p *Provider) FetchKeys(ctx context.Context) (*KeySet, error) {
	ctx, cancel := context.WithTimeout(ctx, orDefault(p.FetchTimeout, DefaultFetchTimeout))
	defer cancel()
	jwksURL := p.CertsURL()
	meta, err := p.get(ctx, p.Base+"/.well-known/openid-configuration")
	var he *httpx.Error
	if errors.As(err, &he) {
		return nil, err
	}
	if err == nil {
		var doc struct {
			JWKSURI string `json:"jwks_uri"`
		}
		if json.Unmarshal(meta, &doc) == nil && doc.JWKSURI != "" && p.sameOrigin(doc.JWKSURI) {
			jwksURL = doc.JWKSURI
		}
	}
	body, err := p.get(ctx, jwksURL)
	if err != nil {
		return nil, err
	}
	s, err := ParseJWKS(body, jwksURL)
	if err != nil {
		return nil, fault.New(fault.Network, err)
	}
	return s, nil
}

func (p *Provider) sameOrigin(raw string) bool {
	b, err := NormalizeBase(raw)
	return err == nil && b == p.Base
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// get fetches u: a dropped connection is retried once, every body is bounded, and a
// failure to get an answer is an *httpx.Error in the chain.
func (p *Provider) get(ctx context.Context, u string) ([]byte, error) {
	pu, err := url.Parse(u)
	if err != nil {
		return nil, fault.Errorf(fault.Internal, "GET %s: %v", u, err)
	}
	req := httpx.Request{Op: "MAA key fetch GET " + pu.Path, Method: http.MethodGet, URL: u,
		Header: http.Header{"Accept": {"application/json"}}}
	client := p.Client
	if c := netcache.FromContext(ctx); c != nil {
		// A run that fetches once (inspect --each): the keys are asked for once for all
		// its sets. Elsewhere they are not kept, so that a rotated key is seen at once.
		client = netcache.Client(client, c)
	}
	resp, err := httpx.Get(ctx, client, req, httpx.Limits{Attempt: orDefault(p.AttemptTimeout, DefaultAttemptTimeout), MaxBody: MaxResponseBytes})
	if err != nil {
		return nil, httpx.FaultKO(err, "check the provider URL, DNS and egress on port 443 (an HTTP proxy may be needed for MAA), and try again",
			"공급자 URL, DNS, 443 포트 송신을 확인하고(MAA에는 HTTP 프록시가 필요할 수 있습니다) 다시 시도합니다")
	}
	if resp.Status != http.StatusOK {
		return nil, fault.Errorf(fault.Network, "GET %s: HTTP %d", u, resp.Status)
	}
	return resp.Body, nil
}

// KeyNotFoundError says that no key with the token's kid is available from a source.
type KeyNotFoundError struct {
	Kid, Source string
	Available   []string
}

func (e *KeyNotFoundError) Error() string {
	return fmt.Sprintf("key %s is not published by %s", e.Kid, e.Source)
}

// Keys is a per-run key cache: a fixed key set (from --jwks) or a provider fetched lazily,
// refetched once when a token names a kid the cached set lacks (keys rotate).
type Keys struct {
	mu        sync.Mutex
	provider  *Provider
	set       *KeySet
	refetched map[string]bool
	fetches   int
}

// StaticKeys serves keys from a set loaded from a file; nothing is fetched.
func StaticKeys(s *KeySet) *Keys { return &Keys{set: s} }

// ProviderKeys fetches keys from p on first use.
func ProviderKeys(p *Provider) *Keys { return &Keys{provider: p, refetched: map[string]bool{}} }

// Provider returns the configured provider, nil for a static set.
func (k *Keys) Provider() *Provider { return k.provider }

// Source names where keys come from, for check summaries.
func (k *Keys) Source() string {
	if k.provider != nil {
		return k.provider.CertsURL()
	}
	if k.set != nil {
		return k.set.Source
	}
	return "(no key source)"
}

// Fetches counts provider fetches made so far.
func (k *Keys) Fetches() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.fetches
}

// Lookup returns the key for kid. The error is a *KeyNotFoundError when the source was
// reached but lacks the kid, and a fault.Network error when the source could not be read.
func (k *Keys) Lookup(ctx context.Context, kid string) (Key, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	fresh := false
	if k.set == nil && k.provider != nil {
		if err := k.fetch(ctx); err != nil {
			return Key{}, err
		}
		fresh = true
	}
	if key, ok := k.set.Key(kid); ok {
		return key, nil
	}
	if k.provider != nil && !fresh && !k.refetched[kid] {
		k.refetched[kid] = true
		if err := k.fetch(ctx); err != nil {
			return Key{}, err
		}
		if key, ok := k.set.Key(kid); ok {
			return key, nil
		}
	}
	if k.provider != nil {
		k.refetched[kid] = true
	}
	return Key{}, &KeyNotFoundError{Kid: kid, Source: k.Source(), Available: k.set.Kids()}
}

func (k *Keys) fetch(ctx context.Context) error {
	k.fetches++
	s, err := k.provider.FetchKeys(ctx)
	if err != nil {
		return err
	}
	k.set = s
	return nil
}

// JWKS returns the key set document as fetched or loaded, for saving with the token so
// that it can be verified offline later; nil before any key was looked up.
func (k *Keys) JWKS() []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.set == nil {
		return nil
	}
	return k.set.Raw()
}

// IsKeyNotFound reports whether err says the key is unavailable (as opposed to unreachable).
func IsKeyNotFound(err error) bool {
	var e *KeyNotFoundError
	return errors.As(err, &e)
}
