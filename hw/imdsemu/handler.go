package imdsemu

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/loopback"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// maxTDQuoteBody bounds a POST /acc/tdquote body: 1024 bytes of TDREPORT in base64 and a
// little JSON.
const maxTDQuoteBody = 64 << 10

// statusWriter remembers the status and the error message for the request log.
type statusWriter struct {
	loopback.StatusWriter
	errMsg string
}

// fail answers with IMDS's error shape, {"error": "..."}.
func (w *statusWriter) fail(status int, format string, a ...any) {
	w.errMsg = fmt.Sprintf(format, a...)
	writeJSON(w, status, map[string]string{"error": w.errMsg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

func writeText(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, s)
}

func (s *Server) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w := &statusWriter{StatusWriter: loopback.StatusWriter{ResponseWriter: rw}}
	req := Request{Time: start, Method: r.Method, Path: r.URL.RequestURI(), Metadata: r.Header.Get("Metadata")}
	defer func() {
		req.Status, req.Duration, req.Error = w.Status, time.Since(start), w.errMsg
		s.record(req)
	}()

	if s.cfg.Delay > 0 {
		t := time.NewTimer(s.cfg.Delay)
		select {
		case <-t.C:
			req.Fault = "delay"
		case <-s.srv.Closing():
			t.Stop()
			w.fail(http.StatusServiceUnavailable, "IMDS emulator is shutting down")
			return
		case <-r.Context().Done():
			t.Stop()
			req.Fault = "delay (client gave up)"
			return
		}
	}
	if s.takeFault(r.URL.Path) {
		req.Fault = fmt.Sprintf("fail %d", s.cfg.FailStatus)
		w.fail(s.cfg.FailStatus, "simulated fault: HTTP %d (imdsemu Config.FailStatus)", s.cfg.FailStatus)
		return
	}

	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/metadata/"):
		s.metadata(w, r)
	case path == "/acc/tdquote":
		s.tdquote(w, r)
	case strings.HasPrefix(path, "/endorsement/tdx/"):
		s.endorsement(w, r)
	default:
		w.fail(http.StatusNotFound, "no such endpoint %s", path)
	}
}

// metadata serves /metadata/*, with IMDS's rules: the Metadata: true header is required,
// and a request carrying X-Forwarded-For (one that came through a proxy) is refused.
func (s *Server) metadata(w *statusWriter, r *http.Request) {
	if !strings.EqualFold(r.Header.Get("Metadata"), "true") {
		w.fail(http.StatusBadRequest, "Bad request. Required metadata header not specified")
		return
	}
	if r.Header.Get("X-Forwarded-For") != "" {
		w.fail(http.StatusBadRequest, "Bad request. Request contains X-Forwarded-For header; IMDS must not be reached through a proxy")
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		w.fail(http.StatusMethodNotAllowed, "%s is not supported on %s; use GET", r.Method, r.URL.Path)
		return
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == "/metadata/THIM/amd/certification":
		s.thimAMD(w)
	case path == "/metadata/instance" || strings.HasPrefix(path, "/metadata/instance/"):
		s.instance(w, r, strings.TrimPrefix(strings.TrimPrefix(path, "/metadata/instance"), "/"))
	default:
		w.fail(http.StatusNotFound, "no such metadata endpoint %s", r.URL.Path)
	}
}

// thimAMD answers as THIM does on an SEV-SNP host. On TDX and Trusted Launch VMs Azure has
// no AMD certificates to give and answers 404.
func (s *Server) thimAMD(w *statusWriter) {
	if s.cfg.TEE != TEESEVSNP {
		w.fail(http.StatusNotFound, "THIM has no AMD certificates for this VM (it is %s, not an SEV-SNP CVM)", s.cfg.TEE)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"vcekCert":         s.cfg.VCEKCert,
		"tcbm":             s.cfg.TCBM,
		"certificateChain": s.cfg.CertChain,
		"cacheControl":     "86400",
	})
}

