package simroots

import (
	"crypto/rsa"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"fmt"
	"sync"
)

// The keys are embedded rather than generated: RSA-4096 generation takes seconds and Go
// ignores custom random sources for key generation, so it could not be reproducible.
//
//go:embed simulated_test_keys/*.pem
var testKeys embed.FS

// Names of the embedded simulated keys.
const (
	keyARK          = "amd-ark"
	keyASK          = "amd-ask"
	keyVTPMRoot     = "vtpm-root-ca"
	keyVTPMInterCA  = "vtpm-intermediate-ca"
	keyMAASigner    = "maa-signer"
	testKeyFilePath = "simulated_test_keys/SIMULATED-TEST-KEY-%s.pem"

	certARK          = "amd-ark"
	certASK          = "amd-ask"
	certVTPMRoot     = "vtpm-root-ca"
	certVTPMInterCA  = "vtpm-intermediate-ca"
	certDefaultVCEK  = "amd-vcek-default-seed"
	certEndorseRoot  = "paravisor-endorsement-root"
	certEndorseCA    = "paravisor-endorsement-ca"
	certEndorseLeaf  = "paravisor-endorsement-signer"
	certMAASigner    = "maa-signer"
	testCertFilePath = "simulated_test_keys/SIMULATED-TEST-CERT-%s.pem"
)

// certFileHeader precedes each embedded certificate; pem.Decode skips it.
const certFileHeader = `SIMULATED TEST CERTIFICATE - cvmscope - NOT ISSUED BY AMD OR MICROSOFT.
Made by simroots.buildAMDRoots, buildVTPMCA, buildEndorser, buildMAACert or signVCEK (for DefaultSeed)
from the SIMULATED-TEST-KEY files beside it;
regenerate with: go test ./hw/simcvm/simroots -run 'TestEmbedded' -update-roots

`

// keys holds each embedded key once parsed: parsing checks the key, which for RSA-4096 is
// not free, so only the keys a run signs with are parsed.
var keys sync.Map // name -> func() (*rsa.PrivateKey, error)

// testKey returns one embedded key, parsed once per process. Callers must not modify it.
func testKey(name string) (*rsa.PrivateKey, error) {
	f, _ := keys.LoadOrStore(name, sync.OnceValues(func() (*rsa.PrivateKey, error) { return parseTestKey(name) }))
	return f.(func() (*rsa.PrivateKey, error))()
}

func parseTestKey(name string) (*rsa.PrivateKey, error) {
	path := fmt.Sprintf(testKeyFilePath, name)
	raw, err := testKeys.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("simroots: embedded key %s missing: %w", path, err)
	}
	// pem.Decode skips the explanatory header text in front of the block.
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("simroots: %s holds no PKCS#8 \"PRIVATE KEY\" PEM block; regenerate it with openssl genpkey -algorithm RSA", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("simroots: %s: %w", path, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("simroots: %s holds a %T, want an RSA key", path, k)
	}
	return rk, nil
}

func embeddedCert(name string) (*x509.Certificate, error) {
	path := fmt.Sprintf(testCertFilePath, name)
	raw, err := testKeys.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("simroots: embedded certificate %s missing: %w", path, err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("simroots: %s holds no CERTIFICATE PEM block; regenerate it (see its header)", path)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("simroots: %s: %w", path, err)
	}
	return c, nil
}
