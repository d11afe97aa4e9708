// Package netcache keeps what --network fetched from AMD KDS and Intel PCS for the life of
// the process, so a run that verifies again (the TUI's steps, a second report from the same
// chip) asks the vendor once. Only complete 200 answers are kept, each for a bounded time:
// collateral changes when the vendor issues more, and a revoked certificate must show.
package netcache

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultTTL is how long an answer is reused. Intel issues TCB info and CRLs daily at most;
// an hour keeps a workshop day to a few requests without hiding a new issue for long.
const DefaultTTL = time.Hour

// maxEntries bounds the cache: a run fetches a handful of documents.
const maxEntries = 256

// Cache maps a URL to its answer. The zero value is ready, with DefaultTTL.
type Cache struct {
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	entries map[string]entry
}

type entry struct {
	header  http.Header
	body    []byte
	expires time.Time
}

// Shared is the process-wide cache the fetchers use unless given another.
var Shared = &Cache{}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Get returns a copy of the answer for url while it is fresh.
func (c *Cache) Get(url string) (http.Header, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[url]
	if !ok || !c.now().Before(e.expires) {
		delete(c.entries, url)
		return nil, nil, false
	}
	return e.header.Clone(), append([]byte(nil), e.body...), true
}

// Put keeps a 200 answer for url.
func (c *Cache) Put(url string, header http.Header, body []byte) {
	ttl := c.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]entry{}
	}
	now := c.now()
	if len(c.entries) >= maxEntries {
		for u, e := range c.entries {
			if !now.Before(e.expires) || len(c.entries) >= maxEntries {
				delete(c.entries, u)
			}
		}
	}
	c.entries[url] = entry{header: header.Clone(), body: append([]byte(nil), body...), expires: now.Add(ttl)}
}

// Len is the number of entries held, fresh or not (for tests).
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Transport is an http.RoundTripper for vendor GETs: a fresh cached 200 answer is served
// without a request, a new one is kept, and requests to a rewritten host go to its
// replacement. go-sev-guest builds AMD KDS URLs with a fixed host (kdsintf.amd.com); the
// rewrite is how a caching service or a test server takes its place.
type Transport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Cache nil means Shared.
	Cache *Cache
	// Rewrite maps a host ("kdsintf.amd.com") to a base URL ("http://127.0.0.1:8080").
	Rewrite map[string]*url.URL
}

func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if to, ok := t.Rewrite[r.URL.Host]; ok {
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = to.Scheme, to.Host, ""
		r.URL.Path = strings.TrimSuffix(to.Path, "/") + r.URL.Path
	}
	c := t.Cache
	if c == nil {
		c = Shared
	}
	key := r.URL.String()
	if r.Method == http.MethodGet {
		if h, b, ok := c.Get(key); ok {
			slog.DebugContext(r.Context(), "http", "method", r.Method, "url", key, "status", http.StatusOK, "size", len(b), "cached", true)
			return &http.Response{Status: "200 OK (cached)", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: h, Body: io.NopCloser(bytes.NewReader(b)), ContentLength: int64(len(b)), Request: r}, nil
		}
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	if err != nil || r.Method != http.MethodGet || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	// Read here to keep it; bounded, as the vendors' documents are small (a CRL is the
	// largest, well under a MiB).
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	if len(b) > maxBody {
		// Too large to keep: hand the whole answer on, unread part included.
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
		return resp, nil
	}
	resp.Body.Close()
	c.Put(key, resp.Header, b)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

// maxBody is the largest answer kept.
const maxBody = 1 << 20
