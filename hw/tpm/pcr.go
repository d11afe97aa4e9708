package tpm

import (
	"context"
	"fmt"
	"slices"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/google/go-tpm/tpm2"
)

// AllPCRs is 0..23.
func AllPCRs() []int {
	out := make([]int, PCRCount)
	for i := range out {
		out[i] = i
	}
	return out
}

// selection builds a SHA-256 TPML_PCR_SELECTION (bit n%8 of byte n/8 selects PCR n).
func selection(pcrs []int) (tpm2.TPMLPCRSelection, error) {
	return selectionIn(tpm2.TPMAlgSHA256, pcrs)
}

// selectionIn builds a TPML_PCR_SELECTION of one bank.
func selectionIn(bank tpm2.TPMAlgID, pcrs []int) (tpm2.TPMLPCRSelection, error) {
	bitmap := make([]byte, PCRCount/8)
	for _, p := range pcrs {
		if p < 0 || p >= PCRCount {
			return tpm2.TPMLPCRSelection{}, fault.Korean(fault.Errorf(fault.Internal, "PCR %d out of range 0..%d", p, PCRCount-1),
				fmt.Sprintf("PCR %d이(가) 범위 0..%d를 벗어납니다", p, PCRCount-1), "")
		}
		bitmap[p/8] |= 1 << (p % 8)
	}
	return tpm2.TPMLPCRSelection{PCRSelections: []tpm2.TPMSPCRSelection{{Hash: bank, PCRSelect: bitmap}}}, nil
}

// ReadPCRs reads all 24 SHA-256 PCRs.
func (t *TPM) ReadPCRs(ctx context.Context) (map[int][]byte, error) {
	return t.ReadPCRSelection(ctx, AllPCRs())
}

// ReadPCRSelection reads the given SHA-256 PCRs. A TPM may return only some of the
// selected PCRs per TPM2_PCR_Read (at most 8 digests fit a response), so this asks again
// for the rest until all are in.
func (t *TPM) ReadPCRSelection(ctx context.Context, pcrs []int) (map[int][]byte, error) {
	return t.readBank(ctx, tpm2.TPMAlgSHA256, pcrs)
}

func (t *TPM) readBank(ctx context.Context, bank tpm2.TPMAlgID, pcrs []int) (map[int][]byte, error) {
	name := BankName(bank)
	want := slices.Clone(pcrs)
	slices.Sort(want)
	want = slices.Compact(want)
	out := make(map[int][]byte, len(want))
	for len(want) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sel, err := selectionIn(bank, want)
		if err != nil {
			return nil, err
		}
		rsp, err := tpm2.PCRRead{PCRSelectionIn: sel}.Execute(t.tr)
		if err != nil {
			return nil, commandError("TPM2_PCR_Read", name+" bank", err)
		}
		got := returned(rsp.PCRSelectionOut, bank)
		if len(got) == 0 || len(got) != len(rsp.PCRValues.Digests) {
			return nil, fault.Korean(fault.WithHint(fault.Device,
				fmt.Errorf("TPM2_PCR_Read returned %d PCRs for %d digests while %v were still wanted", len(got), len(rsp.PCRValues.Digests), want),
				"the TPM has no "+name+" PCR bank allocated; enable it (tpm2_pcrallocate "+name+":all) and reboot"),
				fmt.Sprintf("TPM2_PCR_Read가 다이제스트 %d개에 PCR %d개를 돌려주었습니다. 아직 받지 못한 PCR: %v", len(rsp.PCRValues.Digests), len(got), want),
				"TPM에 "+name+" PCR 뱅크가 할당되지 않았습니다. tpm2_pcrallocate "+name+":all로 할당한 뒤 재부팅합니다")
		}
		for i, p := range got {
			out[p] = slices.Clone(rsp.PCRValues.Digests[i].Buffer)
		}
		want = slices.DeleteFunc(want, func(p int) bool { _, ok := out[p]; return ok })
	}
	return out, nil
}

// returned lists the PCRs of bank a TPM2_PCR_Read answered, in the order of its digests.
func returned(sel tpm2.TPMLPCRSelection, bank tpm2.TPMAlgID) []int {
	var out []int
	for _, s := range sel.PCRSelections {
		if s.Hash != bank {
			continue
		}
		for i, b := range s.PCRSelect {
			for bit := 0; bit < 8; bit++ {
				if b&(1<<bit) != 0 {
					out = append(out, i*8+bit)
				}
			}
		}
	}
	return out
}

// bankNames are the PCR banks' names as tpm2-tools and the event log spell them.
var bankNames = map[tpm2.TPMAlgID]string{tpm2.TPMAlgSHA1: "sha1", tpm2.TPMAlgSHA256: "sha256", tpm2.TPMAlgSHA384: "sha384", tpm2.TPMAlgSHA512: "sha512", tpm2.TPMAlgSM3256: "sm3_256"}

// BankName is a bank's name ("sha384"), or its algorithm id in hex when unknown.
func BankName(alg tpm2.TPMAlgID) string {
	if n, ok := bankNames[alg]; ok {
		return n
	}
	return fmt.Sprintf("0x%04x", uint16(alg))
}

// Banks lists the PCR banks the TPM has allocated (TPM2_GetCapability TPM_CAP_PCRS): a bank
// with no PCR selected is defined but not in use, and is left out.
func (t *TPM) Banks(ctx context.Context) ([]tpm2.TPMAlgID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rsp, err := tpm2.GetCapability{Capability: tpm2.TPMCapPCRs, PropertyCount: 1}.Execute(t.tr)
	if err != nil {
		return nil, commandError("TPM2_GetCapability", "PCR banks", err)
	}
	sel, err := rsp.CapabilityData.Data.AssignedPCR()
	if err != nil {
		return nil, fault.Korean(fault.Errorf(fault.Device, "TPM2_GetCapability PCR banks: %v", err),
			fmt.Sprintf("TPM2_GetCapability PCR 뱅크: TPM의 응답을 읽을 수 없습니다 (%v)", err), "")
	}
	var out []tpm2.TPMAlgID
	for _, b := range sel.PCRSelections {
		if slices.ContainsFunc(b.PCRSelect, func(x byte) bool { return x != 0 }) {
			out = append(out, b.Hash)
		}
	}
	return out, nil
}

// ReadBanks reads all 24 PCRs of every bank the TPM has allocated, by bank name ("sha1",
// "sha256", "sha384"). Only the SHA-256 bank is quoted for MAA; the others are read for
// comparison with the event log's replay in the same bank.
func (t *TPM) ReadBanks(ctx context.Context) (map[string]map[int][]byte, error) {
	banks, err := t.Banks(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]map[int][]byte{}
	for _, b := range banks {
		v, err := t.readBank(ctx, b, AllPCRs())
		if err != nil {
			return nil, err
		}
		out[BankName(b)] = v
	}
	return out, nil
}
