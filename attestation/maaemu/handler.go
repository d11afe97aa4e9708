package maaemu

import (
	"errors"
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/loopback"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/maa"
)

// attestKinds maps the lower-cased attest path to the endpoint's name. MAA's routes are
// matched without regard to case, as Azure front ends do.
var attestKinds = map[string]string{
	"/attest/azureguest": "AzureGuest",
	"/attest/sevsnpvm":   "SevSnpVm",
	"/attest/tdxvm":      "TdxVm",
}

func (s *Server) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w := &loopback.StatusWriter{ResponseWriter: rw}
	call := Call{Time: s.cfg.Now(), Method: r.Method, Path: r.URL.RequestURI()}
	defer func() {
		call.Status, call.Duration = w.Status, time.Since(start)
		s.record(call)
	}()
	fail := func(e *apiError) {
		call.Error = e.Error()
		e.write(w)
	}
	path := strings.ToLower(strings.TrimSuffix(r.URL.Path, "/"))
	if kind, ok := attestKinds[path]; ok {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			fail(&apiError{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed",
				Message: fmt.Sprintf("%s %s is not supported; attestation requests are POSTed", r.Method, r.URL.Path)})
			return
		}
		s.attest(w, r, kind, &call, fail)
		return
	}
	var body []byte
	switch path {
	case "/certs":
		body = s.SigningKeys()
	case "/.well-known/openid-configuration":
		body = s.openIDConfiguration()
	default:
		fail(&apiError{Status: http.StatusNotFound, Code: "NotFound",
			Message: fmt.Sprintf("no such endpoint %s; MAA serves /attest/{AzureGuest,SevSnpVm,TdxVm}, /certs and /.well-known/openid-configuration", r.URL.Path)})
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		fail(&apiError{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed", Message: fmt.Sprintf("%s %s is not supported; use GET", r.Method, r.URL.Path)})
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(body)
	}
}

// attest reads the body, applies the fault knobs, and answers one attestation call.
func (s *Server) attest(w http.ResponseWriter, r *http.Request, kind string, call *Call, fail func(*apiError)) {
	// Any api-version is accepted: MAA's differ by client (2020-10-01, 2022-08-01,
	// 2023-04-01-preview, 2025-06-01) and the emulator serves them all alike. A missing one
	// is refused, as Azure's resource providers refuse it.
	if r.URL.Query().Get("api-version") == "" {
		fail(&apiError{Status: http.StatusBadRequest, Code: "MissingApiVersionParameter",
			Message: "The api-version query parameter (?api-version=) is required for all requests; AzureGuest uses 2020-10-01."})
		return
	}
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
		out, aerr = s.attestGuest(body, now)
	default:
		out, aerr = s.attestPlatform(body, kind, now)
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
func (s *Server) attestGuest(body []byte, now time.Time) ([]byte, *apiError) {
	rg, err := maa.ParseGuestRequestInfo(body)
	if err != nil {
		return nil, invalidParameter("%v", err)
	}
	ev, aerr := s.verifyGuest(rg, now)
	if aerr != nil {
		return nil, aerr
	}
	claims, err := s.guestClaims(ev, now)
	if err != nil {
		return nil, internal(err)
	}
	jwt, aerr := s.issue(claims)
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
func (s *Server) issue(claims map[string]any) (string, *apiError) {
	if deny := evaluatePolicy(claims); deny != nil {
		return "", deny
	}
	jwt, err := s.sign(claims)
	if err != nil {
		return "", internal(err)
	}
	return jwt, nil
}

// attestPlatform answers SevSnpVm and TdxVm with {"token": JWT}.
func (s *Server) attestPlatform(body []byte, kind string, now time.Time) ([]byte, *apiError) {
	p, err := maa.ParsePlatformRequest(body, kind)
	if err != nil {
		return nil, invalidParameter("%v", err)
	}
	if p.DraftPolicy != "" {
		// A draft policy makes MAA issue an unsecured token under that policy; the
		// emulator enforces only its own policy and will not sign an unsecured one.
		return nil, invalidParameter("draftPolicyForAttestation is not supported by the emulator; it applies its own policy (cvmscope emulator policy)")
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
	claims, err := s.platformClaims(ev, now)
	if err != nil {
		return nil, internal(err)
	}
	jwt, aerr := s.issue(claims)
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
