// Package tpmquote parses and verifies TPM evidence offline: TPMS_ATTEST quotes, their
// RSA signatures, the PCR digest they commit to, and the binding of the vTPM AK to the
// HCL report's runtime claims.
package tpmquote

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-tpm/tpm2"
)

// TPMGenerated is the magic a TPM puts at the start of everything it signs; a restricted
// key refuses to sign outside data that starts with it.
const TPMGenerated = 0xff544347

// Attestation types.
const (
	TypeCertify = 0x8017
	TypeQuote   = 0x8018
)

// PCRBank is the selection for one hash algorithm.
type PCRBank struct {
	Hash tpm2.TPMAlgID
	PCRs []int
}

// Attest is a decoded TPMS_ATTEST.
type Attest struct {
	Raw             []byte
	Magic           uint32
	Type            uint16
	QualifiedSigner []byte
	ExtraData       []byte
	Clock           uint64
	ResetCount      uint32
	RestartCount    uint32
	Safe            bool
	FirmwareVersion uint64

	// Quote only.
	Selection []PCRBank
	PCRDigest []byte
	// Certify only.
	CertifiedName          []byte
	CertifiedQualifiedName []byte
}

// Field is a labelled value for display.
type Field struct{ Name, Value string }

// ParseAttest decodes a TPMS_ATTEST of type quote or certify, without size prefix.
func ParseAttest(msg []byte) (a *Attest, err error) {
	if len(msg) < 6 {
		return nil, fmt.Errorf("TPMS_ATTEST is %d bytes; want at least 6 (magic and type)", len(msg))
	}
	magic := uint32(msg[0])<<24 | uint32(msg[1])<<16 | uint32(msg[2])<<8 | uint32(msg[3])
	if magic != TPMGenerated {
		return nil, fmt.Errorf("TPMS_ATTEST offset 0: magic 0x%08x, want 0xff544347 (TPM_GENERATED); is this a quote message (not the signature or a TPM2B with size prefix)?", magic)
	}
	typ := uint16(msg[4])<<8 | uint16(msg[5])
	if typ != TypeQuote && typ != TypeCertify {
		return nil, fmt.Errorf("TPMS_ATTEST offset 4: type 0x%04x, want quote (0x8018) or certify (0x8017)", typ)
	}
	if err := walkAttest(msg, typ); err != nil {
		return nil, err
	}
	// go-tpm's reflective unmarshaller is not hardened against hostile input.
	defer func() {
		if r := recover(); r != nil {
			a, err = nil, fmt.Errorf("TPMS_ATTEST does not decode: %v", r)
		}
	}()
	st, err := tpm2.Unmarshal[tpm2.TPMSAttest](msg)
	if err != nil {
		return nil, fmt.Errorf("TPMS_ATTEST (%d bytes) does not decode: %v", len(msg), err)
	}
	if re := tpm2.Marshal(*st); !bytes.Equal(re, msg) {
		return nil, fmt.Errorf("TPMS_ATTEST decodes from the first %d of %d bytes: trailing data after the structure", len(re), len(msg))
	}
	a = &Attest{Raw: msg, Magic: magic, Type: typ, QualifiedSigner: st.QualifiedSigner.Buffer,
		ExtraData: st.ExtraData.Buffer, Clock: st.ClockInfo.Clock, ResetCount: st.ClockInfo.ResetCount,
		RestartCount: st.ClockInfo.RestartCount, Safe: bool(st.ClockInfo.Safe), FirmwareVersion: st.FirmwareVersion}
	switch typ {
	case TypeQuote:
		q, err := st.Attested.Quote()
		if err != nil {
			return nil, fmt.Errorf("TPMS_ATTEST quote info: %v", err)
		}
		for _, s := range q.PCRSelect.PCRSelections {
			a.Selection = append(a.Selection, PCRBank{Hash: s.Hash, PCRs: bitmapPCRs(s.PCRSelect)})
		}
		a.PCRDigest = q.PCRDigest.Buffer
	case TypeCertify:
		c, err := st.Attested.Certify()
		if err != nil {
			return nil, fmt.Errorf("TPMS_ATTEST certify info: %v", err)
		}
		a.CertifiedName, a.CertifiedQualifiedName = c.Name.Buffer, c.QualifiedName.Buffer
	}
	return a, nil
}

func bitmapPCRs(bitmap []byte) []int {
	var out []int
	for i, b := range bitmap {
		for bit := 0; bit < 8; bit++ {
			if b&(1<<bit) != 0 {
				out = append(out, i*8+bit)
			}
		}
	}
	return out
}

// TypeName is "quote" or "certify".
func (a *Attest) TypeName() string {
	if a.Type == TypeQuote {
		return "quote"
	}
	return "certify"
}

// TypeNameKO is TypeName in Korean: 쿼트 or 인증(TPM2_Certify).
func (a *Attest) TypeNameKO() string {
	if a.Type == TypeQuote {
		return "쿼트"
	}
	return "인증(TPM2_Certify)"
}

