package policy

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/google/go-eventlog/tcg"
)

// Version 1.2 exposes evidence to JmesPath as JSON claims (protocol §19.2, from the
// queries in Microsoft's TPM sample policies): "events" holds the event log and "pcrs" the
// PCR values. The field names are those the documented queries use; the full schema MAA
// writes is not published [UNSURE], so only these fields are filled.

type jsonEvent struct {
	EventSeq        int            `json:"EventSeq"`
	PcrIndex        int            `json:"PcrIndex"`
	EventTypeString string         `json:"EventTypeString"`
	Digests         map[string]any `json:"Digests,omitempty"`
	ProcessedData   map[string]any `json:"ProcessedData,omitempty"`
}

// EvidenceClaims are the "events" and "pcrs" claims for an event log and PCR values
// (either may be missing), issuer AttestationService.
func EvidenceClaims(log *eventlog.Log, pcrs map[int][]byte) []Claim {
	var out []Claim
	if log != nil {
		events := make([]jsonEvent, 0, log.Len())
		for e := range log.Events() {
			je := jsonEvent{EventSeq: e.Index, PcrIndex: e.PCR, EventTypeString: e.TypeName}
			if e.Digest != nil {
				je.Digests = map[string]any{"SHA256": hex.EncodeToString(e.Digest)}
			}
			// Only data its digest covers: the replay vouches for digests, and a variable
			// rewritten under its old digest (SecureBoot 0 made 1) replays as before.
			if strings.HasPrefix(e.TypeName, "EV_EFI_VARIABLE") && e.DataMeasured() {
				if v, err := tcg.ParseUEFIVariableData(bytes.NewReader(e.Data)); err == nil {
					je.ProcessedData = map[string]any{
						"VariableGuid": strings.ToUpper(v.Header.VariableName.String()),
						"UnicodeName":  v.VarName(),
						// Unpadded, as the samples compare SecureBoot's data with 'AQ'.
						"VariableData": base64.RawStdEncoding.EncodeToString(v.VariableData),
					}
				}
			}
			events = append(events, je)
		}
		b, _ := json.Marshal(map[string]any{"Events": events})
		out = append(out, Claim{Type: "events", Value: Str(string(b)), Issuer: IssuerService})
	}
	if len(pcrs) > 0 {
		idx := make([]int, 0, len(pcrs))
		for i := range pcrs {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		list := make([]map[string]any, 0, len(idx))
		for _, i := range idx {
			list = append(list, map[string]any{"Index": i, "Digests": map[string]string{"SHA256": hex.EncodeToString(pcrs[i])}})
		}
		b, _ := json.Marshal(map[string]any{"PCRs": list})
		out = append(out, Claim{Type: "pcrs", Value: Str(string(b)), Issuer: IssuerService})
	}
	return out
}
