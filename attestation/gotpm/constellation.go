package gotpm

import (
	"encoding/json"
	"errors"
	"fmt"

	pb "github.com/google/go-tpm-tools/proto/attest"
)

// Document is Constellation's attestation document on Azure (edgelesssys/constellation,
// internal/attestation/vtpm.AttestationDocument, written with encoding/json): the go-tpm-tools
// attestation and the instance info its Azure issuers add, which carries the hardware report
// cut out of the HCL report, the runtime claims beside it, the VCEK chain and an MAA token.
type Document struct {
	*Attestation
	// Report is the instance info's AttestationReport: a SEV-SNP report (or an HCL body that
	// keeps the IGVM header), or a TD quote on TDX.
	Report []byte
	// RuntimeClaims is its RuntimeData, the runtime-claims JSON.
	RuntimeClaims []byte
	// VCEK and Chain are PEM (from THIM); Token is the MAA token, when one was fetched.
	VCEK, Chain []byte
	Token       string
}

// IsDocument reports whether a decoded JSON object is a Constellation attestation document.
func IsDocument(m map[string]json.RawMessage) bool {
	_, a := m["Attestation"]
	_, i := m["InstanceInfo"]
	return a && i
}

// ParseDocument reads a Constellation attestation document.
func ParseDocument(b []byte) (*Document, error) {
	var doc struct {
		Attestation  *pb.Attestation
		InstanceInfo []byte
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, perr("Constellation attestation document: not valid JSON at byte %d: %v; the file is truncated or garbled", "Constellation 증명 문서: 바이트 %d에서 올바른 JSON이 아닙니다: %v. 파일이 잘렸거나 손상되었습니다", se.Offset, err)
		}
		return nil, perr("Constellation attestation document: %v", "Constellation 증명 문서: %v", err)
	}
	if doc.Attestation == nil {
		return nil, perr("Constellation attestation document: field \"Attestation\" is empty", "Constellation 증명 문서: \"Attestation\" 필드가 비어 있습니다")
	}
	a, err := fromProto(doc.Attestation)
	if err != nil {
		return nil, fmt.Errorf("Constellation attestation document, field \"Attestation\": %w", err)
	}
	var info struct {
		Vcek, CertChain, AttestationReport, RuntimeData []byte
		MAAToken                                        string
	}
	if err := json.Unmarshal(doc.InstanceInfo, &info); err != nil {
		return nil, perr("Constellation attestation document, field \"InstanceInfo\": not the JSON Azure's issuers write: %v", "Constellation 증명 문서의 \"InstanceInfo\" 필드: Azure 발급자가 쓰는 JSON이 아닙니다: %v", err)
	}
	if len(info.AttestationReport) == 0 {
		return nil, perr("Constellation attestation document, field \"InstanceInfo.AttestationReport\" is empty", "Constellation 증명 문서의 \"InstanceInfo.AttestationReport\" 필드가 비어 있습니다")
	}
	return &Document{Attestation: a, Report: info.AttestationReport, RuntimeClaims: info.RuntimeData,
		VCEK: info.Vcek, Chain: info.CertChain, Token: info.MAAToken}, nil
}
