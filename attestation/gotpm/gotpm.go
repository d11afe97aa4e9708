// Package gotpm reads the attestation message of google/go-tpm-tools (client.Key.Attest:
// the pb.Attestation protobuf, which go-azguestattestation and Constellation send), with
// go-tpm-tools' own Go types.
package gotpm

import (
	"bytes"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/tpm2tools"
	sevabi "github.com/google/go-sev-guest/abi"
	tdxabi "github.com/google/go-tdx-guest/abi"
	pb "github.com/google/go-tpm-tools/proto/attest"
	tpmpb "github.com/google/go-tpm-tools/proto/tpm"
	"google.golang.org/protobuf/proto"
)

// tpmGenerated opens every TPMS_ATTEST.
var tpmGenerated = []byte{0xff, 0x54, 0x43, 0x47}

// Attestation is what cvmscope takes from a pb.Attestation.
type Attestation struct {
	// AKPub is the AK's TPMT_PUBLIC.
	AKPub []byte
	// Msg and Sig are the SHA-256 quote's TPMS_ATTEST and raw RSA signature; PCRs its values.
	Msg, Sig []byte
	PCRs     map[int][]byte
	// Quotes is how many quotes the message holds (one per bank).
	Quotes   int
	EventLog []byte
	AKCert   []byte
	// Certs are the intermediates and, for SEV-SNP, the VCEK chain the message carries.
	Certs [][]byte
	// SNPReport and TDQuote are the TEE evidence, re-encoded from the protobuf fields.
	SNPReport []byte
	TDQuote   []byte
}

// Looks reports whether b decodes as a pb.Attestation with an AK and a quote that opens
// like a TPMS_ATTEST: protobuf has no magic number, so the content decides.
func Looks(b []byte) bool {
	var a pb.Attestation
	if len(b) < 8 || b[0] != 0x0a || proto.Unmarshal(b, &a) != nil {
		return false
	}
	return len(a.GetAkPub()) > 0 && len(a.GetQuotes()) > 0 && bytes.HasPrefix(a.GetQuotes()[0].GetQuote(), tpmGenerated)
}

func perr(en, ko string, a ...any) error {
	return fault.Korean(fmt.Errorf(en, a...), fmt.Sprintf(ko, a...), "")
}

// Parse decodes a pb.Attestation.
func Parse(b []byte) (*Attestation, error) {
	var a pb.Attestation
	if err := proto.Unmarshal(b, &a); err != nil {
		return nil, perr("go-tpm-tools attestation: not a pb.Attestation protobuf: %v; the file is truncated or garbled", "go-tpm-tools 증명: pb.Attestation 프로토콜 버퍼가 아닙니다: %v. 파일이 잘렸거나 손상되었습니다", err)
	}
	return fromProto(&a)
}

func fromProto(a *pb.Attestation) (*Attestation, error) {
	var err error
	out := &Attestation{AKPub: a.GetAkPub(), EventLog: a.GetEventLog(), AKCert: a.GetAkCert(), Quotes: len(a.GetQuotes())}
	if len(out.AKPub) == 0 {
		return nil, perr("go-tpm-tools attestation: field ak_pub (1) is empty", "go-tpm-tools 증명: ak_pub 필드(1)가 비어 있습니다")
	}
	q := sha256Quote(a.GetQuotes())
	if q == nil {
		return nil, perr("go-tpm-tools attestation: none of its %d quotes covers the SHA-256 PCR bank, the bank cvmscope checks", "go-tpm-tools 증명: 쿼트 %d개 중 cvmscope가 검증하는 SHA-256 PCR 뱅크를 다루는 쿼트가 없습니다", len(a.GetQuotes()))
	}
	sig, err := tpm2tools.ParseSignature(q.GetRawSig())
	if err != nil {
		return nil, fmt.Errorf("go-tpm-tools attestation: quote raw_sig: %w", err)
	}
	out.Msg, out.Sig = q.GetQuote(), sig.RSA
	out.PCRs = map[int][]byte{}
	for i, v := range q.GetPcrs().GetPcrs() {
		if i > 23 || len(v) != 32 {
			return nil, perr("go-tpm-tools attestation: quote PCR %d has %d bytes; want PCR 0-23 with 32-byte SHA-256 values", "go-tpm-tools 증명: 쿼트의 PCR %d 값이 %d바이트입니다. PCR 0-23, 32바이트 SHA-256 값이어야 합니다", i, len(v))
		}
		out.PCRs[int(i)] = v
	}
	out.Certs = append(out.Certs, a.GetIntermediateCerts()...)
	if snp := a.GetSevSnpAttestation(); snp != nil {
		if out.SNPReport, err = sevabi.ReportToAbiBytes(snp.GetReport()); err != nil {
			return nil, perr("go-tpm-tools attestation: sev_snp_attestation.report: %v", "go-tpm-tools 증명: sev_snp_attestation.report: %v", err)
		}
		if c := snp.GetCertificateChain(); c != nil {
			for _, der := range [][]byte{c.GetVcekCert(), c.GetVlekCert(), c.GetAskCert(), c.GetArkCert()} {
				if len(der) > 0 {
					out.Certs = append(out.Certs, der)
				}
			}
		}
	}
	if td := a.GetTdxAttestation(); td != nil {
		if out.TDQuote, err = tdxabi.QuoteToAbiBytes(td); err != nil {
			return nil, perr("go-tpm-tools attestation: tdx_attestation: %v", "go-tpm-tools 증명: tdx_attestation: %v", err)
		}
	}
	return out, nil
}

func sha256Quote(qs []*tpmpb.Quote) *tpmpb.Quote {
	for _, q := range qs {
		if q.GetPcrs().GetHash() == tpmpb.HashAlgo_SHA256 {
			return q
		}
	}
	return nil
}
