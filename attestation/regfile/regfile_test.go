package regfile

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

// TestRead: a regular file reads back byte for byte at sizes around the buffer's edges,
// and one byte over the cap is refused as too large.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 100_000} {
		want := make([]byte, n)
		for i := range want {
			want[i] = byte(r.Uint32())
		}
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, want, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := Read(p, int64(n))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%d bytes: read %d bytes, %v", n, len(got), err)
		}
		if n == 0 {
			continue
		}
		_, err = Read(p, int64(n-1))
		if tl := (*TooLargeError)(nil); !errors.As(err, &tl) || tl.Max != int64(n-1) {
			t.Fatalf("%d bytes with a cap of %d: %v, want TooLargeError", n, n-1, err)
		}
	}
	if _, err := Read(dir, 10); !errors.As(err, new(*NotRegularError)) {
		t.Fatalf("a directory: %v, want NotRegularError", err)
	}
}

// TestReadAllSizeWrong: a file whose size is not what Stat said (sysfs reports 0 for the
// kernel's event log; a file may grow or shrink after Stat) still reads whole, in reads of
// any length, and over the cap is still refused.
func TestReadAllSizeWrong(t *testing.T) {
	want := bytes.Repeat([]byte("0123456789"), 5000)
	for _, size := range []int64{0, 1, 100, int64(len(want)) - 1, int64(len(want)) + 1000} {
		got, err := readAll("f", iotest.HalfReader(bytes.NewReader(want)), size, 1<<20)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("Stat said %d: read %d bytes, %v", size, len(got), err)
		}
		got, err = readAll("f", iotest.OneByteReader(bytes.NewReader(want)), size, 1<<20)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("one byte at a time, Stat said %d: read %d bytes, %v", size, len(got), err)
		}
		if _, err := readAll("f", bytes.NewReader(want), size, int64(len(want))-1); !errors.As(err, new(*TooLargeError)) {
			t.Fatalf("Stat said %d, cap one byte short: %v, want TooLargeError", size, err)
		}
	}
	if _, err := readAll("f", iotest.ErrReader(errors.New("disk on fire")), 10, 100); err == nil || err.Error() != "disk on fire" {
		t.Fatalf("a read error: %v", err)
	}
}
