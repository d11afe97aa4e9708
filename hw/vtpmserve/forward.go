package vtpmserve

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/loopback"
)

// IMDSAddress is where Azure's Instance Metadata Service answers inside every VM, and
// where clients that do not let you change it (go-azguestattestation) look for it.
const IMDSAddress = "169.254.169.254"

// Forwarder relays TCP connections from a listen address to a loopback target.
type Forwarder struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

// Forward listens on listen — loopback, or IMDSAddress (link-local: never routed off the
// link, and inside a network namespace only that namespace's own) — and relays every
// connection to target, e.g. the IMDS emulator's loopback address.
func Forward(listen, target string) (*Forwarder, error) {
	host, _, err := net.SplitHostPort(listen)
	if err != nil || (host != IMDSAddress && !loopback.IsLoopbackHost(host)) {
		return nil, fault.Korean(fault.WithHint(fault.Internal,
			fmt.Errorf("--imds-listen %q: give a loopback address or %s:80, the IMDS address", listen, IMDSAddress),
			"for clients with a fixed IMDS address, run cvmscope vtpm in a network namespace whose lo carries 169.254.169.254 (see README, A simulated Azure vTPM for any client)"),
			fmt.Sprintf("--imds-listen %q: 루프백 주소나 IMDS 주소 %s:80을 지정합니다", listen, IMDSAddress),
			"IMDS 주소가 고정된 클라이언트는 lo에 169.254.169.254를 둔 네트워크 네임스페이스 안에서 cvmscope vtpm을 실행합니다(README의 A simulated Azure vTPM for any client 참고)")
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("--imds-listen %s: %w", listen, err),
			"on the IMDS address, first add it to an interface (ip addr add 169.254.169.254/32 dev lo) in the namespace; port 80 needs root or CAP_NET_BIND_SERVICE"),
			fmt.Sprintf("--imds-listen %s에서 수신할 수 없습니다 (%v)", listen, err),
			"IMDS 주소라면 먼저 네임스페이스의 인터페이스에 주소를 붙입니다(ip addr add 169.254.169.254/32 dev lo). 80번 포트에는 root나 CAP_NET_BIND_SERVICE가 필요합니다")
	}
	f := &Forwarder{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	f.wg.Add(1)
	go f.accept()
	return f, nil
}

// Addr is the address the forwarder listens on.
func (f *Forwarder) Addr() string { return f.ln.Addr().String() }

func (f *Forwarder) accept() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		if !f.track(c) {
			c.Close()
			return
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer f.untrack(c)
			up, err := net.Dial("tcp", f.target)
			if err != nil {
				return
			}
			if !f.track(up) {
				up.Close()
				return
			}
			defer f.untrack(up)
			done := make(chan struct{})
			go func() {
				io.Copy(up, c)
				if tc, ok := up.(*net.TCPConn); ok {
					tc.CloseWrite()
				}
				close(done)
			}()
			io.Copy(c, up)
			c.Close()
			<-done
		}()
	}
}

func (f *Forwarder) track(c net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.conns[c] = struct{}{}
	return true
}

func (f *Forwarder) untrack(c net.Conn) {
	f.mu.Lock()
	delete(f.conns, c)
	f.mu.Unlock()
	c.Close()
}

// Close stops listening, cuts every relayed connection and waits for them.
func (f *Forwarder) Close() error {
	f.mu.Lock()
	f.closed = true
	for c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	err := f.ln.Close()
	f.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
