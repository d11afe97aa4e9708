package snp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha512"
	"crypto/x509"
	"errors"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/verify"

	"github.com/cvmscope/cvmscope/attestation/internal/p384"
)

// verifyReportSignature is go-sev-guest's verify.SnpReportSignature with the ECDSA step done
// by p384.Verify, which builds no P-384 base-point table: crypto/ecdsa's table cost more CPU
// than the rest of an offline SEV-SNP inspect. Anything but the common case (a key that is
// not P-384, a report go-sev-guest would call malformed, another signature algorithm) is
// left to go-sev-guest, whose words then say what is wrong; in the common case a signature
// that does not verify is said in go-sev-guest's words too. FuzzReportSignature and
// TestReportSignatureAgreesWithGoSevGuest hold the two to the same answer and error.
func verifyReportSignature(report []byte, key *x509.Certificate) error {
	pub, ok := key.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P384() || len(report) != abi.ReportSize ||
		abi.ValidateReportFormat(report) != nil || abi.SignatureAlgo(report) != abi.SignEcdsaP384Sha384 {
		return verify.SnpReportSignature(report, key)
	}
	signed := abi.SignedComponent(report)
	sig := report[len(signed):]
	// R and S are 72-byte little-endian numbers (SEV-SNP ABI, table 137).
	r, s := abi.AmdBigInt(sig[:0x48]), abi.AmdBigInt(sig[0x48:0x90])
	h := sha512.Sum384(signed)
	if !p384.Verify(pub, h[:], r, s) {
		// go-sev-guest's words around x509's, as verify.SnpReportSignature says it.
		return errors.New("report signature verification error: x509: ECDSA verification failure")
	}
	return nil
}
