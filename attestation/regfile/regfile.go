// Package regfile reads files given on the command line with a size cap, and only regular
// files: a FIFO would block until a writer came, and /dev/zero or /dev/urandom never end.
package regfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// NotRegularError says a path is not a regular file and what it is instead.
type NotRegularError struct {
	Path string
	What string // "a directory", "a named pipe", "a socket", "a device", "a special file"
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, e.What)
}

// TooLargeError says a file is over the caller's cap.
type TooLargeError struct {
	Path string
	Size int64 // at least this many bytes
	Max  int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is over the %d-byte limit", e.Path, e.Max)
}

// Read reads path if it is a regular file of at most max bytes. It looks before opening,
// opens non-blocking and looks again at what it opened, so a path swapped for a FIFO between
// the two looks cannot hang the read. Other errors are the os package's, without the path
// wrapper (callers name the path in their own words).
func Read(path string, max int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	if err := check(path, fi, max); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, unwrapPath(err)
	}
	if err := check(path, fi, max); err != nil {
		return nil, err
	}
	return readAll(path, f, fi.Size(), max)
}

// readAll reads f to its end, up to max bytes, into one buffer of the size Stat gave and
// bytes.Buffer's MinRead (512) more, so that the read seeing the end needs no growth:
// io.ReadAll grows its buffer by appending, which for a 14 MB event log allocated twice the
// file and kept a buffer up to a quarter larger than it for the whole run. A file that grew
// since, or that reports no size (sysfs: the kernel's event log), still reads whole.
func readAll(path string, f io.Reader, size, max int64) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(int(min(size, max)) + bytes.MinRead)
	if _, err := b.ReadFrom(io.LimitReader(f, max+1)); err != nil {
		return nil, unwrapPath(err)
	}
	if int64(b.Len()) > max {
		return nil, &TooLargeError{Path: path, Size: int64(b.Len()), Max: max}
	}
	return b.Bytes(), nil
}

func check(path string, fi os.FileInfo, max int64) error {
	m := fi.Mode()
	if !m.IsRegular() {
		what := "a special file"
		switch {
		case m.IsDir():
			what = "a directory"
		case m&os.ModeNamedPipe != 0:
			what = "a named pipe"
		case m&os.ModeSocket != 0:
			what = "a socket"
		case m&os.ModeDevice != 0:
			what = "a device"
		}
		return &NotRegularError{Path: path, What: what}
	}
	if fi.Size() > max {
		return &TooLargeError{Path: path, Size: fi.Size(), Max: max}
	}
	return nil
}

// unwrapPath drops the *PathError wrapper, whose message repeats the path.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
