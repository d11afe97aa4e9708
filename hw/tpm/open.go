package tpm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/google/go-tpm-tools/simulator"
	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
	gotcp "github.com/google/go-tpm/tpm2/transport/tcp"
)

// TPM is an open TPM connection. It is not safe for concurrent use: a TPM runs one
// command at a time and callers (tea.Cmds) must take turns.
type TPM struct {
	raw    transport.TPM // what was opened, without logging
	tr     transport.TPM // raw behind the logging wrapper
	closer io.Closer
	desc   string
	descKO string // desc in Korean; empty when desc is a path or address that reads the same

	mu       sync.Mutex
	nvBufMax int // TPM_PT_NV_BUFFER_MAX, 0 until asked
}

// Open opens a TPM. Targets:
//
//	auto              /dev/tpmrm0, then /dev/tpm0 (on Windows: tbs)
//	/dev/...          that device
//	tbs               Windows' TPM Base Services (Windows builds only)
//	tcp://HOST:PORT   swtpm's TCP data channel (raw command/response frames)
//	mssim://HOST:PORT the Microsoft simulator protocol (command port PORT, platform PORT+1)
//	sim, sim:SEED     go-tpm-tools' embedded simulator, random or fixed-seed (insecure)
func Open(ctx context.Context, target string) (*TPM, error) {
	switch {
	case target == "" || target == "auto":
		return openAuto()
	case strings.HasPrefix(target, "tcp://"):
		return openRawTCP(ctx, strings.TrimPrefix(target, "tcp://"))
	case strings.HasPrefix(target, "mssim://"):
		return openMSSim(ctx, strings.TrimPrefix(target, "mssim://"))
	case target == "sim" || strings.HasPrefix(target, "sim:"):
		return openSim(ctx, strings.TrimPrefix(strings.TrimPrefix(target, "sim"), ":"))
	case strings.HasPrefix(target, "/"), target == TargetTBS:
		return openDevice(target)
	}
	return nil, fault.Korean(fault.WithHint(fault.Internal,
		fmt.Errorf("unknown TPM target %q", target),
		"use auto, a device path such as /dev/tpmrm0, tbs (Windows), tcp://HOST:PORT, mssim://HOST:PORT, sim or sim:SEED"),
		fmt.Sprintf("알 수 없는 TPM 대상 %q입니다", target),
		"auto, /dev/tpmrm0 같은 장치 경로, tbs(Windows), tcp://HOST:PORT, mssim://HOST:PORT, sim 또는 sim:SEED 중 하나를 지정합니다")
}

// Wrap makes a TPM of any transport, e.g. a simulated paravisor in front of another
// TPM's Transport(). desc says what it is. Close closes tr when tr is an io.Closer.
func Wrap(tr transport.TPM, desc string) *TPM {
	t := &TPM{raw: tr, tr: NewLogging(tr, nil), desc: desc}
	if c, ok := tr.(io.Closer); ok {
		t.closer = c
	}
	return t
}

// Interpose puts a transport in front of this TPM's: the returned TPM sends every
// command through front(t.Transport()) and its Close closes t. Use it for a stand-in
// that answers some commands itself and passes the rest on.
func (t *TPM) Interpose(front func(transport.TPM) transport.TPM, desc string) *TPM {
	n := Wrap(front(t.raw), desc)
	n.closer = t
	return n
}

// Transport is the underlying transport, without the logging wrapper.
func (t *TPM) Transport() transport.TPM { return t.raw }

// Desc says what was opened, e.g. "/dev/tpmrm0" or "embedded simulator (seed 1)".
func (t *TPM) Desc() string { return t.desc }

// DescKO is Desc in Korean ("내장 시뮬레이터 (시드 1)"); a device path stays as it is.
func (t *TPM) DescKO() string {
	if t.descKO == "" {
		return t.desc
	}
	return t.descKO
}

// SetDescKO gives Desc's Korean, for a TPM made with Wrap or Interpose; it returns t.
func (t *TPM) SetDescKO(ko string) *TPM {
	t.descKO = ko
	return t
}

// Close releases the TPM.
func (t *TPM) Close() error {
	if t.closer == nil {
		return nil
	}
	c := t.closer
	t.closer = nil
	return c.Close()
}

func openAuto() (*TPM, error) {
	var firstErr error
	for _, p := range DefaultDevices {
		t, err := openDevice(p)
		if err == nil {
			return t, nil
		}
		// Prefer reporting "permission denied" on an existing device over "missing".
		if firstErr == nil || (errors.Is(firstErr, os.ErrNotExist) && !errors.Is(err, os.ErrNotExist)) {
			firstErr = err
		}
	}
	return nil, firstErr
}

func openRawTCP(ctx context.Context, addr string) (*TPM, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, connectError("tcp://"+addr, err)
	}
	return Wrap(&rawTCP{conn: conn}, "swtpm at tcp://"+addr).SetDescKO("tcp://" + addr + "의 swtpm"), nil
}

