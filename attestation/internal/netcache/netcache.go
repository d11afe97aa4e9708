// Package netcache keeps what --network fetched from AMD KDS, Intel PCS and an MAA provider
// for the life of the process, so a run that verifies again (the TUI's steps, a second report
// from the same chip, the sets of inspect --each) asks the vendor once.
//
// One mechanism does three things:
//   - 200 answers are kept, each for a bounded time (collateral changes when the vendor
//     issues more, and a revoked certificate must show); a fetcher that validates what it
//     fetched keeps it only once it is valid (Fetch with keep false, then Put);
//   - callers asking for a URL that is being fetched wait for that fetch instead of sending
//     their own, each for as long as its own context allows;
//   - a Cache with FailTTL remembers failures too, so that an unreachable service costs its
//     timeout once, not once per caller. Shared keeps none: a retry asks again.
//
// A run hands its own Cache down through the context (NewContext); fetchers use the one
// they were given, else the context's, else Shared.
package netcache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultTTL is how long an answer is reused. Intel issues TCB info and CRLs daily at most;
// an hour keeps a workshop day to a few requests without hiding a new issue for long.
const DefaultTTL = time.Hour

// maxEntries bounds the cache: a run fetches a handful of documents.
const maxEntries = 256

// maxBody is the largest answer read; every fetcher refuses more (httpx limits are 1 MiB at
// most), so a larger one is an error here rather than a body cut short.
const maxBody = 1 << 20

// Cache maps a URL to its answer. The zero value is ready, with DefaultTTL and no failure
// memory.
type Cache struct {
	TTL time.Duration
	// FailTTL is how long a failed fetch (no answer, or a status other than 200) is given to
	// later callers without asking again; zero remembers none. A fetch whose last caller ran
	// out of time is remembered as NoAnswer; one given up by every caller's cancellation
	// (Ctrl-C), or cut by a dropped connection that the caller retries, is never remembered.
	FailTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	entries map[string]*entry
}

// Answer is one fetched document.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

func (a Answer) clone() Answer {
	return Answer{Status: a.Status, Header: a.Header.Clone(), Body: bytes.Clone(a.Body)}
}

// entry is a URL's answer or failure, or the fetch of it under way (done still open).
type entry struct {
	done    chan struct{}
	answer  Answer
	err     error
	expires time.Time
	// waiters counts the callers waiting on the fetch; when the last one gives up, cancel
	// ends the fetch.
	waiters int
	cancel  context.CancelFunc
	// started is when the fetch began; timedOut is set when its last caller ran out of time.
	started  time.Time
	timedOut bool
}

// NoAnswer is the remembered failure of a fetch whose last waiting caller ran out of time
// (FailTTL): a service that does not answer then costs its timeout once, as one that refuses
// does, not once per caller (inspect --each). It is a net.Error timeout, so httpx says it
// as one (exit 3).
type NoAnswer struct {
	URL    string
	Waited time.Duration
}

func (e *NoAnswer) Error() string {
	return fmt.Sprintf("GET %s: no answer within %s; not asked again in this run", e.URL, e.Waited.Round(time.Millisecond))
}
func (*NoAnswer) Timeout() bool { return true }

// WaitedFor is how long the remembered fetch went unanswered, which httpx reports instead of
// the budget of an attempt that returned at once.
func (e *NoAnswer) WaitedFor() time.Duration { return e.Waited }
func (*NoAnswer) Temporary() bool            { return true }

// Shared is the process-wide cache the fetchers use unless given another.
var Shared = &Cache{}

type ctxKey struct{}

// NewContext returns ctx carrying c: every fetch under it uses c unless its fetcher was
// given a cache of its own.
func NewContext(ctx context.Context, c *Cache) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// FromContext returns the cache ctx carries, or nil.
func FromContext(ctx context.Context) *Cache {
	c, _ := ctx.Value(ctxKey{}).(*Cache)
	return c
}

