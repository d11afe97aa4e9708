package maaemu

import (
	"errors"
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/loopback"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/policy"
)

// attestKinds maps the lower-cased attest path to the endpoint's name. MAA's routes are
// matched without regard to case, as Azure front ends do.
var attestKinds = map[string]string{
	"/attest/azureguest": "AzureGuest",
	"/attest/sevsnpvm":   "SevSnpVm",
	"/attest/tdxvm":      "TdxVm",
}

// APIVersions are the api-versions MAA's data plane serves (REST specs 2018-09-01-preview
// to 2025-06-01; 2023-04-01-preview is the one clients send to TdxVm). The emulator answers
// each alike; another is refused as Azure refuses it.
var APIVersions = []string{"2018-09-01-preview", "2020-10-01", "2022-08-01", "2022-09-01-preview", "2023-04-01-preview", "2025-06-01"}

// checkAPIVersion refuses an api-version MAA does not serve, with Azure's
// InvalidApiVersionParameter answer listing the ones it does; a missing one is refused
// only where required (attest and policy calls).
func checkAPIVersion(r *http.Request, required bool) *apiError {
	v, ok := r.URL.Query()["api-version"]
	switch {
	case !ok || len(v) == 0 || v[0] == "":
		if !required {
			return nil
		}
		return &apiError{Status: http.StatusBadRequest, Code: "MissingApiVersionParameter",
			Message: "The api-version query parameter (?api-version=) is required for all requests; AzureGuest uses 2020-10-01."}
	case slices.Contains(APIVersions, v[0]):
		return nil
	}
	return &apiError{Status: http.StatusBadRequest, Code: "InvalidApiVersionParameter",
		Message: fmt.Sprintf("The api-version '%s' is invalid. The supported versions are '%s'.", v[0], strings.Join(APIVersions, ","))}
}

// base is the provider URL a request reached: the host it asked for when the emulator
// answers to that name (the TLS certificate names it, or a loopback name over plain
// http), else URL(). Tokens name it as issuer, as MAA names the host that was called.
func (s *Server) base(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		return s.url
	}
	switch {
	case s.tlsNames != nil && r.TLS != nil && s.tlsNames.VerifyHostname(host) == nil:
		return "https://" + strings.ToLower(r.Host)
	case s.tlsNames == nil && loopback.IsLoopbackHost(host):
		return "http://" + strings.ToLower(r.Host)
	}
	return s.url
}

