// Package imdsemu is a local Azure Instance Metadata Service (IMDS) for the simulated CVM:
// a real HTTP server on loopback that answers what 169.254.169.254 answers inside an Azure
// CVM (protocol §3), with the same paths, methods, headers and JSON shapes:
//
//	GET  /metadata/THIM/amd/certification       VCEK + ASK/ARK (SEV-SNP only; 404 elsewhere)
//	POST /acc/tdquote                           TDREPORT → DCAP TD quote v4 (TDX only)
//	GET  /metadata/instance?api-version=…       the instance document, and its leaves with
//	     /metadata/instance/compute/<key>?…&format=text
//
// It also stands in for THIM's public endorsement host (protocol §3.5):
//
//	GET  /endorsement/tdx/mrtds                 {"mrtds": [...]}
//	GET  /endorsement/tdx/<MRTD hex>            COSE_Sign1 paravisor endorsement
//
// Everything it serves comes from the simulated roots (hw/simcvm/simroots) and is labelled
// SIMULATED there. Fault knobs in Config stage the failures a client must survive: an
// error status for the first N calls, and a slow answer.
package imdsemu

import (
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/loopback"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

// TEE names, as hw/simcvm spells them.
const (
	TEESEVSNP        = "sevsnp"
	TEETDX           = "tdx"
	TEETrustedLaunch = "trustedlaunch"
)

// DefaultLocation is the region the emulator reports: the workshop runs in Korea Central.
const DefaultLocation = "koreacentral"

// DefaultVMSize is the smallest Azure size of each kind: DCas_v5 (SEV-SNP), DCes_v5 (TDX),
// Dsv5 (Trusted Launch).
func DefaultVMSize(tee string) string {
	switch tee {
	case TEESEVSNP:
		return "Standard_DC2as_v5"
	case TEETDX:
		return "Standard_DC2es_v5"
	}
	return "Standard_D2s_v5"
}

// Config is what the emulator serves. FromCVM fills it from a simulated CVM.
type Config struct {
	// Listen is a loopback address, or IMDSAddress (port 80 for clients that hard-code it);
	// "" means "127.0.0.1:0" (a free port). CheckListen refuses anything else: IMDS is
	// local to a VM, and this one hands out quotes.
	Listen string

	// TEE is "sevsnp", "tdx" or "trustedlaunch"; it decides which endpoints exist.
	TEE string
	// VMID is compute.vmId. IMDS writes it lower-case; the runtime claims' vmUniqueId is
	// the same GUID upper-case.
	VMID string
	// Name, Location (default DefaultLocation), VMSize (default DefaultVMSize(TEE)) and
	// OSType (default "Linux") fill the instance document.
	Name, Location, VMSize, OSType string
	// SecureBoot is securityProfile.secureBootEnabled.
	SecureBoot bool

	// VCEKCert and CertChain are THIM's vcekCert and certificateChain (PEM; SEV-SNP).
	VCEKCert, CertChain string
	// TCBM is THIM's tcbm, 16 hex digits of the reported TCB the VCEK is for.
	TCBM string
	// TDX makes quotes for POST /acc/tdquote (TDX).
	TDX *simroots.TDX

	// Endorser signs the paravisor endorsements of MRTDs, at EndorsementSVN. Nil serves
	// no endorsements (404).
	Endorser       *simroots.Endorser
	MRTDs          [][]byte
	EndorsementSVN int

	// FailStatus answers requests with this HTTP status instead of their result: the first
	// FailFirst of them, or all when FailFirst is 0. FailPath limits it to paths starting
	// with that prefix ("" = every path).
	FailStatus int
	FailFirst  int
	FailPath   string
	// Delay holds every answer this long (Close cuts it short).
	Delay time.Duration
}

// Request is one request the emulator answered, for tests and the UI.
type Request struct {
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	// Path is the path and query as requested.
	Path string `json:"path"`
	// Metadata is the value of the Metadata header ("" when absent).
	Metadata string        `json:"metadata,omitempty"`
	Status   int           `json:"status"`
	Duration time.Duration `json:"duration"`
	// Error is the body of an error answer; Fault names the knob that shaped the answer.
	Error string `json:"error,omitempty"`
	Fault string `json:"fault,omitempty"`
}

// Server is a running emulator.
type Server struct {
	cfg   Config
	url   string
	srv   *loopback.Server
	mrtds map[string][]byte // upper-case hex → MRTD
	log   loopback.Log[Request]

	mu     sync.Mutex
	failed int // requests answered with FailStatus so far
}

// Start validates cfg, listens on loopback and serves until Close.
func Start(cfg Config) (*Server, error) {
	switch cfg.TEE {
	case TEESEVSNP, TEETDX, TEETrustedLaunch:
	default:
		return nil, fault.WithHint(fault.Internal, fmt.Errorf("IMDS emulator: unknown TEE %q", cfg.TEE), "use sevsnp, tdx or trustedlaunch")
	}
	if cfg.TEE == TEESEVSNP && (len(cfg.VCEKCert) == 0 || len(cfg.CertChain) == 0) {
		return nil, fault.Errorf(fault.Internal, "IMDS emulator: an SEV-SNP VM needs VCEKCert and CertChain for THIM (simcvm.CVM.VCEKChain)")
	}
	if cfg.TEE == TEETDX && cfg.TDX == nil {
		return nil, fault.Errorf(fault.Internal, "IMDS emulator: a TDX VM needs Config.TDX to answer /acc/tdquote (simcvm.CVM.TDX)")
	}
	if cfg.VMID == "" {
		return nil, fault.Errorf(fault.Internal, "IMDS emulator: Config.VMID is empty; use the CVM's vmUniqueId (simcvm.CVM.VMID)")
	}
	if cfg.FailStatus != 0 && (cfg.FailStatus < 400 || cfg.FailStatus > 599) {
		return nil, fault.Errorf(fault.Internal, "IMDS emulator: FailStatus %d is not an HTTP error status (400-599)", cfg.FailStatus)
	}
	if cfg.Location == "" {
		cfg.Location = DefaultLocation
	}
	if cfg.VMSize == "" {
		cfg.VMSize = DefaultVMSize(cfg.TEE)
	}
	if cfg.OSType == "" {
		cfg.OSType = "Linux"
	}
	if cfg.Name == "" {
		cfg.Name = "cvmscope-sim-" + cfg.TEE
	}
	s := &Server{cfg: cfg, mrtds: map[string][]byte{}}
	for i, m := range cfg.MRTDs {
		if len(m) != 48 {
			return nil, fault.Errorf(fault.Internal, "IMDS emulator: MRTDs[%d] is %d bytes, want 48", i, len(m))
		}
		s.mrtds[strings.ToUpper(fmt.Sprintf("%x", m))] = append([]byte(nil), m...)
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if err := CheckListen(cfg.Listen); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		if host, _, _ := net.SplitHostPort(cfg.Listen); host == IMDSAddress {
			return nil, fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("IMDS emulator: listen on %s: %w", cfg.Listen, err),
				"first add the address to an interface of this network namespace (ip addr add 169.254.169.254/32 dev lo); port 80 needs root or CAP_NET_BIND_SERVICE"),
				fmt.Sprintf("IMDS 에뮬레이터가 %s에서 수신할 수 없습니다. %s", cfg.Listen, fault.QuoteKO("오류 원문", err.Error())),
				"먼저 이 네트워크 네임스페이스의 인터페이스에 주소를 붙입니다(ip addr add 169.254.169.254/32 dev lo). 80번 포트에는 root나 CAP_NET_BIND_SERVICE가 필요합니다")
		}
		return nil, fault.Errorf(fault.Internal, "IMDS emulator: listen on %s: %v", cfg.Listen, err)
	}
	s.url = "http://" + ln.Addr().String()
	s.srv = loopback.Serve(ln, http.HandlerFunc(s.serveHTTP), nil)
	return s, nil
}

