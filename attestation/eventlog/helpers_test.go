package eventlog

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// realDir is ../shared/testdata/real beside the repository root.
func realDir(tb testing.TB) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	dir := filepath.Join(root, "..", "shared", "testdata", "real")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("real samples not found at %s (they live beside the repository, not in it): %v", dir, err)
	}
	return dir
}

func readReal(tb testing.TB, name string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(realDir(tb), name))
	if err != nil {
		tb.Fatalf("read real sample: %v", err)
	}
	return raw
}

// realLogs are the published logs and the event counts tpm2_eventlog reports for them.
var realLogs = []struct {
	file   string
	events int
}{
	{"azsnp-eventlog-cvmmeasure-ncc40ads.bin", 39},
	{"aztdx-eventlog-ita.bin", 136},
	{"gce-sevsnp-ubuntu2404-eventlog.bin", 117},
	{"baremetal-archlinux-eventlog.bin", 25},
}

func readFileOrSkip(tb testing.TB, path string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Skipf("reference file not available: %v", err)
	}
	return raw
}

// walk collects every frame eachFrame hands over, for tests that look at them all.
func walk(raw []byte) ([]frame, []specAlg, error) {
	var frames []frame
	algs, err := eachFrame(raw, func(f frame) bool { frames = append(frames, f); return true })
	return frames, algs, err
}

// described is an event with what Describe says of it, for tests that read descriptions.
type described struct {
	Event
	Description, DescriptionKO string
}

// events collects l's events, described, for tests that look at them all or by index.
func events(l *Log) []described {
	var out []described
	for e := range l.Events() {
		en, ko := l.Describe(e)
		out = append(out, described{e, en, ko})
	}
	return out
}
