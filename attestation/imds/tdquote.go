package imds

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// TDReportSize is the size of a TDREPORT_STRUCT, the input of the quote service.
const TDReportSize = 1024

const tdquotePath = "/acc/tdquote"

// TDQuote converts a TDREPORT into a DCAP TD quote through the host's quoting enclave
// (protocol §3.2). The report is sent b64url as AZ-PY and Constellation do; if the service
// refuses that body with a 4xx, it is sent once more in standard base64, as AZ-RS falls back.
func (c *Client) TDQuote(ctx context.Context, tdreport []byte) ([]byte, error) {
	if len(tdreport) != TDReportSize {
		return nil, fault.Errorf(fault.Internal, "TD quote: the TDREPORT is %d bytes, want exactly %d (HCL report bytes 32..1056 of a TDX CVM)", len(tdreport), TDReportSize)
	}
	hdr := map[string]string{"Content-Type": "application/json"}
	b, err := c.do(ctx, "POST", tdquotePath, reportBody(base64.RawURLEncoding, tdreport), hdr)
	var se *StatusError
	// Only a refusal of the body is worth another encoding; a 5xx was already retried.
	if err != nil && errors.As(err, &se) && se.Status >= 400 && se.Status < 500 {
		b, err = c.do(ctx, "POST", tdquotePath, reportBody(base64.StdEncoding, tdreport), hdr)
	}
	if err != nil {
		return nil, err
	}
	return parseTDQuote(b)
}

// parseTDQuote reads the quote service's answer: JSON with the quote in either base64
// alphabet.
func parseTDQuote(b []byte) ([]byte, error) {
	var resp struct {
		Quote string `json:"quote"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return nil, fault.Errorf(fault.Network, "IMDS %s: answer is not JSON with a quote field: %v", tdquotePath, err)
	}
	q, err := decodeAnyB64(resp.Quote)
	if err != nil {
		return nil, fault.Errorf(fault.Network, "IMDS %s: quote is not base64 (standard or URL alphabet): %v", tdquotePath, err)
	}
	// Padding alone ("====") decodes to nothing, as an empty string does.
	if len(q) == 0 {
		return nil, fault.WithHint(fault.Network, fmt.Errorf("IMDS %s: empty quote in the answer", tdquotePath),
			"the quote service returned nothing; retry, and check that this is a TDX CVM")
	}
	return q, nil
}

func reportBody(enc *base64.Encoding, report []byte) []byte {
	b, _ := json.Marshal(map[string]string{"report": enc.EncodeToString(report)})
	return b
}

// decodeAnyB64 accepts both alphabets with or without padding: clients and hosts differ.
func decodeAnyB64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if strings.ContainsAny(s, "+/") {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}