// IMDSAddress is where Azure's Instance Metadata Service answers inside every VM, and
// where clients that do not let you change it (go-azguestattestation) look for it.
const IMDSAddress = "169.254.169.254"

// CheckListen accepts a loopback address or IMDSAddress (any port; clients use :80) and
// refuses the rest, before anything is started. 169.254.169.254 is link-local: never routed
// off the link, and on lo inside a network namespace (the README's recipe) that namespace's
// alone; put on a real interface, machines on the same link could reach it. An unspecified
// address (0.0.0.0, [::]) or any other would serve simulated quotes to the network.
func CheckListen(addr string) error {
	if host, _, err := net.SplitHostPort(addr); err == nil && host == IMDSAddress {
		return nil
	}
	err := loopback.CheckListen("IMDS emulator", addr, false)
	if err == nil {
		return nil
	}
	return fault.Korean(fault.WithHint(fault.Internal,
		fmt.Errorf("IMDS emulator: listen address %q: give a loopback address or %s:80, the IMDS address", addr, IMDSAddress),
		"for clients with a fixed IMDS address, run cvmscope vtpm in a network namespace whose lo carries 169.254.169.254 (see README, A simulated Azure vTPM for any client)"),
		fmt.Sprintf("IMDS 에뮬레이터 수신 주소 %q: 루프백 주소나 IMDS 주소 %s:80을 지정합니다", addr, IMDSAddress),
		"IMDS 주소가 고정된 클라이언트는 lo에 169.254.169.254를 둔 네트워크 네임스페이스 안에서 cvmscope vtpm을 실행합니다(README.ko.md의 「다른 클라이언트에서 쓰는 시뮬레이션 Azure vTPM」 참고)")
}

// URL is the emulator's base, http://127.0.0.1:port (or http://169.254.169.254:80): set it as imds.Client.BaseURL, and as
// THIMBase for the endorsement host.
func (s *Server) URL() string { return s.url }

// Close stops the server and waits until every goroutine it started is gone; delayed
// answers end at once.
func (s *Server) Close() error { return s.srv.Close() }

// Requests returns the requests answered so far, oldest first (at most the last
// loopback.MaxLog).
func (s *Server) Requests() []Request { return s.log.All() }

func (s *Server) record(r Request) { s.log.Add(r) }

// takeFault reports whether this request is answered with FailStatus.
func (s *Server) takeFault(path string) bool {
	if s.cfg.FailStatus == 0 || !strings.HasPrefix(path, s.cfg.FailPath) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.FailFirst > 0 && s.failed >= s.cfg.FailFirst {
		return false
	}
	s.failed++
	return true
}
