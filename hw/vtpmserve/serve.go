// Package vtpmserve serves a TPM — the simulated Azure CVM's vTPM behind its simulated
// paravisor — over the TCP protocols TPM clients use to reach software TPMs, so that
// tpm2-tools, go-tpm, go-tpm-tools and anything built on them run against it unchanged:
//
//   - Microsoft's simulator protocol (tpm2-tss TCTI mssim:host=H,port=P; go-tpm's
//     tpm2/transport/tcp): TPM_SEND_COMMAND frames on port P, platform signals on P+1.
//   - swtpm's (tpm2-tss TCTI swtpm:host=H,port=P): bare TPM command frames on port P, one
//     connection per command or many, and swtpm's control channel on P+1.
//
// Both share the two ports: on the command port the first byte of every request tells a
// bare frame (a TPM tag, 0x80) from a simulator request (a 32-bit code, 0x00); the control
// port accepts the union of the two protocols' codes that a client of this vTPM needs.
//
// Like Azure's, this vTPM belongs to the host: a guest cannot power it off, reset it or
// leave locality 0, so those signals are refused rather than faked (a reset would also
// clear the PCRs the simulated event log replays to).
//
// Hostile clients: a command is at most MaxCommandSize bytes (MAX_COMMAND_SIZE), its size
// is checked before anything is allocated for it, a panic or I/O error ends only that
// connection, and the transient objects and sessions a simulator-protocol connection leaves
// behind are flushed when it closes, so one crashed client does not exhaust the TPM's three
// object slots for the next. (swtpm's TCTI opens a connection per command, so for bare
// frames, as in swtpm, what a client loads stays until it is flushed.)
package vtpmserve

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/loopback"
	"github.com/google/go-tpm/tpm2/transport"
)

// MaxCommandSize bounds a command frame: MAX_COMMAND_SIZE of the TPM reference
// implementation the embedded simulator is built from. Longer frames are refused before
// they are read.
const MaxCommandSize = 4096

// DefaultMaxConns bounds connections open at once on each port.
const DefaultMaxConns = 64

// DefaultFrameTimeout and DefaultIdleTimeout: a TPM request is a few kilobytes, sent at
// once; a client between commands (tpm2-tools, go-tpm) sends its next within seconds.
const (
	DefaultFrameTimeout = 10 * time.Second
	DefaultIdleTimeout  = 10 * time.Minute
)

// Config says what to serve and where.
type Config struct {
	// Listen is the command port's loopback address; the platform (mssim) or control
	// (swtpm) port is the next port. Port 0 picks a free pair.
	Listen string
	// Unix, when set, is a Unix socket path that serves the command channel too: legacy
	// go-tpm's tpm2.OpenTPM(path) and swtpm's unixio clients open it like a device, and a
	// bind mount over /dev/tpmrm0 in a mount namespace hands it to a client that only
	// knows the device. An existing socket there is replaced; any other file is refused.
	Unix string
	// TPM is what commands go to: simcvm.CVM.Transport(), so that NV 0x01400001 is the
	// paravisor's. Commands are sent one at a time.
	TPM transport.TPM
	// MaxConns bounds open connections per port; 0 means DefaultMaxConns.
	MaxConns int
	// FrameTimeout bounds how long the rest of a request may take once its first bytes
	// arrived, so a client that stalls mid-frame gives its slot back; 0 means
	// DefaultFrameTimeout.
	FrameTimeout time.Duration
	// IdleTimeout closes a command connection that sends nothing between requests for
	// this long, so idle connections cannot hold all MaxConns slots for ever; 0 means
	// DefaultIdleTimeout.
	IdleTimeout time.Duration
	// Logger receives one Debug line per command and an Info line per refused request;
	// nil means slog.Default().
	Logger *slog.Logger
}

// Server is a running vTPM server.
type Server struct {
	cfg      Config
	log      *slog.Logger
	cmdLn    net.Listener
	platLn   net.Listener
	unixLn   net.Listener
	wg       sync.WaitGroup
	closing  chan struct{}
	closeErr error
	once     sync.Once

	connMu sync.Mutex
	conns  map[net.Conn]struct{}

	// mu serialises commands: a TPM runs one at a time. owners, under mu, maps the
	// transient objects and sessions a connection created to that connection.
	mu       sync.Mutex
	owners   map[uint32]*conn
	sessions map[uint32]*hmacSession // see hmac.go
}

