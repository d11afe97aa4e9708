// Package maaemu is a local Microsoft Azure Attestation (MAA) provider for the simulated
// CVM: the same endpoints, api-versions, request encodings, error shapes, key set and token
// format as MAA, served over HTTPS on loopback (or a room's network when allowed) with a
// test CA made at start, which clients outside the process trust to connect and for
// nothing more.
//
// It verifies what it receives for real, against the anchors its caller configures only
// (Config.Anchors, the simulated CVM's test roots; nothing a request brings is trusted): the AK certificate chain, the
// TPM quote and PCRs, the event log replay, the ephemeral key's certification and PCR
// policy, and the SEV-SNP report with its VCEK chain or the TD quote with its PCK chain,
// bound to the runtime claims. Every claim of the token it then issues is derived from that
// evidence. A default policy denies what MAA's shared providers deny (Secure Boot off, a
// debuggable TEE, boot or kernel debugging), with MAA's error body.
//
// Tokens are signed RS256 with the configured key (the simulated MAA key), published at
// /certs. Fault knobs (Config) stage the failures the workshop's scenarios show: a slow or
// throttled service, server errors, an unknown signing key, expired, skewed or misissued
// tokens.
package maaemu

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/loopback"
	"github.com/cvmscope/cvmscope/attestation/policy"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// DefaultMaxBodyBytes bounds a request body. An AzureGuest body carries the event log
// base64-encoded twice; a large Windows log of 1-2 MiB stays well inside.
const DefaultMaxBodyBytes = 8 << 20

// Config configures the emulator. The zero value serves HTTPS on a free loopback port with
// the default seed and no faults.
type Config struct {
	// Listen is the address to listen on; "" means "127.0.0.1:0" (a free port).
	Listen string
	// PlainHTTP serves http:// instead of https:// (cvmscope emulator --http).
	PlainHTTP bool
	// Hosts are extra DNS names or IPs the TLS certificate names, for clients that reach
	// the emulator by another address (a room's emulator on the presenter's machine). An
	// emulator listening on every interface adds this machine's addresses and host name.
	Hosts []string
	// Log, when set, gets one line per request (method, path, status, time, sizes); never
	// a body, so never a token or key.
	Log *slog.Logger
	// AllowNonLoopback permits a listen address outside loopback. Off by default: the
	// emulator signs with public test keys and must not look like a service to a network.
	AllowNonLoopback bool
	// Anchors are the roots the emulator verifies evidence against and the key it signs
	// with. Required: the caller chooses them (the simulated CVM's test roots); the emulator
	// neither has nor invents its own.
	Anchors Anchors
	// MaxBodyBytes bounds request bodies; zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// Delay holds every attest call this long before answering (scenario maa-slow).
	Delay time.Duration
	// Throttle answers the first N attest calls with 429 and Retry-After: 1 (maa-429).
	Throttle int
	// Fail5xx answers the next N attest calls (after any throttled ones) with 500 or 503;
	// a negative value fails every call (maa-500).
	Fail5xx int
	// UnknownKey signs tokens with a key that /certs does not publish.
	UnknownKey bool
	// Expired issues tokens whose iat, nbf and exp lie in the past (exp an hour ago).
	Expired bool
	// WrongIssuer issues tokens whose iss names another provider.
	WrongIssuer bool
	// ClockSkew moves iat and nbf (and exp with them) this far into the future, as a
	// provider whose clock runs ahead.
	ClockSkew time.Duration
	// Now is the emulator's clock for verification and tokens; nil means time.Now.
	Now func() time.Time
	// Policy, when set, is the owner's policy for every attestation type instead of the
	// built-in ones (cvmscope emulator --policy; custompolicy.go).
	Policy *policy.Policy
}

// Server is a running emulator.
type Server struct {
	cfg     Config
	url     string
	pool    *x509.CertPool
	certPEM []byte
	// tlsNames is the server certificate: a request for one of the hosts it names gets
	// tokens issued by that host's URL.
	tlsNames *x509.Certificate
	srv      *loopback.Server
	handler  http.Handler

	trust  roots
	signer signer
	// rogue is the unpublished key UnknownKey signs with.
	rogue *signer

	mu    sync.Mutex
	calls int // attest calls seen, for Throttle and Fail5xx
	log   loopback.Log[Call]
	// certs caches the signing key's certificate for each provider URL (providerCert).
	certs sync.Map
}

// Call is one request the emulator answered, for tests and the UI.
type Call struct {
	Time     time.Time     `json:"time"`
	Method   string        `json:"method"`
	Path     string        `json:"path"` // path and query as requested
	Status   int           `json:"status"`
	Duration time.Duration `json:"duration"`
	// Error is the code and message of an error answer.
	Error string `json:"error,omitempty"`
	// Fault names the knob that shaped the answer: "delay", "throttle" or "fail5xx".
	Fault string `json:"fault,omitempty"`
}