// pick returns c, else the context's cache, else Shared.
func pick(c *Cache, ctx context.Context) *Cache {
	if c != nil {
		return c
	}
	if c := FromContext(ctx); c != nil {
		return c
	}
	return Shared
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Get returns a copy of the kept answer for url while it is fresh.
func (c *Cache) Get(url string) (http.Header, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.fresh(url)
	if e == nil || !isDone(e) || e.err != nil || e.answer.Status != http.StatusOK {
		return nil, nil, false
	}
	a := e.answer.clone()
	return a.Header, a.Body, true
}

// fresh returns url's entry if it is under way or not expired, dropping an expired one.
// c.mu is held.
func (c *Cache) fresh(url string) *entry {
	e, ok := c.entries[url]
	if !ok {
		return nil
	}
	select {
	case <-e.done:
		if !c.now().Before(e.expires) {
			delete(c.entries, url)
			return nil
		}
	default:
	}
	return e
}

// Put keeps a good (200) answer for url, as a fetcher does once it has validated it.
func (c *Cache) Put(url string, header http.Header, body []byte) {
	e := &entry{done: make(chan struct{}), answer: Answer{Status: http.StatusOK, Header: header, Body: body}.clone()}
	close(e.done)
	c.mu.Lock()
	defer c.mu.Unlock()
	e.expires = c.now().Add(c.ttl())
	c.store(url, e)
}

func (c *Cache) ttl() time.Duration {
	if c.TTL > 0 {
		return c.TTL
	}
	return DefaultTTL
}

// store sets url's entry within maxEntries, dropping expired entries first. c.mu is held.
func (c *Cache) store(url string, e *entry) {
	if c.entries == nil {
		c.entries = map[string]*entry{}
	}
	if len(c.entries) >= maxEntries {
		now := c.now()
		for u, old := range c.entries {
			select {
			case <-old.done:
			default:
				continue // a fetch under way has callers waiting on it
			}
			if !now.Before(old.expires) || len(c.entries) >= maxEntries {
				delete(c.entries, u)
			}
		}
	}
	c.entries[url] = e
}

// Len is the number of entries held, fresh or not, fetches under way included (for tests).
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Fetch gets url's document: from a fresh kept answer or remembered failure; else from the
// fetch of it under way; else by calling fetch, whose outcome every caller waiting then
// gets. A 200 answer is kept when keep accepts it (nil keeps none: a fetcher that validates
// a set of documents together Puts them once they are good); another status or an error is
// remembered for FailTTL. fetch runs apart from any one caller's cancellation and deadline (it
// keeps the first caller's values), so a caller that gives up leaves the others their answer;
// it is cancelled when no caller waits any more. Each caller waits as long as its own ctx
// allows and then gets ctx's error.
func (c *Cache) Fetch(ctx context.Context, url string, keep func(Answer) bool, fetch func(context.Context) (Answer, error)) (Answer, error) {
	c.mu.Lock()
	e := c.fresh(url)
	if e == nil {
		e = &entry{done: make(chan struct{}), started: c.now()}
		// Neither the first caller's cancellation nor its deadline bounds the fetch: each
		// caller's own context bounds its wait, and the last one leaving cancels the fetch.
		// A deadline kept from the first caller failed the others with its "context deadline
		// exceeded", remembered for FailTTL.
		var fctx context.Context
		fctx, e.cancel = context.WithCancel(context.WithoutCancel(ctx))
		c.store(url, e)
		go c.run(fctx, url, e, keep, fetch)
	} else if isDone(e) {
		c.mu.Unlock()
		if e.err != nil {
			slog.DebugContext(ctx, "http", "method", http.MethodGet, "url", url, "remembered failure", e.err)
		} else {
			slog.DebugContext(ctx, "http", "method", http.MethodGet, "url", url, "status", e.answer.Status, "size", len(e.answer.Body), "cached", true)
		}
		return e.outcome()
	}
	e.waiters++
	c.mu.Unlock()

	select {
	case <-e.done:
		return e.outcome()
	case <-ctx.Done():
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if isDone(e) {
		return e.outcome()
	}
	if e.waiters--; e.waiters == 0 {
		// Nobody waits for it any more: end it. A caller that ran out of time leaves it to be
		// remembered (run, NoAnswer); after a cancellation a later caller starts afresh.
		e.cancel()
		if c.FailTTL > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			e.timedOut = true
		} else if c.entries[url] == e {
			delete(c.entries, url)
		}
	}
	return Answer{}, ctx.Err()
}

func isDone(e *entry) bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// outcome is a copy of a finished entry's answer, or its error.
func (e *entry) outcome() (Answer, error) {
	if e.err != nil {
		return Answer{}, e.err
	}
	return e.answer.clone(), nil
}

// run fetches url for e and decides how long its outcome stays.
func (c *Cache) run(ctx context.Context, url string, e *entry, keep func(Answer) bool, fetch func(context.Context) (Answer, error)) {
	a, err := fetch(ctx)
	abandoned := errors.Is(ctx.Err(), context.Canceled)
	e.cancel()
	kept := err == nil && a.Status == http.StatusOK && keep != nil && keep(a)
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if e.timedOut && err != nil {
		// A Transport key carries the request's headers after the URL; the message names the URL.
		u, _, _ := strings.Cut(url, "\n")
		err, abandoned = &NoAnswer{URL: u, Waited: now.Sub(e.started)}, false
	}
	e.answer, e.err = a, err
	switch {
	case kept:
		e.expires = now.Add(c.ttl())
	case c.FailTTL > 0 && (err != nil || a.Status != http.StatusOK) && !abandoned && !dropped(err):
		e.expires = now.Add(c.FailTTL)
	default:
		e.expires = now // the callers waiting now get it; nobody after them
	}
	close(e.done)
	if !now.Before(e.expires) && c.entries[url] == e {
		delete(c.entries, url)
	}
}

// dropped reports whether err is a connection cut short, which callers retry at once; a
// remembered one would answer the retry.
func dropped(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// Client returns a copy of base (nil: http.DefaultClient) whose GETs go through c, or
// through the request context's cache when c is nil (and Shared when there is none).
func Client(base *http.Client, c *Cache) *http.Client {
	if base == nil {
		base = http.DefaultClient
	}
	cl := *base
	cl.Transport = &Transport{Base: base.Transport, Cache: c}
	return &cl
}

// Transport is an http.RoundTripper for vendor GETs: a fresh kept 200 answer is served
// without a request, a GET already under way is waited for, a new 200 answer is kept, and
// requests to a rewritten host go to its replacement. go-sev-guest builds AMD KDS URLs with a
// fixed host (kdsintf.amd.com); the rewrite is how a caching service or a test server takes
// its place.
type Transport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Cache nil means the request context's cache, else Shared.
	Cache *Cache
	// Rewrite maps a host ("kdsintf.amd.com") to a base URL ("http://127.0.0.1:8080").
	Rewrite map[string]*url.URL
	// Valid, when set, must accept a 200 answer before it is kept; one it refuses is handed
	// on (the caller says what is wrong with it) and asked for again next time.
	Valid func(u *url.URL, body []byte) error
}

func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if to, ok := t.Rewrite[r.URL.Host]; ok {
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = to.Scheme, to.Host, ""
		r.URL.Path = strings.TrimSuffix(to.Path, "/") + r.URL.Path
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	// Only plain GETs are shared and kept. A credentialed one's answer is the caller's
	// own; the headers are part of the key, since they may ask for another answer
	// (Accept, Metadata) from the same URL.
	if r.Method != http.MethodGet || r.Body != nil && r.Body != http.NoBody || r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "" {
		return base.RoundTrip(r)
	}
	key := r.URL.String()
	if len(r.Header) > 0 {
		var h strings.Builder
		for _, k := range slices.Sorted(maps.Keys(r.Header)) {
			fmt.Fprintf(&h, "\n%s: %q", k, r.Header[k])
		}
		key += h.String()
	}
	keep := func(a Answer) bool { return t.Valid == nil || t.Valid(r.URL, a.Body) == nil }
	a, err := pick(t.Cache, r.Context()).Fetch(r.Context(), key, keep, func(ctx context.Context) (Answer, error) {
		resp, err := base.RoundTrip(r.WithContext(ctx))
		if err != nil {
			return Answer{}, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
		if err != nil {
			return Answer{}, err
		}
		if len(b) > maxBody {
			return Answer{}, fmt.Errorf("GET %s: the answer is larger than %d bytes; refused", r.URL, maxBody)
		}
		return Answer{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
	})
	if err != nil {
		return nil, err
	}
	return &http.Response{Status: fmt.Sprintf("%d %s", a.Status, http.StatusText(a.Status)), StatusCode: a.Status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: a.Header, Body: io.NopCloser(bytes.NewReader(a.Body)),
		ContentLength: int64(len(a.Body)), Request: r}, nil
}
