// Package tpm2tools reads what tpm2-tools writes by default: the TPMT_SIGNATURE of
// `tpm2_quote -s`, the PCR file of `tpm2_quote -o` (its "serialized" format: the tools' own
// C structures TPML_PCR_SELECTION, a count and TPML_DIGEST blocks, in host byte order) and
// the bare digests of `tpm2_pcrread -o` (the "values" format), which only the quote's PCR
// selection can tell apart from anything else. `tpm2_quote -m` writes a plain TPMS_ATTEST,
// which the tpmquote package reads.
package tpm2tools

import (
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// TPM algorithm ids used here.
const (
	AlgRSASSA = 0x0014
	AlgRSAPSS = 0x0016
	AlgSHA1   = 0x0004
	AlgSHA256 = 0x000b
	AlgSHA384 = 0x000c
	AlgSHA512 = 0x000d
)

// DigestSize is the digest size of a hash algorithm, 0 for one this package does not know.
func DigestSize(alg uint16) int {
	switch alg {
	case AlgSHA1:
		return 20
	case AlgSHA256:
		return 32
	case AlgSHA384:
		return 48
	case AlgSHA512:
		return 64
	}
	return 0
}

// HashName names a hash algorithm.
func HashName(alg uint16) string {
	switch alg {
	case AlgSHA1:
		return "sha1"
	case AlgSHA256:
		return "sha256"
	case AlgSHA384:
		return "sha384"
	case AlgSHA512:
		return "sha512"
	}
	return fmt.Sprintf("0x%04x", alg)
}

// HashAlg is the algorithm HashName names, 0 for a name this package does not know.
func HashAlg(name string) uint16 {
	for _, a := range []uint16{AlgSHA1, AlgSHA256, AlgSHA384, AlgSHA512} {
		if HashName(a) == name {
			return a
		}
	}
	return 0
}

func perr(en, ko string, a ...any) error {
	return fault.Korean(fmt.Errorf(en, a...), fmt.Sprintf(ko, a...), "")
}

// Signature is a decoded TPMT_SIGNATURE with an RSA scheme.
type Signature struct {
	Scheme, Hash uint16
	// RSA is the raw signature, what a verifier checks.
	RSA []byte
}

// IsSignature reports whether b has the shape of an RSA TPMT_SIGNATURE: scheme RSASSA or
// RSAPSS, a known hash and a size that accounts for the rest of the file.
func IsSignature(b []byte) bool {
	if len(b) < 6 {
		return false
	}
	be := binary.BigEndian
	s, h, n := be.Uint16(b), be.Uint16(b[2:]), int(be.Uint16(b[4:]))
	return (s == AlgRSASSA || s == AlgRSAPSS) && DigestSize(h) > 0 && n+6 == len(b)
}

// ParseSignature decodes an RSA TPMT_SIGNATURE (big-endian, as the TPM marshals it).
func ParseSignature(b []byte) (*Signature, error) {
	if len(b) < 6 {
		return nil, perr("TPMT_SIGNATURE: %d bytes, need at least 6 (scheme, hash, size)", "TPMT_SIGNATURE: %d바이트입니다. 최소 6바이트(스킴, 해시, 크기)가 필요합니다", len(b))
	}
	be := binary.BigEndian
	sig := &Signature{Scheme: be.Uint16(b), Hash: be.Uint16(b[2:])}
	if sig.Scheme != AlgRSASSA && sig.Scheme != AlgRSAPSS {
		return nil, perr("TPMT_SIGNATURE offset 0: scheme 0x%04x; cvmscope reads RSASSA (0x0014) and RSAPSS (0x0016), the schemes of an Azure vTPM AK", "TPMT_SIGNATURE 오프셋 0: 스킴 0x%04x. cvmscope는 Azure vTPM AK의 스킴인 RSASSA(0x0014)와 RSAPSS(0x0016)를 읽습니다", sig.Scheme)
	}
	if DigestSize(sig.Hash) == 0 {
		return nil, perr("TPMT_SIGNATURE offset 2: unknown hash algorithm 0x%04x", "TPMT_SIGNATURE 오프셋 2: 알 수 없는 해시 알고리즘 0x%04x", sig.Hash)
	}
	n := int(be.Uint16(b[4:]))
	if n+6 != len(b) {
		return nil, perr("TPMT_SIGNATURE offset 4: the signature is %d bytes, but %d follow; the file is truncated or has trailing data", "TPMT_SIGNATURE 오프셋 4: 서명이 %d바이트라고 하지만 뒤에 %d바이트가 있습니다. 파일이 잘렸거나 뒤에 다른 데이터가 붙었습니다", n, len(b)-6)
	}
	sig.RSA = b[6:]
	return sig, nil
}

// Bank is the values of one hash algorithm's PCRs.
type Bank struct {
	Hash   uint16
	Values map[int][]byte
}

// Indices returns the bank's PCR indices, ascending.
func (b Bank) Indices() []int {
	idx := make([]int, 0, len(b.Values))
	for i := range b.Values {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	return idx
}

// Layout of the serialized PCR file (tpm2-tools lib/pcr.c, pcr_fwrite_serialized): the C
// structures as they sit in memory on a little-endian host.
const (
	selMax      = 16 // TPM2_NUM_PCR_BANKS
	selSize     = 8  // TPMS_PCR_SELECTION: hash u16, sizeofSelect u8, pcrSelect[4], padding
	selListSize = 4 + selMax*selSize
	digestMax   = 8      // TPML_DIGEST holds at most 8 digests
	tpm2bSize   = 2 + 64 // TPM2B_DIGEST: size u16, buffer[sizeof(TPMU_HA)]
	digestList  = 4 + digestMax*tpm2bSize
	maxBlocks   = 32 // tpm2_pcrs holds up to TPM2_MAX_PCRS TPML_DIGESTs
)

// IsPCRFile reports whether b has the size and selection header of a serialized PCR file.
func IsPCRFile(b []byte) bool {
	if len(b) < selListSize+4 {
		return false
	}
	le := binary.LittleEndian
	count := le.Uint32(b)
	blocks := le.Uint32(b[selListSize:])
	if count == 0 || count > selMax || blocks == 0 || blocks > maxBlocks || len(b) != selListSize+4+int(blocks)*digestList {
		return false
	}
	return DigestSize(le.Uint16(b[4:])) > 0
}

// ParsePCRFile decodes the PCR file of `tpm2_quote -o` (or `tpm2_pcrread -o -F serialized`).
func ParsePCRFile(b []byte) ([]Bank, error) {
	if len(b) < selListSize+4 {
		return nil, perr("tpm2-tools PCR file: %d bytes, need at least %d (selection and count)", "tpm2-tools PCR 파일: %d바이트입니다. 최소 %d바이트(선택과 개수)가 필요합니다", len(b), selListSize+4)
	}
	le := binary.LittleEndian
	count := int(le.Uint32(b))
	if count == 0 || count > selMax {
		return nil, perr("tpm2-tools PCR file offset 0: %d PCR banks selected, want 1 to %d", "tpm2-tools PCR 파일 오프셋 0: 선택된 PCR 뱅크가 %d개입니다. 1~%d개여야 합니다", count, selMax)
	}
	blocks := int(le.Uint32(b[selListSize:]))
	if blocks > maxBlocks || len(b) != selListSize+4+blocks*digestList {
		return nil, perr("tpm2-tools PCR file offset %d: %d digest blocks need %d bytes in all, the file has %d; it is truncated or not this format", "tpm2-tools PCR 파일 오프셋 %d: 다이제스트 블록 %d개에는 모두 %d바이트가 필요하지만 파일은 %d바이트입니다. 파일이 잘렸거나 이 형식이 아닙니다",
			selListSize, blocks, selListSize+4+blocks*digestList, len(b))
	}
	// The digests follow the selection: bank by bank, PCRs ascending, eight to a block.
	var digests [][]byte
	for k := range blocks {
		off := selListSize + 4 + k*digestList
		n := int(le.Uint32(b[off:]))
		if n > digestMax {
			return nil, perr("tpm2-tools PCR file offset %d: a digest block holds %d digests, at most %d fit", "tpm2-tools PCR 파일 오프셋 %d: 다이제스트 블록에 다이제스트가 %d개 있지만 최대 %d개만 들어갑니다", off, n, digestMax)
		}
		for j := range n {
			d := off + 4 + j*tpm2bSize
			size := int(le.Uint16(b[d:]))
			if size > 64 {
				return nil, perr("tpm2-tools PCR file offset %d: digest size %d, at most 64", "tpm2-tools PCR 파일 오프셋 %d: 다이제스트 크기 %d. 최대 64입니다", d, size)
			}
			digests = append(digests, b[d+2:d+2+size])
		}
	}
	var banks []Bank
	next := 0
	for i := range count {
		off := 4 + i*selSize
		hash := le.Uint16(b[off:])
		n := int(b[off+2])
		if n > 4 {
			return nil, perr("tpm2-tools PCR file offset %d: sizeofSelect %d, at most 4", "tpm2-tools PCR 파일 오프셋 %d: sizeofSelect %d. 최대 4입니다", off+2, n)
		}
		size := DigestSize(hash)
		if size == 0 {
			return nil, perr("tpm2-tools PCR file offset %d: unknown hash algorithm 0x%04x", "tpm2-tools PCR 파일 오프셋 %d: 알 수 없는 해시 알고리즘 0x%04x", off, hash)
		}
		bank := Bank{Hash: hash, Values: map[int][]byte{}}
		for _, pcr := range bitmap(b[off+3 : off+3+n]) {
			if next >= len(digests) {
				return nil, perr("tpm2-tools PCR file: the selection names more PCRs than the %d digests the file holds", "tpm2-tools PCR 파일: 선택된 PCR이 파일에 있는 다이제스트 %d개보다 많습니다", len(digests))
			}
			if len(digests[next]) != size {
				return nil, perr("tpm2-tools PCR file: %s PCR %d has a %d-byte digest, want %d", "tpm2-tools PCR 파일: %s PCR %d의 다이제스트가 %d바이트입니다. %d바이트여야 합니다", HashName(hash), pcr, len(digests[next]), size)
			}
			bank.Values[pcr] = digests[next]
			next++
		}
		banks = append(banks, bank)
	}
	if next != len(digests) {
		return nil, perr("tpm2-tools PCR file: %d digests, but the selection names %d PCRs", "tpm2-tools PCR 파일: 다이제스트는 %d개인데 선택된 PCR은 %d개입니다", len(digests), next)
	}
	return banks, nil
}

// SplitValues cuts the bare digests of `tpm2_pcrread -o` along a selection (bank by bank,
// PCRs ascending). The file carries no selection of its own, so the caller brings the quote's.
func SplitValues(b []byte, sel []Selection) ([]Bank, error) {
	want := 0
	for _, s := range sel {
		want += DigestSize(s.Hash) * len(s.PCRs)
	}
	if want == 0 || want != len(b) {
		return nil, perr("PCR values: %d bytes, but the quote's selection needs %d", "PCR 값: %d바이트이지만 쿼트의 선택에는 %d바이트가 필요합니다", len(b), want)
	}
	var banks []Bank
	off := 0
	for _, s := range sel {
		bank := Bank{Hash: s.Hash, Values: map[int][]byte{}}
		size := DigestSize(s.Hash)
		pcrs := append([]int(nil), s.PCRs...)
		sort.Ints(pcrs)
		for _, p := range pcrs {
			bank.Values[p] = b[off : off+size]
			off += size
		}
		banks = append(banks, bank)
	}
	return banks, nil
}

// Selection is one bank of a PCR selection.
type Selection struct {
	Hash uint16
	PCRs []int
}

func bitmap(sel []byte) []int {
	var out []int
	for i, by := range sel {
		for bit := range 8 {
			if by&(1<<bit) != 0 {
				out = append(out, i*8+bit)
			}
		}
	}
	return out
}
