package maa

import (
	"encoding/json"
	"fmt"
	"strings"
)

// PlatformRequest is a SevSnpVm or TdxVm request as MAA reads it (protocol §4.7).
type PlatformRequest struct {
	// Kind is "SevSnpVm" or "TdxVm".
	Kind string
	// SevSnpVm: the report and THIM's VCEK chain (PEM), from the "report" bundle.
	SnpReport     []byte
	VcekCertChain string
	// TdxVm: the DCAP TD quote.
	Quote []byte
	// RuntimeData is runtimeData.data decoded; RuntimeDataType is "JSON", "Binary" or ""
	// when the client named none.
	RuntimeData     []byte
	RuntimeDataType string
	// InitTimeData likewise, from initTimeData.
	InitTimeData     []byte
	InitTimeDataType string
	// Nonce is the request's nonce as sent (a number is kept as its JSON text); "" if absent.
	Nonce string
	// DraftPolicy is draftPolicyForAttestation; MAA then issues an unsecured token.
	DraftPolicy string
}

type wirePlatform struct {
	Report       json.RawMessage `json:"report"`
	Quote        json.RawMessage `json:"quote"`
	RuntimeData  json.RawMessage `json:"runtimeData"`
	InitTimeData json.RawMessage `json:"initTimeData"`
	Nonce        json.RawMessage `json:"nonce"`
	DraftPolicy  json.RawMessage `json:"draftPolicyForAttestation"`
}

type wireData struct {
	Data     json.RawMessage `json:"data"`
	DataType json.RawMessage `json:"dataType"`
}

// ParsePlatformRequest decodes a SevSnpVm or TdxVm body; kind names the endpoint
// ("SevSnpVm" or "TdxVm", any case), the inverse of BuildSevSnpVm and BuildTdxVm.
func ParsePlatformRequest(body []byte, kind string) (*PlatformRequest, error) {
	var k string
	switch strings.ToLower(kind) {
	case "sevsnpvm":
		k = "SevSnpVm"
	case "tdxvm":
		k = "TdxVm"
	default:
		return nil, fmt.Errorf("platform request kind %q: want SevSnpVm or TdxVm", kind)
	}
	var w wirePlatform
	if err := strictObject(body, &w); err != nil {
		return nil, fmt.Errorf("%s request body is not a JSON object: %v", k, err)
	}
	p := &PlatformRequest{Kind: k}
	var err error
	if k == "SevSnpVm" {
		b, err := optionalBytes("report", w.Report)
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			return nil, fmt.Errorf("SevSnpVm request has no \"report\"; send base64url of {\"SnpReport\":…,\"VcekCertChain\":…}")
		}
		if p.SnpReport, p.VcekCertChain, err = parseSNPBundle("report", b); err != nil {
			return nil, err
		}
	} else {
		if p.Quote, err = optionalBytes("quote", w.Quote); err != nil {
			return nil, err
		}
		if len(p.Quote) == 0 {
			return nil, fmt.Errorf("TdxVm request has no \"quote\"; send base64url of the TD quote from IMDS /acc/tdquote")
		}
	}
	if p.RuntimeData, p.RuntimeDataType, err = parseData("runtimeData", w.RuntimeData); err != nil {
		return nil, err
	}
	if p.InitTimeData, p.InitTimeDataType, err = parseData("initTimeData", w.InitTimeData); err != nil {
		return nil, err
	}
	if p.Nonce, err = scalarText("nonce", w.Nonce); err != nil {
		return nil, err
	}
	if p.DraftPolicy, err = scalarText("draftPolicyForAttestation", w.DraftPolicy); err != nil {
		return nil, err
	}
	return p, nil
}

func parseData(field string, raw json.RawMessage) ([]byte, string, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, "", nil
	}
	var w wireData
	if err := strictObject(raw, &w); err != nil {
		return nil, "", fmt.Errorf("%s is not {\"data\":\"<base64url>\",\"dataType\":\"JSON\"}: %v", field, err)
	}
	data, err := optionalBytes(field+".data", w.Data)
	if err != nil {
		return nil, "", err
	}
	typ, err := scalarText(field+".dataType", w.DataType)
	if err != nil {
		return nil, "", err
	}
	switch strings.ToLower(typ) {
	case "json":
		typ = "JSON"
	case "binary":
		typ = "Binary"
	case "":
	default:
		return nil, "", fmt.Errorf("%s.dataType is %q; want JSON or Binary", field, typ)
	}
	return data, typ, nil
}