// conn is one command connection, the owner of what it loaded into the TPM.
type conn struct {
	id string
	// session is true once the connection spoke the simulator protocol, whose client holds
	// one connection for its whole session. swtpm's TCTI opens a connection per command, so
	// what a bare-frame connection loads must outlive it, as it does in swtpm.
	session bool
}

// Start listens on cfg.Listen and the port after it and serves until Close.
func Start(cfg Config) (*Server, error) {
	if cfg.TPM == nil {
		return nil, fault.Errorf(fault.Internal, "vtpmserve: Config.TPM is nil")
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.FrameTimeout <= 0 {
		cfg.FrameTimeout = DefaultFrameTimeout
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	s := &Server{cfg: cfg, log: cfg.Logger, closing: make(chan struct{}), conns: map[net.Conn]struct{}{}, owners: map[uint32]*conn{}, sessions: map[uint32]*hmacSession{}}
	if s.log == nil {
		s.log = slog.Default()
	}
	if err := CheckListen(cfg.Listen); err != nil {
		return nil, err
	}
	var err error
	if s.cmdLn, s.platLn, err = listenPair(cfg.Listen); err != nil {
		return nil, err
	}
	if cfg.Unix != "" {
		if s.unixLn, err = listenUnix(cfg.Unix); err != nil {
			s.cmdLn.Close()
			s.platLn.Close()
			return nil, err
		}
	}
	sem := make(chan struct{}, cfg.MaxConns)
	psem := make(chan struct{}, cfg.MaxConns)
	s.wg.Add(2)
	go s.accept(s.cmdLn, sem, s.serveCommandConn)
	go s.accept(s.platLn, psem, s.servePlatformConn)
	if s.unixLn != nil {
		s.wg.Add(1)
		go s.accept(s.unixLn, sem, s.serveCommandConn)
	}
	return s, nil
}

func listenUnix(path string) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("vTPM: --unix %s exists and is not a socket", path),
				"give a path that does not exist yet, or a socket left by an earlier run"),
				fmt.Sprintf("vTPM: --unix %s이(가) 이미 있고 소켓이 아닙니다", path), "아직 없는 경로나 이전 실행이 남긴 소켓을 지정합니다")
		}
		// A socket left by an earlier run that did not stop cleanly.
		os.Remove(path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("vTPM: listen on unix socket %s: %w", path, err),
			"check that the directory exists and is writable"),
			fmt.Sprintf("vTPM: Unix 소켓 %s에서 수신할 수 없습니다 (%v)", path, err), "디렉터리가 있고 쓸 수 있는지 확인합니다")
	}
	return ln, nil
}

// CheckListen refuses a command address beyond loopback: the vTPM holds SIMULATED keys and
// answers anyone who connects. Callers check before the slow provisioning.
func CheckListen(addr string) error {
	if err := loopback.CheckListen("vTPM", addr, false); err != nil {
		return fault.Korean(err, fmt.Sprintf("vTPM: 수신 주소 %q이(가) 루프백이 아닙니다. SIMULATED 키를 가진 시뮬레이션 TPM이므로 이 컴퓨터 안에서만 제공합니다", addr),
			"127.0.0.1:PORT로 수신합니다")
	}
	return nil
}

// listenPair listens on addr and the port after it. With port 0 it tries free ports until
// the next one is free too.
func listenPair(addr string) (net.Listener, net.Listener, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, listenErr(addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65534 {
		return nil, nil, listenErr(addr, fmt.Errorf("port %q: want 0 to 65534 (the platform port is the next one)", portStr))
	}
	tries := 1
	if port == 0 {
		tries = 20
	}
	var lastErr error
	for range tries {
		cmd, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return nil, nil, listenErr(addr, err)
		}
		p := cmd.Addr().(*net.TCPAddr).Port
		plat, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p+1)))
		if err == nil {
			return cmd, plat, nil
		}
		cmd.Close()
		lastErr = err
	}
	return nil, nil, listenErr(addr, fmt.Errorf("the platform port (the command port + 1): %w", lastErr))
}