// apiVersionRE is compiled when the emulator first serves a request, not at every start.
var apiVersionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`) })

// instance serves the instance document, or one node of it (path "compute/vmId").
func (s *Server) instance(w *statusWriter, r *http.Request, path string) {
	q := r.URL.Query()
	if v := q.Get("api-version"); !apiVersionRE().MatchString(v) {
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"error":           "Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds",
			"newest-versions": []string{"2023-07-01", "2021-12-13", "2021-02-01"},
		})
		w.errMsg = "api-version missing or malformed"
		return
	}
	var node any = s.instanceDoc()
	if path != "" {
		for _, seg := range strings.Split(path, "/") {
			m, ok := node.(map[string]any)
			if !ok {
				w.fail(http.StatusNotFound, "no such instance metadata path /%s", path)
				return
			}
			if node, ok = m[seg]; !ok {
				w.fail(http.StatusNotFound, "no such instance metadata path /%s", path)
				return
			}
		}
	}
	switch q.Get("format") {
	case "text":
		switch v := node.(type) {
		case string:
			writeText(w, v)
		case bool, int:
			writeText(w, fmt.Sprint(v))
		default:
			w.fail(http.StatusBadRequest, "Bad request. format=text is only available for leaf values; use format=json for /%s", path)
		}
	case "json", "":
		writeJSON(w, http.StatusOK, node)
	default:
		w.fail(http.StatusBadRequest, "Bad request. format %q is not json or text", q.Get("format"))
	}
}

// instanceDoc is the part of IMDS's instance document (api-version 2021-02-01 shape) that a
// VM of this kind would carry.
func (s *Server) instanceDoc() map[string]any {
	c := s.cfg
	securityType := "ConfidentialVM"
	if c.TEE == TEETrustedLaunch {
		securityType = "TrustedLaunch"
	}
	vmID := strings.ToLower(c.VMID)
	sub := "00000000-0000-0000-0000-000000000000"
	rg := "cvmscope-simulated"
	compute := map[string]any{
		"azEnvironment":     "AzurePublicCloud",
		"location":          c.Location,
		"name":              c.Name,
		"offer":             "0001-com-ubuntu-confidential-vm-jammy",
		"osType":            c.OSType,
		"provider":          "Microsoft.Compute",
		"publisher":         "Canonical",
		"resourceGroupName": rg,
		"resourceId":        "/subscriptions/" + sub + "/resourceGroups/" + rg + "/providers/Microsoft.Compute/virtualMachines/" + c.Name,
		"securityProfile": map[string]any{
			"secureBootEnabled": fmt.Sprint(c.SecureBoot),
			"virtualTpmEnabled": "true",
			"securityType":      securityType,
		},
		"sku":            "22_04-lts-cvm",
		"subscriptionId": sub,
		"tags":           "cvmscope:simulated",
		"tagsList":       []any{map[string]any{"name": "cvmscope", "value": "simulated"}},
		"version":        "22.04.202501010",
		"vmId":           vmID,
		"vmSize":         c.VMSize,
		"zone":           "",
	}
	network := map[string]any{"interface": []any{map[string]any{
		"ipv4":       map[string]any{"ipAddress": []any{map[string]any{"privateIpAddress": "10.0.0.4", "publicIpAddress": ""}}, "subnet": []any{map[string]any{"address": "10.0.0.0", "prefix": "24"}}},
		"macAddress": "000D3A000000",
	}}}
	return map[string]any{"compute": compute, "network": network}
}

// tdquote converts a TDREPORT into a TD quote, as the Azure TD quote service does. The
// Metadata header is not required: AZ-PY and Constellation send none.
func (s *Server) tdquote(w *statusWriter, r *http.Request) {
	if s.cfg.TEE != TEETDX {
		w.fail(http.StatusNotFound, "the TD quote service exists only on TDX CVMs; this VM is %s", s.cfg.TEE)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		w.fail(http.StatusMethodNotAllowed, "%s /acc/tdquote is not supported; POST {\"report\": <b64url TDREPORT>}", r.Method)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxTDQuoteBody+1))
	if err != nil {
		w.fail(http.StatusBadRequest, "reading the body: %v", err)
		return
	}
	if len(body) > maxTDQuoteBody {
		w.fail(http.StatusRequestEntityTooLarge, "body larger than %d bytes; send {\"report\": <b64url of the 1024-byte TDREPORT>}", maxTDQuoteBody)
		return
	}
	var in struct {
		Report *string `json:"report"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Report == nil {
		w.fail(http.StatusBadRequest, "body must be JSON {\"report\": <b64url of the 1024-byte TDREPORT>}")
		return
	}
	report, err := decodeAnyB64(*in.Report)
	if err != nil {
		w.fail(http.StatusBadRequest, "report is not base64 (URL or standard alphabet): %v", err)
		return
	}
	if len(report) != 1024 {
		w.fail(http.StatusBadRequest, "report is %d bytes after base64 decoding, want the 1024-byte TDREPORT (HCL report bytes 32..1056)", len(report))
		return
	}
	quote, err := s.cfg.TDX.Quote(report)
	if err != nil {
		w.fail(http.StatusBadRequest, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"quote": base64.RawURLEncoding.EncodeToString(quote)})
}

// endorsement serves THIM's TDX paravisor endorsements.
func (s *Server) endorsement(w *statusWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		w.fail(http.StatusMethodNotAllowed, "%s is not supported on %s; use GET", r.Method, r.URL.Path)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/endorsement/tdx/")
	if name == "mrtds" {
		list := make([]string, 0, len(s.cfg.MRTDs))
		for _, m := range s.cfg.MRTDs {
			list = append(list, strings.ToUpper(hex.EncodeToString(m)))
		}
		if s.cfg.Endorser == nil {
			list = []string{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"mrtds": list})
		return
	}
	if b, err := hex.DecodeString(name); err != nil || len(b) != 48 {
		w.fail(http.StatusBadRequest, "%q is not an MRTD: want 96 hex digits (SHA-384)", name)
		return
	}
	m, ok := s.mrtds[strings.ToUpper(name)]
	if !ok || s.cfg.Endorser == nil {
		w.fail(http.StatusNotFound, "no endorsement for MRTD %s", strings.ToUpper(name))
		return
	}
	doc, err := s.cfg.Endorser.Sign(m, s.cfg.EndorsementSVN)
	if err != nil {
		w.fail(http.StatusInternalServerError, "signing the endorsement: %v", err)
		return
	}
	w.Header().Set("Content-Type", "application/cose")
	w.WriteHeader(http.StatusOK)
	w.Write(doc)
}

// decodeAnyB64 accepts both alphabets, padded or not: clients differ (AZ-RS sends standard
// base64 first, AZ-PY and Constellation URL-safe).
func decodeAnyB64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if strings.ContainsAny(s, "+/") {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}