func (s *Server) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w := &loopback.StatusWriter{ResponseWriter: rw}
	call := Call{Time: s.cfg.Now(), Method: r.Method, Path: r.URL.RequestURI()}
	defer func() {
		call.Status, call.Duration = w.Status, time.Since(start)
		s.record(call)
		if s.cfg.Log != nil {
			// The path and query only: bodies carry evidence and tokens.
			s.cfg.Log.Info("MAA emulator", "method", r.Method, "path", r.URL.RequestURI(), "status", w.Status,
				"took", call.Duration.Round(time.Microsecond), "in", r.ContentLength, "out", w.Bytes,
				"from", r.RemoteAddr, "fault", call.Fault, "error", call.Error)
		}
	}()
	fail := func(e *apiError) {
		call.Error = e.Error()
		e.write(w)
	}
	base := s.base(r)
	path := strings.ToLower(strings.TrimSuffix(r.URL.Path, "/"))
	if kind, ok := attestKinds[path]; ok {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			fail(&apiError{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed",
				Message: fmt.Sprintf("%s %s is not supported; attestation requests are POSTed", r.Method, r.URL.Path)})
			return
		}
		if e := checkAPIVersion(r, true); e != nil {
			fail(e)
			return
		}
		s.attest(w, r, kind, base, &call, fail)
		return
	}
	var body []byte
	var aerr *apiError
	switch kind, isPolicy := policyKinds[strings.TrimPrefix(path, "/policies/")]; {
	case path == "/certs":
		aerr = checkAPIVersion(r, false)
		body = s.signingKeys(base)
	case path == "/.well-known/openid-configuration":
		aerr = checkAPIVersion(r, false)
		body = s.openIDConfiguration(base)
	case isPolicy && strings.HasPrefix(path, "/policies/"):
		if aerr = checkAPIVersion(r, true); aerr == nil {
			body, aerr = s.policyResult(kind, base)
		}
	default:
		fail(&apiError{Status: http.StatusNotFound, Code: "NotFound",
			Message: fmt.Sprintf("no such endpoint %s; the emulator serves /attest/{AzureGuest,SevSnpVm,TdxVm}, /policies/{AzureGuest,SevSnpVm,TdxVm}, /certs and /.well-known/openid-configuration", r.URL.Path)})
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		fail(&apiError{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed", Message: fmt.Sprintf("%s %s is not supported; use GET", r.Method, r.URL.Path)})
		return
	}
	if aerr != nil {
		fail(aerr)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(body)
	}
}

// attest reads the body, applies the fault knobs, and answers one attestation call.
func (s *Server) attest(w http.ResponseWriter, r *http.Request, kind, base string, call *Call, fail func(*apiError)) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(&apiError{Status: http.StatusRequestEntityTooLarge, Code: "RequestBodyTooLarge",
				Message: fmt.Sprintf("the request body exceeds %d bytes", s.cfg.MaxBodyBytes)})
			return
		}
		fail(invalidParameter("reading the request body: %v", err))
		return
	}

	s.mu.Lock()
	s.calls++
	n := s.calls
	s.mu.Unlock()

	if d := s.cfg.Delay; d > 0 {
		call.Fault = "delay"
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			call.Error = "the client gave up during the delay"
			return
		case <-s.srv.Closing():
			t.Stop()
			fail(&apiError{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "the emulator is shutting down", Pascal: true})
			return
		}
	}
	if n <= s.cfg.Throttle {
		call.Fault = "throttle"
		fail(&apiError{Status: http.StatusTooManyRequests, Code: "TooManyRequests", RetryAfter: 1,
			Message: fmt.Sprintf("Rate limit exceeded; retry after 1 second (emulated throttling, call %d of the first %d).", n, s.cfg.Throttle)})
		return
	}
	if f := s.cfg.Fail5xx; f < 0 || n-s.cfg.Throttle <= f {
		call.Fault = "fail5xx"
		// MAA's server errors come PascalCased (protocol §4.6); alternate the two kinds
		// a client must retry.
		e := &apiError{Status: http.StatusInternalServerError, Code: "InternalServerError", Pascal: true,
			Message: "An internal error occurred (emulated server fault)."}
		if (n-s.cfg.Throttle)%2 == 0 {
			e.Status, e.Code, e.Message = http.StatusServiceUnavailable, "ServiceUnavailable", "The service is temporarily unavailable (emulated server fault)."
		}
		fail(e)
		return
	}

	now := s.cfg.Now()
	var out []byte
	var aerr *apiError
	switch kind {
	case "AzureGuest":
		out, aerr = s.attestGuest(body, base, now)
	default:
		out, aerr = s.attestPlatform(body, kind, base, now)
	}
	if aerr != nil {
		fail(aerr)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

// attestGuest answers AzureGuest: verify, derive claims, apply the policy, sign, and
// encrypt the token to the request's ephemeral key (protocol §4.5).
func (s *Server) attestGuest(body []byte, base string, now time.Time) ([]byte, *apiError) {
	rg, err := maa.ParseGuestRequestInfo(body)
	if err != nil {
		return nil, invalidParameter("%v", err)
	}
	ev, aerr := s.verifyGuest(rg, now)
	if aerr != nil {
		return nil, aerr
	}
	claims, err := s.guestClaims(ev, base, now)
	if err != nil {
		return nil, internal(err)
	}
	// A 1.2 policy also reads the event log and PCRs as JSON ("events", "pcrs").
	jwt, aerr := s.issue("AzureGuest", base, claims, policy.EvidenceClaims(ev.res.Log, rg.Request.TPM.PCRs)...)
	if aerr != nil {
		return nil, aerr
	}
	out, err := maa.EncryptToken(jwt, ev.encKey)
	if err != nil {
		return nil, invalidParameter("AttestationInfo.TpmInfo.EncKeyPub: %v", err)
	}
	return out, nil
}

// issue applies the policy to the claims derived from the evidence and signs the token.
func (s *Server) issue(kind, base string, claims map[string]any, evidence ...policy.Claim) (string, *apiError) {
	if s.cfg.Policy != nil {
		return s.issueCustom(base, claims, evidence)
	}
	if deny := evaluatePolicy(kind, claims); deny != nil {
		return "", deny
	}
	jwt, err := s.sign(base, claims)
	if err != nil {
		return "", internal(err)
	}
	return jwt, nil
}

// attestPlatform answers SevSnpVm and TdxVm with {"token": JWT}.
func (s *Server) attestPlatform(body []byte, kind, base string, now time.Time) ([]byte, *apiError) {
	p, err := maa.ParsePlatformRequest(body, kind)
	if err != nil {
		return nil, invalidParameter("%v", err)
	}
	var ev *platformEvidence
	var aerr *apiError
	if kind == "SevSnpVm" {
		ev, aerr = s.verifySevSnpVm(p, now)
	} else {
		ev, aerr = s.verifyTdxVm(p, now)
	}
	if aerr != nil {
		return nil, aerr
	}
	claims, err := s.platformClaims(ev, kind, base, now)
	if err != nil {
		return nil, internal(err)
	}
	var jwt string
	if p.DraftPolicy != "" {
		// A draft replaces the provider's policy for this call and the answer is unsigned (draft.go).
		jwt, aerr = s.issueDraft(p.DraftPolicy, base, claims, nil)
	} else {
		jwt, aerr = s.issue(kind, base, claims)
	}
	if aerr != nil {
		return nil, aerr
	}
	out, err := marshal(map[string]string{"token": jwt})
	if err != nil {
		return nil, internal(err)
	}
	return out, nil
}

func internal(err error) *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: "InternalServerError", Message: err.Error(), Pascal: true}
}