func listenErr(addr string, err error) error {
	return fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("vTPM: listen on %s: %w", addr, err),
		"choose a free port whose next port is free too (--listen 127.0.0.1:0 picks a pair)"),
		fmt.Sprintf("vTPM: %s에서 수신할 수 없습니다 (%v)", addr, err),
		"다음 포트도 비어 있는 빈 포트를 고릅니다(--listen 127.0.0.1:0은 빈 포트 한 쌍을 고릅니다)")
}

// Addr is the command port's address (host:port): the port in mssim:port=… and swtpm:port=….
func (s *Server) Addr() string { return s.cmdLn.Addr().String() }

// Port is the command port; the platform or control port is Port()+1.
func (s *Server) Port() int { return s.cmdLn.Addr().(*net.TCPAddr).Port }

// PlatformAddr is the platform (mssim) or control (swtpm) port's address.
func (s *Server) PlatformAddr() string { return s.platLn.Addr().String() }

// Close stops listening, ends every connection and waits for their goroutines.
func (s *Server) Close() error {
	s.once.Do(func() {
		close(s.closing)
		s.closeErr = errors.Join(s.cmdLn.Close(), s.platLn.Close())
		if s.unixLn != nil {
			s.closeErr = errors.Join(s.closeErr, s.unixLn.Close())
		}
		s.connMu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.connMu.Unlock()
		s.wg.Wait()
	})
	return s.closeErr
}

func (s *Server) accept(ln net.Listener, sem chan struct{}, serve func(net.Conn)) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			select {
			case <-s.closing:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			s.log.Warn("vtpm: accept", "addr", ln.Addr().String(), "err", err)
			return
		}
		select {
		case sem <- struct{}{}:
		default:
			s.log.Info("vtpm: too many connections; refusing one", "remote", c.RemoteAddr().String(), "max", s.cfg.MaxConns)
			c.Close()
			continue
		}
		s.connMu.Lock()
		select {
		case <-s.closing:
			s.connMu.Unlock()
			c.Close()
			<-sem
			continue
		default:
		}
		s.conns[c] = struct{}{}
		s.connMu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { <-sem }()
			defer func() {
				s.connMu.Lock()
				delete(s.conns, c)
				s.connMu.Unlock()
				c.Close()
			}()
			// A bug reached by one client's bytes ends that client, not the server.
			defer func() {
				if r := recover(); r != nil {
					s.log.Error("vtpm: connection ended by an internal error", "remote", c.RemoteAddr().String(), "panic", r)
				}
			}()
			serve(c)
		}()
	}
}

func (s *Server) serveCommandConn(c net.Conn) {
	cl := &conn{id: c.RemoteAddr().String()}
	defer func() {
		s.release(cl)
		if f := afterRelease.Load(); f != nil {
			(*f)()
		}
	}()
	err := s.serveCommands(writeBound{c, s.cfg.FrameTimeout}, cl)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = fmt.Errorf("the client sent no request for %s, or stalled mid-request or stopped reading answers for %s: %w", s.cfg.IdleTimeout, s.cfg.FrameTimeout, err)
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		s.log.Info("vtpm: command connection closed", "remote", cl.id, "reason", err)
	}
}

func (s *Server) servePlatformConn(c net.Conn) {
	// Platform requests are a few bytes each: a connection that sends nothing for
	// IdleTimeout gives its slot back, and so does one whose client stops reading answers
	// for FrameTimeout (its receive buffer full, the write would block for ever).
	err := servePlatform(struct {
		io.Reader
		io.Writer
	}{idleReader{c, s.cfg.IdleTimeout}, writeBound{c, s.cfg.FrameTimeout}}, s.log)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = fmt.Errorf("the client sent nothing for %s, or stopped reading answers for %s: %w", s.cfg.IdleTimeout, s.cfg.FrameTimeout, err)
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		s.log.Info("vtpm: platform connection closed", "remote", c.RemoteAddr().String(), "reason", err)
	}
}

