package hcl

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// koErr is an error in English with its Korean beside it, both formatted from the same
// arguments, for fault.MessageIn.
func koErr(en, ko string, a ...any) error {
	return fault.Korean(fmt.Errorf(en, a...), fmt.Sprintf(ko, a...), "")
}

// JWK is an RSA public key as the runtime claims carry it.
type JWK struct {
	Kid    string   `json:"kid"`
	KeyOps []string `json:"key_ops,omitempty"`
	Kty    string   `json:"kty"`
	E      string   `json:"e"`
	N      string   `json:"n"`
}

// RSA decodes the key. n and e are base64url without padding; standard base64 and padding
// are accepted too.
func (k JWK) RSA() (*rsa.PublicKey, error) {
	if k.Kty != "RSA" {
		return nil, koErr("key %q: kty %q, want RSA", "키 %q: kty가 %q이지만 RSA여야 합니다", k.Kid, k.Kty)
	}
	n, err := DecodeB64(k.N)
	if err != nil || len(n) == 0 {
		return nil, koErr("key %q: modulus n is not base64url: %v", "키 %q: 모듈러스 n이 base64url이 아닙니다: %v", k.Kid, err)
	}
	e, err := DecodeB64(k.E)
	if err != nil || len(e) == 0 || len(e) > 4 {
		return nil, koErr("key %q: exponent e is not a base64url integer of 1 to 4 bytes", "키 %q: 지수 e가 1~4바이트의 base64url 정수가 아닙니다", k.Kid)
	}
	ev := 0
	for _, c := range e {
		ev = ev<<8 | int(c)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: ev}, nil
}

// NewJWK encodes an RSA public key as the paravisor does.
func NewJWK(kid string, ops []string, pub *rsa.PublicKey) JWK {
	e := big.NewInt(int64(pub.E)).Bytes()
	return JWK{Kid: kid, KeyOps: ops, Kty: "RSA",
		E: base64.RawURLEncoding.EncodeToString(e),
		N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes())}
}

// DecodeB64 accepts base64url or standard base64, with or without padding.
func DecodeB64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if strings.ContainsAny(s, "+/") {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// VMConfiguration holds the known "vm-configuration" keys (protocol §18). Every field is
// optional: older and newer paravisors differ, and SEV-SNP hosts omit some. Unknown keys
// stay in RuntimeClaims.VMConfigRaw.
type VMConfiguration struct {
	ConsoleEnabled             *bool  `json:"console-enabled,omitempty"`
	InteractiveConsoleEnabled  *bool  `json:"interactive-console-enabled,omitempty"`
	CurrentTime                *int64 `json:"current-time,omitempty"`
	RootCertThumbprint         string `json:"root-cert-thumbprint,omitempty"`
	SecureBoot                 *bool  `json:"secure-boot,omitempty"`
	SecureBootTemplateID       string `json:"secure-boot-template-id,omitempty"`
	TPMEnabled                 *bool  `json:"tpm-enabled,omitempty"`
	TPMPersisted               *bool  `json:"tpm-persisted,omitempty"`
	FilteredVPCIDevicesAllowed *bool  `json:"filtered-vpci-devices-allowed,omitempty"`
	VMUniqueID                 string `json:"vmUniqueId,omitempty"`
	// VMGSProvisioner names who provisioned the guest state file, from a signed provenance
	// token in the VMGS; nil when there is none.
	VMGSProvisioner *VMGSProvisioner `json:"vmgs-provisioner,omitempty"`
	// HardwareSealingPolicy is "none", "hash" or "signer": how the guest state key is sealed.
	HardwareSealingPolicy string `json:"hardware-sealing-policy,omitempty"`
}

// VMGSProvisioner is vm-configuration.vmgs-provisioner: the VMGS GUID and the provenance
// token's signer as did:x509:0:sha256:<root cert SHA-256>:subject:<leaf CN>.
type VMGSProvisioner struct {
	ID     string `json:"id"`
	Signer string `json:"signer"`
}

// RuntimeClaims is the decoded runtime-claims JSON.
type RuntimeClaims struct {
	Keys     []JWK           `json:"keys"`
	VMConfig VMConfiguration `json:"vm-configuration"`
	// UserData is the hex of the 64 bytes in NV 0x01400002 (absent on early VMs): upper-case
	// from older paravisors, lower-case from OpenHCL today, so compare it case-insensitively.
	UserData string `json:"user-data,omitempty"`

	// VMConfigRaw and Raw keep every key as decoded, so that nothing is hidden.
	VMConfigRaw map[string]any `json:"-"`
	Raw         map[string]any `json:"-"`
}

// ParseRuntimeClaims decodes runtime claims. Unknown fields are kept in Raw.
func ParseRuntimeClaims(b []byte) (*RuntimeClaims, error) {
	var rc RuntimeClaims
	if err := json.Unmarshal(b, &rc); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, koErr("runtime claims are not valid JSON at byte %d of the claims: %v; they must be the exact bytes the paravisor wrote",
				"런타임 클레임이 클레임의 %d번째 바이트에서 올바른 JSON이 아닙니다: %v. 패러바이저가 쓴 바이트 그대로여야 합니다", se.Offset, err)
		case errors.As(err, &te):
			return nil, koErr("runtime claims field %q at byte %d of the claims: want %s, found %s",
				"클레임의 %[2]d번째 바이트에 있는 런타임 클레임 필드 %[1]q: %[3]s이어야 하지만 %[4]s입니다", te.Field, te.Offset, te.Type, te.Value)
		}
		return nil, koErr("runtime claims are not valid JSON: %v", "런타임 클레임이 올바른 JSON이 아닙니다: %v", err)
	}
	_ = json.Unmarshal(b, &rc.Raw)
	if m, ok := rc.Raw["vm-configuration"].(map[string]any); ok {
		rc.VMConfigRaw = m
	}
	return &rc, nil
}

// Key returns the key with the given kid (e.g. "HCLAkPub"), or nil.
func (rc *RuntimeClaims) Key(kid string) *JWK {
	for i := range rc.Keys {
		if rc.Keys[i].Kid == kid {
			return &rc.Keys[i]
		}
	}
	return nil
}

// UserDataBytes decodes the user-data hex; nil when absent.
func (rc *RuntimeClaims) UserDataBytes() ([]byte, error) {
	if rc.UserData == "" {
		return nil, nil
	}
	b, err := hex.DecodeString(rc.UserData)
	if err != nil {
		return nil, koErr("runtime claims user-data is not hex: %v", "런타임 클레임의 user-data가 hex가 아닙니다: %v", err)
	}
	return b, nil
}

// UserDataHex encodes user data as the paravisor writes it into the claims: upper-case hex.
func UserDataHex(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }
