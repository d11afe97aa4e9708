package cli

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// TestBoundGarbage: inputs over 2 MiB lower the GC percent so that about 2 MiB of garbage
// piles up (never below 10), smaller ones, what is not a regular file and an explicit GOGC
// leave it alone, and the undo restores what was set before.
func TestBoundGarbage(t *testing.T) {
	gcPercent := func() int { p := debug.SetGCPercent(100); debug.SetGCPercent(p); return p }
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	dir := t.TempDir()
	files := func(sizes ...int64) []string {
		var paths []string
		for _, n := range sizes {
			f, err := os.CreateTemp(dir, "")
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(n); err != nil {
				t.Fatal(err)
			}
			f.Close()
			paths = append(paths, f.Name())
		}
		return paths
	}
	for _, tc := range []struct {
		paths []string
		gogc  string
		want  int
	}{
		{files(36486), "", 100},
		{files(2 << 20), "", 100},
		{files(4 << 20), "", 50},
		{files(14 << 20), "", 14},
		{files(8<<20, 8<<20), "", 12},
		{files(16<<20, 16<<20), "", 10},
		{append(files(1<<20), dir, filepath.Join(dir, "missing")), "", 100},
		{files(14 << 20), "100", 100},
	} {
		t.Setenv("GOGC", tc.gogc)
		undo := boundGarbage(tc.paths)
		if got := gcPercent(); got != tc.want {
			t.Errorf("%d files, GOGC=%q: GC percent %d, want %d", len(tc.paths), tc.gogc, got, tc.want)
		}
		undo()
		if got := gcPercent(); got != 100 {
			t.Errorf("after the undo: GC percent %d, want 100", got)
		}
	}
}