func openMSSim(ctx context.Context, addr string) (*TPM, error) {
	host, port, err := net.SplitHostPort(addr)
	p, perr := strconv.Atoi(port)
	if err != nil || perr != nil || p <= 0 || p >= 65535 {
		return nil, fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("mssim target %q is not HOST:PORT", addr),
			"give the simulator's command port, e.g. mssim://127.0.0.1:2321 (platform port is PORT+1)"),
			fmt.Sprintf("mssim 대상 %q이(가) HOST:PORT 형식이 아닙니다", addr),
			"시뮬레이터의 명령 포트를 지정합니다. 예: mssim://127.0.0.1:2321 (플랫폼 포트는 PORT+1)")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	plat := net.JoinHostPort(host, strconv.Itoa(p+1))
	sim, err := gotcp.Open(gotcp.Config{CommandAddress: addr, PlatformAddress: plat})
	if err != nil {
		return nil, connectError("mssim://"+addr, err)
	}
	if err := sim.PowerOn(); err != nil {
		sim.Close()
		return nil, connectError("mssim://"+addr, err)
	}
	t := Wrap(sim, "Microsoft TPM simulator at mssim://"+addr).SetDescKO("mssim://" + addr + "의 Microsoft TPM 시뮬레이터")
	// A freshly powered simulator needs TPM2_Startup; an already started one answers
	// TPM_RC_INITIALIZE, which is fine.
	if _, err := (tpm2.Startup{StartupType: tpm2.TPMSUClear}).Execute(t.tr); err != nil && !errors.Is(err, tpm2.TPMRCInitialize) {
		t.Close()
		return nil, commandError("TPM2_Startup", "", err)
	}
	return t, nil
}

func connectError(target string, err error) error {
	e := &Error{Command: "open", Target: target, Name: "CONNECT_FAILED", Meaning: err.Error(),
		Hint: "start swtpm (swtpm socket --tpm2 --tpmstate dir=$(mktemp -d) --server type=tcp,port=PORT --flags not-need-init,startup-clear) or check the address", err: err,
		MeaningKO: "TPM에 연결할 수 없습니다 (" + err.Error() + ")",
		HintKO:    "swtpm을 시작하거나(swtpm socket --tpm2 --tpmstate dir=$(mktemp -d) --server type=tcp,port=PORT --flags not-need-init,startup-clear) 주소를 확인합니다"}
	return e.fault(fault.Device)
}

// NoSimulatorHint says how to get a TPM when this build has no embedded simulator.
const (
	NoSimulatorHint   = "run swtpm (Debian: apt install swtpm swtpm-tools; then swtpm socket --tpm2 --tpmstate dir=$(mktemp -d) --server type=tcp,port=2321 --ctrl type=tcp,port=2322 --flags not-need-init,startup-clear) and pass --tpm tcp://127.0.0.1:2321, or build cvmscope with cgo (CGO_ENABLED=1, gcc and libssl-dev)"
	NoSimulatorHintKO = "swtpm을 실행하고(Debian: apt install swtpm swtpm-tools. 이어서 swtpm socket --tpm2 --tpmstate dir=$(mktemp -d) --server type=tcp,port=2321 --ctrl type=tcp,port=2322 --flags not-need-init,startup-clear) --tpm tcp://127.0.0.1:2321을 넘기거나, cvmscope를 cgo로 빌드합니다(CGO_ENABLED=1, gcc와 libssl-dev)"
)

func openSim(ctx context.Context, seed string) (*TPM, error) {
	if !EmbeddedSimulator {
		return nil, fault.Korean(fault.WithHint(fault.Device, errors.New("this cvmscope is the pure-Go build (CGO_ENABLED=0), which has no embedded TPM simulator"), NoSimulatorHint),
			"이 cvmscope는 순수 Go 빌드(CGO_ENABLED=0)라서 내장 TPM 시뮬레이터가 없습니다", NoSimulatorHintKO)
	}
	get := simulator.Get
	desc, descKO := "embedded simulator", "내장 시뮬레이터"
	if seed != "" {
		n, err := strconv.ParseInt(seed, 10, 64)
		if err != nil {
			return nil, fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("simulator seed %q is not an integer", seed),
				"use sim or sim:SEED with a decimal SEED, e.g. sim:1"),
				fmt.Sprintf("시뮬레이터 시드 %q이(가) 정수가 아닙니다", seed), "sim 또는 10진수 SEED를 붙인 sim:SEED를 씁니다. 예: sim:1")
		}
		get = func() (*simulator.Simulator, error) { return simulator.GetWithFixedSeedInsecure(n) }
		desc, descKO = fmt.Sprintf("embedded simulator (seed %d)", n), fmt.Sprintf("내장 시뮬레이터 (시드 %d)", n)
	}
	// The simulator is process-global: Get blocks while another one is open.
	type result struct {
		s   *simulator.Simulator
		err error
	}
	ch := make(chan result, 1)
	go func() { s, err := get(); ch <- result{s, err} }()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fault.Korean(fault.WithHint(fault.Device, fmt.Errorf("embedded simulator: %w", r.err), "this is a cvmscope bug; please report it"),
				fmt.Sprintf("내장 시뮬레이터를 시작할 수 없습니다 (%v)", r.err), "cvmscope 버그입니다. 이 메시지와 함께 보고합니다")
		}
		return Wrap(transport.FromReadWriteCloser(r.s), desc).SetDescKO(descKO), nil
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.s != nil {
				r.s.Close()
			}
		}()
		if errors.Is(ctx.Err(), context.Canceled) {
			// Ctrl-C while the simulator starts: nothing else is wrong.
			return nil, fault.Korean(fault.WithHint(fault.Interrupted, fmt.Errorf("embedded simulator: interrupted while opening: %w", ctx.Err()),
				"nothing was decided; run it again to get an answer"),
				"내장 시뮬레이터: 여는 도중에 중단되었습니다", "아무것도 판정하지 않았습니다. 결과를 얻으려면 다시 실행합니다")
		}
		// Only a deadline ends the wait: Get blocks while another simulator is open.
		return nil, fault.Korean(fault.WithHint(fault.Device, fmt.Errorf("embedded simulator: %w", ctx.Err()),
			"another embedded simulator is still open in this process; close it first"),
			"내장 시뮬레이터: 열기 전에 중단되었습니다", "이 프로세스에 다른 내장 시뮬레이터가 아직 열려 있습니다. 먼저 닫습니다")
	}
}