// Simulator protocol codes (TpmTcpProtocol.h of the TPM reference implementation).
const (
	simHashStart         = 5
	simHashData          = 6
	simHashEnd           = 7
	simSendCommand       = 8
	simRemoteHandshake   = 15
	simSetAlternative    = 16
	simSessionEnd        = 20
	simStop              = 21
	simServerVersion     = 1
	simFlagsPlatform     = 0x01 // tpmPlatformAvailable
	simFlagsRaw          = 0x04 // tpmInRawMode
	simPowerOn           = 1
	simPowerOff          = 2
	simPPOn              = 3
	simPPOff             = 4
	simCancelOn          = 9
	simCancelOff         = 10
	simNVOn              = 11
	simNVOff             = 12
	simKeyCacheOn        = 13
	simKeyCacheOff       = 14
	simReset             = 17
	simRestart           = 18
	swtpmSetLocality     = 5    // swtpm control channel CMD_SET_LOCALITY, one byte follows
	swtpmBadLocality     = 0x3D // swtpm's TPM_BAD_LOCALITY
	platformRefused      = 1    // what the simulator answers an unrecognised signal
	tpmTagNoSessions     = 0x8001
	headerSize           = 10
	rcFailure            = 0x101
	rcCommandSize        = 0x142
	rcLocality           = 0x907
	ccFlushContext       = 0x165
	ccCreatePrimary      = 0x131
	ccLoad               = 0x157
	ccLoadExternal       = 0x167
	ccStartAuthSession   = 0x176
	ccCreateLoaded       = 0x191
	ccContextLoad        = 0x161
	ccHashSequenceStart  = 0x186
	ccHMACStart          = 0x15B
	handleTypeTransient  = 0x80
	handleTypeHMACSess   = 0x02
	handleTypePolicySess = 0x03
)

// serveCommands answers one command connection until it ends: bare TPM frames (swtpm) and
// simulator requests (mssim), told apart by each request's first byte.
func (s *Server) serveCommands(rw io.ReadWriter, cl *conn) error {
	br := bufio.NewReaderSize(rw, 512)
	// A connection's reads are bounded in time: between requests by IdleTimeout, within
	// one by FrameTimeout (a Unix socket or a test's pipe may have no deadlines).
	dl, _ := rw.(interface{ SetReadDeadline(time.Time) error })
	deadline := func(d time.Duration) {
		if dl != nil {
			_ = dl.SetReadDeadline(time.Now().Add(d))
		}
	}
	for {
		var first [4]byte
		if br.Buffered() == 0 {
			deadline(s.cfg.IdleTimeout)
		}
		if _, err := io.ReadFull(br, first[:1]); err != nil {
			return err
		}
		deadline(s.cfg.FrameTimeout)
		if _, err := io.ReadFull(br, first[1:]); err != nil {
			return err
		}
		if first[0] == 0x80 {
			// A bare frame: tag (0x8001/0x8002), size, command code.
			hdr := make([]byte, headerSize)
			copy(hdr, first[:])
			if _, err := io.ReadFull(br, hdr[4:]); err != nil {
				return err
			}
			size := binary.BigEndian.Uint32(hdr[2:6])
			if size < headerSize || size > MaxCommandSize {
				// The stream cannot be resynchronised after a bad size: answer as a TPM
				// does and drop the connection.
				rw.Write(errorResponse(rcCommandSize))
				return fmt.Errorf("TPM frame header says %d bytes; a command is %d to %d", size, headerSize, MaxCommandSize)
			}
			cmd := make([]byte, size)
			copy(cmd, hdr)
			if _, err := io.ReadFull(br, cmd[headerSize:]); err != nil {
				return err
			}
			if _, err := rw.Write(s.execute(cmd, 0, cl)); err != nil {
				return err
			}
			continue
		}
		switch code := binary.BigEndian.Uint32(first[:]); code {
		case simSendCommand:
			var h [5]byte
			if _, err := io.ReadFull(br, h[:]); err != nil {
				return err
			}
			n := binary.BigEndian.Uint32(h[1:])
			if n < headerSize || n > MaxCommandSize {
				return fmt.Errorf("TPM_SEND_COMMAND of %d bytes; a command is %d to %d", n, headerSize, MaxCommandSize)
			}
			cmd := make([]byte, n)
			if _, err := io.ReadFull(br, cmd); err != nil {
				return err
			}
			cl.session = true
			rsp := s.execute(cmd, h[0], cl)
			// One write: length, response and the trailing 0, so that a client reading
			// the response with a single Read (go-tpm's tcp transport) gets all of it.
			out := binary.BigEndian.AppendUint32(make([]byte, 0, len(rsp)+8), uint32(len(rsp)))
			out = append(out, rsp...)
			if _, err := rw.Write(binary.BigEndian.AppendUint32(out, 0)); err != nil {
				return err
			}
		case simRemoteHandshake:
			var v [4]byte
			if _, err := io.ReadFull(br, v[:]); err != nil {
				return err
			}
			if binary.BigEndian.Uint32(v[:]) == 0 {
				return errors.New("TPM_REMOTE_HANDSHAKE with client version 0")
			}
			out := binary.BigEndian.AppendUint32(nil, simServerVersion)
			out = binary.BigEndian.AppendUint32(out, simFlagsPlatform|simFlagsRaw)
			if _, err := rw.Write(binary.BigEndian.AppendUint32(out, 0)); err != nil {
				return err
			}
		case simSetAlternative:
			var v [4]byte
			if _, err := io.ReadFull(br, v[:]); err != nil {
				return err
			}
			if _, err := rw.Write(make([]byte, 4)); err != nil {
				return err
			}
		case simSessionEnd:
			return nil
		case simStop:
			// The server belongs to whoever started it, not to a client.
			return errors.New("TPM_STOP: this client's connection ends; the vTPM keeps running")
		case simHashStart, simHashData, simHashEnd:
			return fmt.Errorf("H-CRTM signal %d: a guest has no locality 4 on Azure's vTPM", code)
		default:
			return fmt.Errorf("unknown request 0x%08x: neither a TPM frame (tag 0x8001/0x8002) nor a simulator request", code)
		}
	}
}

