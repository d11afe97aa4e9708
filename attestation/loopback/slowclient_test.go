package loopback

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A client of an emulator started with --allow-remote may be anyone's: one that promises a
// body and trickles it, or keeps a connection open after its answer, must give its
// connection (a goroutine and a descriptor) back. Before, only the request headers had a
// deadline, so both held their connection for as long as the client liked.
func TestSlowClientsGiveTheirConnectionBack(t *testing.T) {
	defer func(b, i time.Duration) { bodyTimeout, idleTimeout = b, i }(bodyTimeout, idleTimeout)
	bodyTimeout, idleTimeout = 200*time.Millisecond, 200*time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Write([]byte("ok"))
	}), nil)
	defer s.Close()

	closedWithin := func(name string, c net.Conn) {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := io.Copy(io.Discard, c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Errorf("%s: the connection is still open after 5 s", name)
		}
	}

	// Headers promising 100 bytes, then 10 of them, then nothing.
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /attest HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
	closedWithin("a trickled body", c)

	// One answered request, then silence on a kept-alive connection.
	k, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	io.WriteString(k, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(k)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	closedWithin("an idle kept-alive connection", k)

	// A handler that answers late (the emulators' delay knobs) is not cut short by the
	// body's deadline once the body is read.
	ln2 := mustListen(t)
	slow := Serve(ln2, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		select {
		case <-time.After(3 * bodyTimeout):
			w.Write([]byte("late"))
		case <-r.Context().Done():
			http.Error(w, "cancelled", http.StatusServiceUnavailable)
		}
	}), nil)
	defer slow.Close()
	resp, err = http.Post("http://"+ln2.Addr().String()+"/", "text/plain", strings.NewReader("evidence"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "late" {
		t.Errorf("a late answer: %d %q", resp.StatusCode, b)
	}
}

func mustListen(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}
