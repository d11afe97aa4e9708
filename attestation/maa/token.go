package maa

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"strings"
)

// transportAAD is the additional data MAA authenticates with the GCM-encrypted token.
const transportAAD = "Transport Key"

// EncryptionParams is how MAA says it encrypted the token.
type EncryptionParams struct {
	BlockMode     string
	BlockPadding  string
	Cipher        string
	KeySizeInBits int
}

// EncryptedToken is the decoded AzureGuest answer (protocol §4.5): a JWT sealed with AES-GCM
// under a fresh key that is itself RSA-encrypted to the TPM's ephemeral key.
type EncryptedToken struct {
	EncryptedInnerKey []byte
	IV                []byte
	AuthData          []byte // the GCM tag
	Ciphertext        []byte
	Params            EncryptionParams
}

type wireParams struct {
	Iv            string `json:"Iv"`
	BlockMode     string `json:"BlockMode"`
	BlockPadding  string `json:"BlockPadding"`
	Cipher        string `json:"Cipher"`
	KeySizeInBits int    `json:"KeySizeInBits"`
}

type wireToken struct {
	EncryptedInnerKey  string     `json:"EncryptedInnerKey"`
	EncryptionParams   wireParams `json:"EncryptionParams"`
	AuthenticationData string     `json:"AuthenticationData"`
	Jwt                string     `json:"Jwt"`
}

// ParseGuestResponse decodes {"token":T} where T is b64url JSON, and checks the parameters
// against the only ones MAA uses, as AZ-CPP does, so that a change is reported, not guessed.
func ParseGuestResponse(body []byte) (*EncryptedToken, error) {
	var outer struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &outer); err != nil {
		return nil, fmt.Errorf("AzureGuest answer is not JSON: %v", err)
	}
	if outer.Token == "" {
		return nil, fmt.Errorf("AzureGuest answer has no \"token\" field")
	}
	if strings.Count(outer.Token, ".") == 2 {
		return nil, fmt.Errorf("AzureGuest token is a plain JWT, not the encrypted form; was this a SevSnpVm/TdxVm answer?")
	}
	inner, err := decodeB64(outer.Token)
	if err != nil {
		return nil, fmt.Errorf("AzureGuest token is not base64url: %v", err)
	}
	var w wireToken
	if err := json.Unmarshal(inner, &w); err != nil {
		return nil, fmt.Errorf("AzureGuest token does not decode to the encrypted-token JSON: %v", err)
	}
	p := w.EncryptionParams
	for _, c := range []struct{ field, got, want string }{
		{"BlockMode", p.BlockMode, "ChainingModeGCM"}, {"BlockPadding", p.BlockPadding, "PKCS7"}, {"Cipher", p.Cipher, "AES"},
	} {
		if c.got != c.want {
			return nil, fmt.Errorf("AzureGuest token: EncryptionParams.%s is %q, want %q; MAA changed its encryption and cvmscope does not support it", c.field, c.got, c.want)
		}
	}
	et := &EncryptedToken{Params: EncryptionParams{BlockMode: p.BlockMode, BlockPadding: p.BlockPadding, Cipher: p.Cipher, KeySizeInBits: p.KeySizeInBits}}
	for _, f := range []struct {
		name string
		in   string
		out  *[]byte
	}{{"EncryptedInnerKey", w.EncryptedInnerKey, &et.EncryptedInnerKey}, {"EncryptionParams.Iv", p.Iv, &et.IV},
		{"AuthenticationData", w.AuthenticationData, &et.AuthData}, {"Jwt", w.Jwt, &et.Ciphertext}} {
		if f.in == "" {
			return nil, fmt.Errorf("AzureGuest token: %s is missing", f.name)
		}
		b, err := decodeB64(f.in)
		if err != nil {
			return nil, fmt.Errorf("AzureGuest token: %s is not base64: %v", f.name, err)
		}
		*f.out = b
	}
	return et, nil
}

// DecryptToken opens the token. unwrap decrypts EncryptedInnerKey with the ephemeral key
// (TPM2_RSA_Decrypt under the PCR policy on a real VM, rsa.DecryptPKCS1v15 in tests).
func DecryptToken(et *EncryptedToken, unwrap func(encryptedKey []byte) ([]byte, error)) (string, error) {
	if et == nil {
		return "", fmt.Errorf("no encrypted token to decrypt")
	}
	key, err := unwrap(et.EncryptedInnerKey)
	if err != nil {
		return "", fmt.Errorf("unwrapping the token key with the ephemeral key: %w", err)
	}
	switch len(key) {
	case 16, 24, 32:
	default:
		return "", fmt.Errorf("the unwrapped token key is %d bytes; AES needs 16, 24 or 32 (wrong ephemeral key?)", len(key))
	}
	if len(et.IV) != 12 {
		return "", fmt.Errorf("EncryptionParams.Iv is %d bytes, want the 12-byte GCM nonce", len(et.IV))
	}
	if len(et.AuthData) != 16 {
		return "", fmt.Errorf("AuthenticationData is %d bytes, want the 16-byte GCM tag", len(et.AuthData))
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	ct := append(append(make([]byte, 0, len(et.Ciphertext)+16), et.Ciphertext...), et.AuthData...)
	pt, err := gcm.Open(nil, et.IV, ct, []byte(transportAAD))
	if err != nil {
		return "", fmt.Errorf("AES-GCM rejected the token (tag mismatch): the key, IV or AAD %q does not match what MAA used", transportAAD)
	}
	return string(pt), nil
}

// EncryptToken is the exact inverse of ParseGuestResponse and DecryptToken: what MAA does
// with a JWT and the request's EncKeyPub. The emulator answers AzureGuest with it.
func EncryptToken(jwt string, pub *rsa.PublicKey) ([]byte, error) {
	if pub == nil {
		return nil, fmt.Errorf("no ephemeral public key to encrypt the token to")
	}
	key := make([]byte, 32)
	rand.Read(key)
	wrapped, err := rsa.EncryptPKCS1v15(rand.Reader, pub, key)
	if err != nil {
		return nil, fmt.Errorf("wrapping the token key to the ephemeral key: %v", err)
	}
	w, err := sealToken(jwt, key)
	if err != nil {
		return nil, err
	}
	w.EncryptedInnerKey = b64.EncodeToString(wrapped)
	inner, err := json.Marshal(w)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]string{"token": b64url.EncodeToString(inner)})
}

// sealToken AES-GCM-encrypts jwt under key with MAA's parameters; the caller fills in
// EncryptedInnerKey.
func sealToken(jwt string, key []byte) (wireToken, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return wireToken{}, err
	}
	gcm, _ := cipher.NewGCM(block)
	iv := make([]byte, gcm.NonceSize())
	rand.Read(iv)
	sealed := gcm.Seal(nil, iv, []byte(jwt), []byte(transportAAD))
	ct, tag := sealed[:len(sealed)-gcm.Overhead()], sealed[len(sealed)-gcm.Overhead():]
	return wireToken{
		EncryptionParams:   wireParams{Iv: b64.EncodeToString(iv), BlockMode: "ChainingModeGCM", BlockPadding: "PKCS7", Cipher: "AES", KeySizeInBits: 8 * len(key)},
		AuthenticationData: b64.EncodeToString(tag),
		Jwt:                b64.EncodeToString(ct),
	}, nil
}