// writeBound sets a write deadline before every write: a client that sends commands but
// never reads the answers fills its socket and would otherwise hold its slot for ever.
type writeBound struct {
	net.Conn
	d time.Duration
}

func (w writeBound) Write(p []byte) (int, error) {
	if err := w.SetWriteDeadline(time.Now().Add(w.d)); err != nil {
		return 0, err
	}
	return w.Conn.Write(p)
}

// idleReader sets a read deadline before every read.
type idleReader struct {
	net.Conn
	idle time.Duration
}

func (r idleReader) Read(p []byte) (int, error) {
	if err := r.SetReadDeadline(time.Now().Add(r.idle)); err != nil {
		return 0, err
	}
	return r.Conn.Read(p)
}

// servePlatform answers the platform (mssim) or control (swtpm) port. Signals that would
// change the vTPM under the guest — power off, reset, another locality — are refused.
func servePlatform(rw io.ReadWriter, log *slog.Logger) error {
	br := bufio.NewReaderSize(rw, 64)
	reply := func(v uint32) error {
		_, err := rw.Write(binary.BigEndian.AppendUint32(nil, v))
		return err
	}
	for {
		var b [4]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return err
		}
		switch code := binary.BigEndian.Uint32(b[:]); code {
		case simPowerOn, simNVOn, simPPOn, simPPOff, simCancelOn, simCancelOff, simKeyCacheOn, simKeyCacheOff:
			// The vTPM is on and its NV available while the server runs; commands run to
			// completion at once, so there is nothing to cancel; nothing here needs
			// physical presence.
			if err := reply(0); err != nil {
				return err
			}
		case swtpmSetLocality:
			var loc [1]byte
			if _, err := io.ReadFull(br, loc[:]); err != nil {
				return err
			}
			if loc[0] != 0 {
				log.Info("vtpm: refused locality", "locality", loc[0])
				if err := reply(swtpmBadLocality); err != nil {
					return err
				}
				continue
			}
			if err := reply(0); err != nil {
				return err
			}
		case simPowerOff, simNVOff, simReset, simRestart:
			log.Info("vtpm: refused platform signal: the guest cannot power-cycle or reset Azure's vTPM; restart cvmscope vtpm instead", "signal", code)
			if err := reply(platformRefused); err != nil {
				return err
			}
		case simSessionEnd:
			return nil
		case simStop:
			return errors.New("TPM_STOP: this client's connection ends; the vTPM keeps running")
		default:
			reply(platformRefused)
			return fmt.Errorf("unsupported platform or control request %d", code)
		}
	}
}

