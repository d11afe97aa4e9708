package maa

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// realDir is ../shared/testdata/real beside the repository root.
func realDir(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			real := filepath.Join(dir, "..", "shared", "testdata", "real")
			if _, err := os.Stat(real); err != nil {
				tb.Skipf("real samples not available (%s absent); they live beside the repository in ../shared/testdata/real", real)
			}
			return real
		}
		if filepath.Dir(dir) == dir {
			tb.Fatalf("no go.mod above %s", wd)
		}
	}
}

func readReal(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(realDir(tb), name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
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
