package maa

import (
	"encoding/base64"
	"encoding/json"
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"strings"
	"testing"
)

// realDir is ../shared/testdata/real beside the repository root.
func readReal(tb testing.TB, name string) []byte {
	tb.Helper()
	return realdata.Read(tb, name)
}

// mustRawURL decodes strict b64url without padding: the encoding the wire form must use.
func mustRawURL(t *testing.T, what, s string) []byte {
	t.Helper()
	if strings.ContainsAny(s, "+/=") {
		t.Fatalf("%s is not b64url without padding: %.40q", what, s)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return b
}

// mustStd decodes strict standard base64 with padding.
func mustStd(t *testing.T, what, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		t.Fatalf("%s is not standard base64: %v", what, err)
	}
	return b
}

func keysOf(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