// execute runs one command on the TPM and returns its response. Whatever goes wrong, the
// client gets a well-formed TPM response.
func (s *Server) execute(cmd []byte, locality byte, cl *conn) []byte {
	if len(cmd) < headerSize || binary.BigEndian.Uint32(cmd[2:6]) != uint32(len(cmd)) {
		return errorResponse(rcCommandSize)
	}
	if locality != 0 {
		// The embedded simulator runs every command at locality 0, and an Azure guest
		// has no other.
		return errorResponse(rcLocality)
	}
	cc := binary.BigEndian.Uint32(cmd[6:10])
	s.mu.Lock()
	defer s.mu.Unlock()
	if rsp, ok := s.reportReadWithHMAC(cmd); ok {
		s.log.Debug("vtpm command (report read under an HMAC session)", "cc", fmt.Sprintf("0x%x", cc), "rc", fmt.Sprintf("0x%x", binary.BigEndian.Uint32(rsp[6:10])), "remote", cl.id)
		return rsp
	}
	rsp, err := s.cfg.TPM.Send(cmd)
	if err == nil && (len(rsp) < headerSize || binary.BigEndian.Uint32(rsp[2:6]) != uint32(len(rsp))) {
		err = fmt.Errorf("malformed %d-byte response", len(rsp))
	}
	if err != nil {
		s.log.Warn("vtpm: command failed inside the server; answering TPM_RC_FAILURE", "cc", fmt.Sprintf("0x%x", cc), "remote", cl.id, "err", err)
		return errorResponse(rcFailure)
	}
	rc := binary.BigEndian.Uint32(rsp[6:10])
	s.log.Debug("vtpm command", "cc", fmt.Sprintf("0x%x", cc), "rc", fmt.Sprintf("0x%x", rc), "in", len(cmd), "out", len(rsp), "remote", cl.id)
	if rc == 0 {
		s.track(cc, cmd, rsp, cl)
		s.observe(cmd, rsp)
	}
	return rsp
}

// track records which connection created a transient object or session, and forgets it
// when flushed. s.mu held.
func (s *Server) track(cc uint32, cmd, rsp []byte, cl *conn) {
	switch cc {
	case ccCreatePrimary, ccLoad, ccLoadExternal, ccStartAuthSession, ccCreateLoaded, ccContextLoad, ccHashSequenceStart, ccHMACStart:
		if len(rsp) >= headerSize+4 {
			h := binary.BigEndian.Uint32(rsp[headerSize:])
			switch {
			case !flushable(h):
			case cl.session:
				s.owners[h] = cl
			default:
				// A reused handle now belongs to a bare-frame client, which keeps it
				// after its connection ends: whoever held it before must not flush it.
				delete(s.owners, h)
			}
		}
	case ccFlushContext:
		if len(cmd) >= headerSize+4 {
			delete(s.owners, binary.BigEndian.Uint32(cmd[headerSize:]))
		}
	}
}

func flushable(h uint32) bool {
	switch h >> 24 {
	case handleTypeTransient, handleTypeHMACSess, handleTypePolicySess:
		return true
	}
	return false
}

// release flushes what cl left loaded. A handle since reused by another connection has
// that connection as its owner, so it is left alone; one already gone fails harmlessly.
func (s *Server) release(cl *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for h, owner := range s.owners {
		if owner != cl {
			continue
		}
		delete(s.owners, h)
		delete(s.sessions, h)
		if _, err := s.cfg.TPM.Send(flushCmd(h)); err == nil {
			s.log.Debug("vtpm: flushed what a closed connection left loaded", "handle", fmt.Sprintf("0x%08x", h), "remote", cl.id)
		}
	}
}

// afterRelease, for tests, runs after a command connection's leftovers were flushed.
var afterRelease atomic.Pointer[func()]

// Loaded is the number of transient objects and sessions connections hold now.
func (s *Server) Loaded() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.owners)
}

func errorResponse(rc uint32) []byte {
	b := binary.BigEndian.AppendUint16(nil, tpmTagNoSessions)
	b = binary.BigEndian.AppendUint32(b, headerSize)
	return binary.BigEndian.AppendUint32(b, rc)
}
