package netcache

import (
	"io"
	"net/http"
	"testing"
)

// The cache was keyed by URL alone: a GET asking for another answer from the same URL
// (another Accept) got the first one's, and a credentialed GET's answer would have been
// kept and handed to the next caller. Headers are part of the key; credentialed GETs pass.
func TestTransportKeysByHeadersAndPassesCredentials(t *testing.T) {
	base := &fakeBase{status: 200, body: "answer"}
	c := &Cache{}
	cl := &http.Client{Transport: &Transport{Base: base, Cache: c}}
	do := func(h http.Header) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://example.test/doc", nil)
		req.Header = h
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	do(http.Header{"Accept": {"application/json"}})
	do(http.Header{"Accept": {"application/json"}})
	if base.Calls() != 1 {
		t.Fatalf("%d requests for the same URL and headers, want 1 (kept)", base.Calls())
	}
	do(http.Header{"Accept": {"application/pem-certificate-chain"}})
	if base.Calls() != 2 {
		t.Errorf("%d requests after another Accept, want 2: it got the first answer", base.Calls())
	}
	for range 2 {
		do(http.Header{"Authorization": {"Bearer x"}})
	}
	if base.Calls() != 4 || c.Len() != 2 {
		t.Errorf("%d requests and %d kept after two credentialed GETs, want 4 and 2: never kept or shared", base.Calls(), c.Len())
	}
}
