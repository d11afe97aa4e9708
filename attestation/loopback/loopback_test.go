package loopback

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCheckListen(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:0", "[::1]:80", "localhost:8080"} {
		if err := CheckListen("X", ok, false); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"0.0.0.0:80", "10.0.0.1:1", ":8080", "nonsense"} {
		err := CheckListen("X emulator", bad, false)
		if err == nil || !strings.Contains(err.Error(), "X emulator") {
			t.Errorf("%s: err = %v, want a refusal naming the server", bad, err)
		}
	}
	if err := CheckListen("X", "0.0.0.0:80", true); err != nil {
		t.Errorf("allowed: %v", err)
	}
}

func TestLogIsBounded(t *testing.T) {
	var l Log[int]
	for i := 0; i < MaxLog+10; i++ {
		l.Add(i)
	}
	all := l.All()
	if len(all) != MaxLog || all[0] != 10 || all[len(all)-1] != MaxLog+9 {
		t.Fatalf("len %d first %d last %d", len(all), all[0], all[len(all)-1])
	}
}

// Close ends a handler that waits on Closing at once, and Serve's goroutine with it: the
// handler hears Closing (not its connection cut when Shutdown's grace runs out, which
// would also make Close return an error).
func TestCloseEndsDelayedHandlers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var s *Server
	started, ended := make(chan struct{}), make(chan string, 1)
	s = Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-time.After(time.Hour):
			ended <- "its delay"
		case <-s.Closing():
			ended <- "Closing"
		case <-r.Context().Done():
			ended <- "its connection cut"
		}
	}), nil)
	go http.Get("http://" + ln.Addr().String() + "/")
	<-started
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if by := <-ended; by != "Closing" {
		t.Errorf("the handler was ended by %s, not by Closing", by)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// A client that connected and never sent a request (cancelled while it dialled) does not
// hold Close up: Shutdown waited five seconds for such a connection and Close returned
// "context deadline exceeded".
func TestCloseWithAConnectionThatNeverAsked(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := Serve(ln, http.NotFoundHandler(), nil)
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The server has seen the connection once a request on another one was answered after it.
	if resp, err := http.Get("http://" + ln.Addr().String()); err == nil {
		resp.Body.Close()
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close with a connection that never sent a request: %v", err)
	}
}