// Start listens and serves until Close.
func Start(cfg Config) (*Server, error) {
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := loopback.CheckListen("MAA emulator", cfg.Listen, cfg.AllowNonLoopback); err != nil {
		return nil, err
	}
	if err := cfg.Anchors.check(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, trust: roots{cfg.Anchors}}
	a := cfg.Anchors
	s.signer = signer{key: a.SigningKey, cert: a.SigningCert, kid: KeyID(a.SigningCert.Raw)}
	if cfg.UnknownKey {
		// Generated, not embedded: a key nobody can look up anywhere, as after a rotation
		// the verifier has not seen.
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fault.Errorf(fault.Internal, "MAA emulator: generating the unpublished key: %v", err)
		}
		spki, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
		s.rogue = &signer{key: k, kid: KeyID(spki)}
	}

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fault.WithHint(fault.Internal, fmt.Errorf("MAA emulator: listen on %s: %w", cfg.Listen, err),
			"choose a free port (--listen 127.0.0.1:0 picks one)")
	}
	addr := ln.Addr().(*net.TCPAddr)
	host := addr.IP
	if host.IsUnspecified() {
		host = net.IPv4(127, 0, 0, 1)
	}
	hostport := net.JoinHostPort(host.String(), fmt.Sprint(addr.Port))
	s.handler = http.HandlerFunc(s.serveHTTP)
	var tlsConf *tls.Config
	if cfg.PlainHTTP {
		s.url = "http://" + hostport
	} else {
		hosts := cfg.Hosts
		if addr.IP.IsUnspecified() {
			hosts = append(roomHosts(), hosts...)
		}
		cert, ca, err := serverCert(addr.IP, hosts)
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.pool = x509.NewCertPool()
		s.pool.AddCert(ca)
		s.certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})
		s.tlsNames = cert.Leaf
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.url = "https://" + hostport
	}
	s.srv = loopback.Serve(ln, s.handler, tlsConf)
	return s, nil
}

// TestCAName is the subject CN of the test CA each emulator makes at start: whoever trusts
// it (curl --cacert, NODE_EXTRA_CA_CERTS, cvmscope --emulator-ca) can reach this emulator
// over TLS, and nothing more. It vouches for the transport only, never for tokens.
const TestCAName = "cvmscope TEST CA for the MAA emulator (SIMULATED, not for production)"

// serverCert makes the emulator's TLS certificates: a test CA (ECDSA P-256, made fresh at
// each start, its key never leaving this process) and a server certificate it issues for
// 127.0.0.1, ::1, localhost, the listen address and hosts. Both are valid for 30 days (a
// standalone emulator runs through a workshop day; a restart makes new ones).
func serverCert(listen net.IP, hosts []string) (leaf tls.Certificate, ca *x509.Certificate, err error) {
	fail := func(what string, err error) (tls.Certificate, *x509.Certificate, error) {
		return tls.Certificate{}, nil, fault.Errorf(fault.Internal, "MAA emulator: %s: %v", what, err)
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fail("test CA key", err)
	}
	// Real time, not Config.Now: the client judges the certificate by its own clock.
	start, end := time.Now().Add(-time.Hour), time.Now().Add(30*24*time.Hour)
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: TestCAName, Organization: []string{"SIMULATED TEST CERTIFICATE"}},
		NotBefore:             start,
		NotAfter:              end,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return fail("test CA certificate", err)
	}
	if ca, err = x509.ParseCertificate(caDER); err != nil {
		return fail("test CA certificate", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fail("TLS key", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "cvmscope SIMULATED MAA emulator", Organization: []string{"SIMULATED TEST CERTIFICATE"}},
		NotBefore:    start,
		NotAfter:     end,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}
	if !listen.IsLoopback() && !listen.IsUnspecified() {
		tmpl.IPAddresses = append(tmpl.IPAddresses, listen)
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return fail("TLS certificate", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return fail("TLS certificate", err)
	}
	return tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key, Leaf: cert}, ca, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

// roomHosts are the addresses a client elsewhere may use to reach an emulator that listens
// on every interface: this machine's unicast addresses and host name.
func roomHosts() []string {
	var hosts []string
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
				hosts = append(hosts, n.IP.String())
			}
		}
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	return hosts
}

// KeyID is MAA's kid form: standard base64 of a SHA-256 (44 characters). Which bytes MAA
// hashes is [UNSURE] (protocol §5.1); here the signing certificate's DER.
func KeyID(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// URL is the provider's base, scheme://host:port, as tokens name it in iss.
func (s *Server) URL() string { return s.url }

// CertNames are the host names and IPs the TLS certificate names: the addresses a client
// elsewhere may use (and that tokens then name as issuer). Nil with PlainHTTP.
func (s *Server) CertNames() []string {
	if s.tlsNames == nil {
		return nil
	}
	names := append([]string(nil), s.tlsNames.DNSNames...)
	for _, ip := range s.tlsNames.IPAddresses {
		names = append(names, ip.String())
	}
	return names
}

// CertPool holds the emulator's test CA; pass it to maa.NewClient. Nil with PlainHTTP.
func (s *Server) CertPool() *x509.CertPool { return s.pool }

// CertPEM is the test CA as PEM, for clients outside this process (curl --cacert,
// NODE_EXTRA_CA_CERTS, cvmscope --emulator-ca). Nil with PlainHTTP.
func (s *Server) CertPEM() []byte { return append([]byte(nil), s.certPEM...) }

// HTTPClient talks to the emulator, trusting only its certificate and never a proxy (for
// token.NewProvider and other clients).
func (s *Server) HTTPClient() *http.Client {
	tr := &http.Transport{Proxy: nil, ForceAttemptHTTP2: true, TLSHandshakeTimeout: 10 * time.Second}
	if s.pool != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: s.pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// Handler is the emulator's routes, for mounting elsewhere; tokens still name URL() as
// their issuer.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops the server and waits until its goroutines are gone. Delayed calls end at
// once.
func (s *Server) Close() error { return s.srv.Close() }

// Requests returns the calls answered so far, oldest first (at most the last
// loopback.MaxLog).
func (s *Server) Requests() []Call { return s.log.All() }

func (s *Server) record(c Call) { s.log.Add(c) }
