package cli

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/regfile"
)

// vtpmRootHint says where a vTPM root comes from, for every --vtpm-root misuse.
const (
	vtpmRootHint   = `give PEM CA certificates, e.g. Azure's "Azure Virtual TPM Root Certificate Authority 2023" downloaded from Microsoft (README, Trust)`
	vtpmRootHintKO = `PEM CA 인증서를 줍니다. 예: Microsoft에서 내려받은 Azure의 "Azure Virtual TPM Root Certificate Authority 2023"(README, 신뢰 기준과 플래그)`
)

// loadVTPMRoots reads the --vtpm-root files: the vTPM CA certificates the caller chose as
// anchors for AK certificates (verify.Trust.VTPM). Every certificate must be a CA: an AK
// certificate given as its own root would vouch for itself.
func loadVTPMRoots(paths []string) ([]*x509.Certificate, error) {
	return loadCAFiles("--vtpm-root", paths, vtpmRootHint, vtpmRootHintKO)
}

// loadCAFiles reads PEM CA certificates the caller chose as anchors with flagName; errors
// name the flag, the file and the PEM block, and give hint.
func loadCAFiles(flagName string, paths []string, hint, hintKO string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, path := range paths {
		bad := func(en, ko string) error {
			return fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("%s %s: %s", flagName, path, en), hint),
				fmt.Sprintf("%s %s: %s", flagName, path, ko), hintKO)
		}
		raw, err := regfile.Read(path, 1<<20)
		if err != nil {
			return nil, bad(err.Error(), readErrKO(err))
		}
		n := 0
		for rest, i := raw, 1; ; i++ {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type != "CERTIFICATE" {
				return nil, bad(fmt.Sprintf("PEM block %d is %q, not a CERTIFICATE", i, b.Type),
					fmt.Sprintf("PEM 블록 %d이(가) CERTIFICATE가 아니라 %q입니다", i, b.Type))
			}
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, bad(fmt.Sprintf("certificate %d does not parse: %v", i, err),
					fmt.Sprintf("인증서 %d을(를) 해석할 수 없습니다: %v", i, err))
			}
			if !c.IsCA {
				return nil, bad(fmt.Sprintf("certificate %d (%q) is not a CA certificate", i, c.Subject.CommonName),
					fmt.Sprintf("인증서 %d(%q)은(는) CA 인증서가 아닙니다", i, c.Subject.CommonName))
			}
			out = append(out, c)
			n++
		}
		if n == 0 {
			return nil, bad("holds no PEM certificate", "PEM 인증서가 없습니다")
		}
	}
	return out, nil
}

// readErrKO says in Korean that a file could not be read: a Korean message the error
// carries, else the error's own words quoted as received (fault.QuoteKO), never English
// unmarked inside the Korean sentence.
func readErrKO(err error) string {
	msgKO, _ := fault.MessageIn(err, "ko")
	if msgKO == err.Error() {
		msgKO = fault.QuoteKO("오류 원문", msgKO)
	}
	return "읽을 수 없습니다: " + msgKO
}
