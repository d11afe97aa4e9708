package simroots

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// IntelTCBSigningCN is the subject CN of Intel's TCB signing certificate.
const IntelTCBSigningCN = "Intel SGX TCB Signing"

// TDXCollateral is the simulated platform's Intel collateral in the files Intel PCS serves:
// TDX TCB info (v3) for the simulated FMSPC, the TD_QE identity (v2), the TCB signing chain
// (PEM: signing certificate, root) and the PCK Platform CA's CRL (DER), signed under the
// simulated Intel root. Its one up-to-date TCB level is the simulated platform's (SGX
// components and PCESVN of the PCK certificate, TEE_TCB_SVN 02.01.06 through module
// identity TDX_01 at ISVSVN 2, the QE at ISVSVN 5), below it an out-of-date one, as Intel's
// list ends. It is issued at now and valid 30 days, as PCS's is.
type TDXCollateral struct {
	TCBInfo, QEIdentity, SigningChain, PCKCRL []byte
}

// Collateral builds the simulated Intel collateral; see TDXCollateral.
func (t *TDX) Collateral(now time.Time) (*TDXCollateral, error) {
	cas, err := intelRoots()
	if err != nil {
		return nil, err
	}
	// The root's key, derived as buildIntelRoots derives it (TestSimulatedCollateral checks
	// that it is the root's).
	rootKey, err := deriveP256([]byte("cvmscope simulated Intel SGX PKI, the same for every seed"), intelRootKeyPurpose)
	if err != nil {
		return nil, err
	}
	signKey, err := deriveP256([]byte("cvmscope simulated Intel SGX PKI, the same for every seed"), "intel/sgx-tcb-signing")
	if err != nil {
		return nil, err
	}
	name, err := intelName(IntelTCBSigningCN, RootLabel)
	if err != nil {
		return nil, err
	}
	signer, err := createECCert(&x509.Certificate{
		SerialNumber:       big.NewInt(0x5347_0003),
		RawSubject:         name,
		NotBefore:          NotBefore,
		NotAfter:           NotAfter,
		SignatureAlgorithm: x509.ECDSAWithSHA256,
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		SubjectKeyId:       keyID(&signKey.PublicKey),
	}, cas.root, &signKey.PublicKey, rootKey)
	if err != nil {
		return nil, fmt.Errorf("simroots: simulated Intel TCB signing certificate: %w", err)
	}

	issue, next := now.UTC().Format(time.RFC3339), now.Add(30*24*time.Hour).UTC().Format(time.RFC3339)
	svns := func(v []byte) []map[string]int {
		out := make([]map[string]int, 16)
		for i := range out {
			out[i] = map[string]int{"svn": 0}
			if i < len(v) {
				out[i]["svn"] = int(v[i])
			}
		}
		return out
	}
	zeros48 := strings.Repeat("0", 96)
	level := func(sgx []byte, pcesvn int, tdxSVN []byte, date, status string) map[string]any {
		return map[string]any{"tcb": map[string]any{"sgxtcbcomponents": svns(sgx), "pcesvn": pcesvn, "tdxtcbcomponents": svns(tdxSVN)},
			"tcbDate": date, "tcbStatus": status}
	}
	tcbInfo := map[string]any{
		"id": "TDX", "version": 3, "issueDate": issue, "nextUpdate": next,
		"fmspc": hex.EncodeToString(SGXFMSPC[:]), "pceId": hex.EncodeToString(sgxPCEID[:]), "tcbType": 0, "tcbEvaluationDataNumber": 17,
		"tdxModule": map[string]string{"mrsigner": zeros48, "attributes": "0000000000000000", "attributesMask": "FFFFFFFFFFFFFFFF"},
		"tdxModuleIdentities": []map[string]any{{
			"id": "TDX_01", "mrsigner": zeros48, "attributes": "0000000000000000", "attributesMask": "FFFFFFFFFFFFFFFF",
			"tcbLevels": []map[string]any{
				{"tcb": map[string]int{"isvsvn": 2}, "tcbDate": "2024-03-13T00:00:00Z", "tcbStatus": "UpToDate"},
				{"tcb": map[string]int{"isvsvn": 1}, "tcbDate": "2023-08-09T00:00:00Z", "tcbStatus": "OutOfDate"},
			},
		}},
		"tcbLevels": []map[string]any{
			level(sgxTCBComponents[:], sgxPCESVN, []byte{2, 1, 6}, "2024-03-13T00:00:00Z", "UpToDate"),
			level([]byte{2, 2, 2, 2, 3, 1, 0, 3}, 11, []byte{2, 0, 3}, "2023-08-09T00:00:00Z", "OutOfDate"),
		},
	}
	qeIdentity := map[string]any{
		"id": "TD_QE", "version": 2, "issueDate": issue, "nextUpdate": next, "tcbEvaluationDataNumber": 17,
		"miscselect": "00000000", "miscselectMask": "FFFFFFFF",
		"attributes": strings.ToUpper(hex.EncodeToString(maskedQEAttributes[:])), "attributesMask": strings.ToUpper(hex.EncodeToString(qeAttributesMask[:])),
		"mrsigner": strings.ToUpper(hex.EncodeToString(qeMRSigner[:])), "isvprodid": int(qeISVProdID),
		"tcbLevels": []map[string]any{{"tcb": map[string]int{"isvsvn": int(qeISVSVN)}, "tcbDate": "2024-03-13T00:00:00Z", "tcbStatus": "UpToDate"}},
	}
	c := &TDXCollateral{}
	if c.TCBInfo, err = signedDoc("tcbInfo", tcbInfo, signKey); err != nil {
		return nil, err
	}
	if c.QEIdentity, err = signedDoc("enclaveIdentity", qeIdentity, signKey); err != nil {
		return nil, err
	}
	c.SigningChain = pckChainPEM([]*x509.Certificate{signer, cas.root})
	c.SigningChain = []byte(strings.TrimRight(string(c.SigningChain), "\x00"))
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: now, NextUpdate: now.Add(30 * 24 * time.Hour), SignatureAlgorithm: x509.ECDSAWithSHA256,
	}, cas.ca, cas.caKey)
	if err != nil {
		return nil, fmt.Errorf("simroots: simulated PCK Platform CA CRL: %w", err)
	}
	c.PCKCRL = crl
	return c, nil
}

// qeAttributesMask is Intel's TD_QE identity mask: the DEBUG bit (0x04 of byte 0) and the
// first 8 bytes count; the identity states the masked value.
var (
	qeAttributesMask   = [16]byte{0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	maskedQEAttributes = func() (m [16]byte) {
		for i := range m {
			m[i] = qeAttributes[i] & qeAttributesMask[i]
		}
		return m
	}()
)

// signedDoc writes {"<key>": body, "signature": hex(r||s)} with the signature over the
// body's exact bytes, as Intel signs its collateral.
func signedDoc(key string, body any, k *ecdsa.PrivateKey) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	r, s, err := ecdsa.Sign(rand.Reader, k, sum[:])
	if err != nil {
		return nil, fmt.Errorf("simroots: signing the simulated %s: %w", key, err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return []byte(fmt.Sprintf(`{"%s":%s,"signature":"%s"}`, key, b, hex.EncodeToString(sig))), nil
}
