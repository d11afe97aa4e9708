package evidence

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/internal/certs"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// MaxFileSize bounds each input file; evidence files are kilobytes.
const MaxFileSize = 16 << 20

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }

// LoadFiles reads files of any supported kind, recognises each by content and combines
// them into one set. Errors name the file.
func LoadFiles(paths []string) (*Set, error) {
	s := &Set{Source: SourceFiles}
	for _, p := range paths {
		data, err := readLimited(p)
		if err != nil {
			return nil, err
		}
		if err := s.Add(p, data); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func readLimited(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, errors.Unwrap(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than %d MiB; evidence files are kilobytes, this is not one", p, MaxFileSize>>20)
	}
	return data, nil
}

// Add adds one file's content to the set.
func (s *Set) Add(name string, data []byte) error {
	kind := Detect(data)
	info := FileInfo{Path: name, Kind: kind, Size: len(data)}
	setOnce := func(dst *[]byte, what string) error {
		if len(*dst) > 0 && !bytes.Equal(*dst, data) {
			return fmt.Errorf("%s: a second %s; inspect one evidence set at a time", name, what)
		}
		*dst = data
		return nil
	}
	var err error
	switch kind {
	case KindBundle:
		err = s.mergeBundle(name, data)
	case KindHCLReport:
		err = setOnce(&s.HCLReport, "HCL report")
	case KindSNPReport:
		err = setOnce(&s.SNPReport, "SEV-SNP report")
	case KindTDReport:
		err = setOnce(&s.TDReport, "TDREPORT")
	case KindTDQuote:
		err = setOnce(&s.TDQuote, "TD quote")
	case KindTPMAttest:
		if s.Quote == nil {
			s.Quote = &Quote{}
		}
		err = setOnce(&s.Quote.Msg, "TPM quote (TPMS_ATTEST)")
	case KindSignature:
		if s.Quote == nil {
			s.Quote = &Quote{}
		}
		err = setOnce(&s.Quote.Sig, "quote signature")
	case KindPCRs:
		var pcrs map[int][]byte
		pcrs, err = ParsePCRs(data)
		if err == nil {
			if s.PCRs == nil {
				s.PCRs = map[int][]byte{}
			}
			for i, v := range pcrs {
				s.PCRs[i] = v
			}
			info.Note = fmt.Sprintf("%d PCR values", len(pcrs))
		}
	case KindEventLog:
		err = setOnce(&s.EventLog, "event log")
	case KindCertificates:
		var certs []*x509.Certificate
		certs, err = ParseCertificates(data)
		if err == nil {
			info.Note = s.addCerts(data, certs)
		}
	case KindPublicKey:
		err = setOnce(&s.AKPub, "AK public key")
	case KindTPMPublic:
		err = setOnce(&s.AKPub, "AK public area")
	case KindCRL:
		err = s.addCRL(name, data)
	case KindJWT:
		t := string(bytes.TrimSpace(data))
		if s.Token != "" && s.Token != t {
			err = fmt.Errorf("%s: a second token; inspect one token at a time", name)
		}
		s.Token = t
	case KindJWKS:
		err = setOnce(&s.JWKS, "JWKS key set")
	case KindRuntimeClaims:
		err = setOnce(&s.RuntimeClaims, "runtime claims JSON")
	case KindTCBInfo:
		err = setOnce(&s.Collateral.TCBInfo, "TDX TCB info")
	case KindQEIdentity:
		err = setOnce(&s.Collateral.QEIdentity, "QE identity")
	default:
		n := min(len(data), 16)
		return fmt.Errorf("%s: cannot tell what this file holds (%d bytes, starting % x); cvmscope reads HCL reports, SEV-SNP reports, TDREPORTs, TD quotes, TPMS_ATTEST quotes with their signature and PCR values, TCG event logs, PEM/DER certificates, CRLs, public keys, JWTs, JWKS, runtime claims, Intel collateral and cvmscope bundles", name, len(data), data[:n])
	}
	if err != nil {
		if !strings.HasPrefix(err.Error(), name) {
			err = fmt.Errorf("%s: %w", name, err)
		}
		return err
	}
	s.Files = append(s.Files, info)
	return nil
}

func (s *Set) mergeBundle(name string, data []byte) error {
	b, err := ParseBundle(data)
	if err != nil {
		return err
	}
	if len(s.Files) > 0 || len(s.HCLReport) > 0 || s.Token != "" {
		return fmt.Errorf("%s: a bundle is a whole evidence set; give it alone or first", name)
	}
	files := s.Files
	*s = *b.Evidence
	s.Files = append(files, s.Files...)
	return nil
}

// addCerts sorts certificates into the set: a file holding Intel's TCB signing certificate is
// the collateral's signing chain, an AK certificate is the AK certificate, everything else
// joins Certs for the chain checks.
func (s *Set) addCerts(data []byte, certs []*x509.Certificate) string {
	var names []string
	signing := false
	for _, c := range certs {
		names = append(names, c.Subject.CommonName)
		signing = signing || strings.Contains(c.Subject.CommonName, "TCB Signing")
	}
	for _, c := range certs {
		switch {
		case signing:
			s.Collateral.SigningChain = append(s.Collateral.SigningChain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		case isAKCert(c):
			s.AKCert = c.Raw
		default:
			s.Certs = appendUnique(s.Certs, c.Raw)
		}
	}
	return strings.Join(names, ", ")
}

// isAKCert recognises a vTPM AK certificate: Azure's are issued to "<vmid>.TrustedVM..."
// by a "Virtual TPM" CA; the simulated CA follows the same shape.
func isAKCert(c *x509.Certificate) bool {
	return strings.Contains(c.Subject.CommonName, "TrustedVM") || strings.Contains(c.Issuer.CommonName, "Virtual TPM") ||
		strings.Contains(strings.ToUpper(c.Issuer.CommonName), "TRUSTED VM")
}

func (s *Set) addCRL(name string, data []byte) error {
	der := data
	if blk, _ := pem.Decode(data); blk != nil {
		der = blk.Bytes
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return fmt.Errorf("%s: not a CRL: %v", name, err)
	}
	if strings.Contains(crl.Issuer.CommonName, "Root") {
		s.Collateral.RootCRL = der
	} else {
		s.Collateral.PCKCRL = der
	}
	return nil
}

func appendUnique(list [][]byte, b []byte) [][]byte {
	for _, x := range list {
		if bytes.Equal(x, b) {
			return list
		}
	}
	return append(list, b)
}

// ParseCertificates reads PEM bundles or a single DER certificate (zero padding allowed).
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	if bytes.Contains(data, []byte("-----BEGIN")) {
		return certs.FromPEM(data)
	}
	c, err := x509.ParseCertificate(trimDER(data))
	if err != nil {
		return nil, fmt.Errorf("not a DER certificate: %v", err)
	}
	return []*x509.Certificate{c}, nil
}

var pcrKey = regexp.MustCompile(`(?i)^(?:pcr)?\[?(\d{1,2})\]?$`)

// ParsePCRs reads 24 × 32 raw bytes (PCR0..23) or JSON with hex values keyed "pcrN", "N"
// or "PCRN", at the top level or under "pcrs". Unrelated keys are ignored.
func ParsePCRs(data []byte) (map[int][]byte, error) {
	if len(data) == 24*32 && !bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		m := make(map[int][]byte, 24)
		for i := range 24 {
			m[i] = append([]byte(nil), data[i*32:(i+1)*32]...)
		}
		return m, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("PCR values: neither 768 raw bytes nor JSON: %v", err)
	}
	if inner, ok := top["pcrs"]; ok {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(inner, &m); err == nil {
			top = m
		}
	}
	out := map[int][]byte{}
	for k, raw := range top {
		mm := pcrKey.FindStringSubmatch(k)
		if mm == nil {
			continue
		}
		idx, _ := strconv.Atoi(mm[1])
		var hx string
		if json.Unmarshal(raw, &hx) != nil {
			continue
		}
		v, err := hex.DecodeString(strings.TrimPrefix(strings.ToLower(hx), "0x"))
		if err != nil || len(v) != 32 || idx > 23 {
			return nil, fmt.Errorf("PCR values: %q is not a 32-byte hex SHA-256 value for PCR 0-23", k)
		}
		out[idx] = v
	}
	if len(out) == 0 {
		return nil, errors.New("PCR values: no \"pcrN\" keys with hex values found")
	}
	return out, nil
}
