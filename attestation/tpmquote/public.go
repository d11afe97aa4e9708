package tpmquote

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"fmt"

	"github.com/google/go-tpm/tpm2"
)

// ParsePublic reads an RSA public key from a TPM2B_PUBLIC or TPMT_PUBLIC (as
// tpm2_readpublic -f tpmt/tss writes), a PEM block (PUBLIC KEY or RSA PUBLIC KEY), or a
// DER SubjectPublicKeyInfo.
func ParsePublic(b []byte) (*rsa.PublicKey, error) {
	if blk, _ := pem.Decode(b); blk != nil {
		switch blk.Type {
		case "PUBLIC KEY":
			return fromSPKI(blk.Bytes)
		case "RSA PUBLIC KEY":
			return x509.ParsePKCS1PublicKey(blk.Bytes)
		}
		return nil, fmt.Errorf("PEM block %q: want PUBLIC KEY or RSA PUBLIC KEY", blk.Type)
	}
	if len(b) > 0 && b[0] == 0x30 {
		return fromSPKI(b)
	}
	if len(b) >= 2 && int(binary.BigEndian.Uint16(b))+2 == len(b) {
		return fromTPMT(b[2:])
	}
	return fromTPMT(b)
}

func fromSPKI(der []byte) (*rsa.PublicKey, error) {
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("SubjectPublicKeyInfo: %v", err)
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("SubjectPublicKeyInfo holds a %T, want RSA", k)
	}
	return rk, nil
}

func fromTPMT(b []byte) (k *rsa.PublicKey, err error) {
	defer func() {
		if r := recover(); r != nil {
			k, err = nil, fmt.Errorf("TPMT_PUBLIC does not decode: %v", r)
		}
	}()
	if len(b) < 2 {
		return nil, fmt.Errorf("public key is %d bytes: not PEM, DER or a TPM public area", len(b))
	}
	pt, err := tpm2.Unmarshal[tpm2.TPMTPublic](b)
	if err != nil {
		return nil, fmt.Errorf("not PEM, DER or a TPM public area: TPMT_PUBLIC: %v", err)
	}
	if pt.Type != tpm2.TPMAlgRSA {
		return nil, fmt.Errorf("TPMT_PUBLIC offset 0: type 0x%04x, want RSA (0x0001)", uint16(pt.Type))
	}
	parms, err := pt.Parameters.RSADetail()
	if err != nil {
		return nil, fmt.Errorf("TPMT_PUBLIC RSA parameters: %v", err)
	}
	n, err := pt.Unique.RSA()
	if err != nil || len(n.Buffer) == 0 {
		return nil, fmt.Errorf("TPMT_PUBLIC has no RSA modulus")
	}
	return tpm2.RSAPub(parms, n)
}