// Fields lists the attestation for display.
func (a *Attest) Fields() []Field {
	f := []Field{
		{"Magic", fmt.Sprintf("0x%08x (TPM_GENERATED)", a.Magic)},
		{"Type", fmt.Sprintf("0x%04x (%s)", a.Type, a.TypeName())},
		{"Qualified signer", hex.EncodeToString(a.QualifiedSigner)},
		{"Extra data", extraData(a.ExtraData)},
		{"Clock", fmt.Sprintf("%d ms, resets %d, restarts %d, safe %v", a.Clock, a.ResetCount, a.RestartCount, a.Safe)},
		{"Firmware version", fmt.Sprintf("0x%016x", a.FirmwareVersion)},
	}
	if a.Type == TypeQuote {
		for _, b := range a.Selection {
			f = append(f, Field{"PCR selection", fmt.Sprintf("%s: %s", algName(b.Hash), pcrList(b.PCRs))})
		}
		f = append(f, Field{"PCR digest", hex.EncodeToString(a.PCRDigest)})
	} else {
		f = append(f, Field{"Certified name", hex.EncodeToString(a.CertifiedName)},
			Field{"Certified qualified name", hex.EncodeToString(a.CertifiedQualifiedName)})
	}
	return f
}

// extraDataKO is extraData in Korean.
func extraDataKO(b []byte) string {
	if len(b) == 0 {
		return "(비어 있음)"
	}
	return extraData(b)
}

// extraData shows printable nonces as text too ("challenge" in the trustee samples).
func extraData(b []byte) string {
	if len(b) == 0 {
		return "(empty)"
	}
	s := hex.EncodeToString(b)
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return s
		}
	}
	return fmt.Sprintf("%s (%q)", s, string(b))
}

func algName(a tpm2.TPMAlgID) string {
	switch a {
	case tpm2.TPMAlgSHA1:
		return "sha1"
	case tpm2.TPMAlgSHA256:
		return "sha256"
	case tpm2.TPMAlgSHA384:
		return "sha384"
	case tpm2.TPMAlgSHA512:
		return "sha512"
	}
	return fmt.Sprintf("alg 0x%04x", uint16(a))
}

// PCRList renders a PCR set as ranges in ascending order: 7,0,1,2,3 as "0-3,7", and an
// empty set as "none". It is how every page and check writes PCR sets.
func PCRList(pcrs []int) string {
	if len(pcrs) == 0 {
		return "none"
	}
	pcrs = slices.Clone(pcrs)
	slices.Sort(pcrs)
	pcrs = slices.Compact(pcrs)
	var parts []string
	for i := 0; i < len(pcrs); {
		j := i
		for j+1 < len(pcrs) && pcrs[j+1] == pcrs[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", pcrs[i], pcrs[j]))
		} else {
			parts = append(parts, fmt.Sprint(pcrs[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

func pcrList(pcrs []int) string { return PCRList(pcrs) }

// walkAttest follows the TPMS_ATTEST layout (TPM 2.0 Part 2, 10.12.12) size field by size
// field, so that a truncated or garbled message is reported by field and offset; go-tpm's
// decoder says only that it ran out of bytes.
func walkAttest(msg []byte, typ uint16) error {
	off := 6
	need := func(field string, n int) error {
		if n > len(msg)-off {
			return fmt.Errorf("TPMS_ATTEST %s at offset %d: needs %d bytes, only %d remain of %d; the quote message is truncated or garbled (save the TPMS_ATTEST exactly as TPM2_Quote returned it)", field, off, n, len(msg)-off, len(msg))
		}
		return nil
	}
	sized := func(field string) error {
		if err := need(field+".size", 2); err != nil {
			return err
		}
		n := int(msg[off])<<8 | int(msg[off+1])
		if n > len(msg)-off-2 {
			return fmt.Errorf("TPMS_ATTEST %s.size at offset %d: says %d bytes, only %d follow; the quote message is truncated or garbled", field, off, n, len(msg)-off-2)
		}
		off += 2 + n
		return nil
	}
	fixed := func(field string, n int) error {
		if err := need(field, n); err != nil {
			return err
		}
		off += n
		return nil
	}
	steps := []func() error{
		func() error { return sized("qualifiedSigner") },
		func() error { return sized("extraData") },
		func() error { return fixed("clockInfo", 17) },
		func() error { return fixed("firmwareVersion", 8) },
	}
	if typ == TypeCertify {
		steps = append(steps, func() error { return sized("attested.certify.name") },
			func() error { return sized("attested.certify.qualifiedName") })
	} else {
		steps = append(steps, func() error {
			if err := need("attested.quote.pcrSelect.count", 4); err != nil {
				return err
			}
			n := binary.BigEndian.Uint32(msg[off:])
			// TPM2 defines at most HASH_COUNT banks; a larger count is garbage.
			if n > 16 {
				return fmt.Errorf("TPMS_ATTEST attested.quote.pcrSelect.count at offset %d: %d banks, a TPM has at most 16; the quote message is garbled", off, n)
			}
			off += 4
			for i := range int(n) {
				field := fmt.Sprintf("attested.quote.pcrSelect[%d]", i)
				if err := need(field, 3); err != nil {
					return err
				}
				sz := int(msg[off+2])
				off += 3
				if err := fixed(field+".pcrSelect", sz); err != nil {
					return err
				}
			}
			return nil
		}, func() error { return sized("attested.quote.pcrDigest") })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	if off != len(msg) {
		return fmt.Errorf("TPMS_ATTEST offset %d: %d bytes of trailing data after the structure; pass the TPMS_ATTEST alone (no size prefix, no signature appended)", off, len(msg)-off)
	}
	return nil
}
