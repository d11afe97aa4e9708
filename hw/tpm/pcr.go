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
	bitmap := make([]byte, PCRCount/8)
	for _, p := range pcrs {
		if p < 0 || p >= PCRCount {
			return tpm2.TPMLPCRSelection{}, fault.Korean(fault.Errorf(fault.Internal, "PCR %d out of range 0..%d", p, PCRCount-1),
				fmt.Sprintf("PCR %d이(가) 범위 0..%d를 벗어납니다", p, PCRCount-1), "")
		}
		bitmap[p/8] |= 1 << (p % 8)
	}
	return tpm2.TPMLPCRSelection{PCRSelections: []tpm2.TPMSPCRSelection{{Hash: tpm2.TPMAlgSHA256, PCRSelect: bitmap}}}, nil
}

// ReadPCRs reads all 24 SHA-256 PCRs.
func (t *TPM) ReadPCRs(ctx context.Context) (map[int][]byte, error) {
	return t.ReadPCRSelection(ctx, AllPCRs())
}

// ReadPCRSelection reads the given SHA-256 PCRs. A TPM may return only some of the
// selected PCRs per TPM2_PCR_Read (at most 8 digests fit a response), so this asks again
// for the rest until all are in.
func (t *TPM) ReadPCRSelection(ctx context.Context, pcrs []int) (map[int][]byte, error) {
	want := slices.Clone(pcrs)
	slices.Sort(want)
	want = slices.Compact(want)
	out := make(map[int][]byte, len(want))
	for len(want) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sel, err := selection(want)
		if err != nil {
			return nil, err
		}
		rsp, err := tpm2.PCRRead{PCRSelectionIn: sel}.Execute(t.tr)
		if err != nil {
			return nil, commandError("TPM2_PCR_Read", "sha256 bank", err)
		}
		got := returned(rsp.PCRSelectionOut)
		if len(got) == 0 || len(got) != len(rsp.PCRValues.Digests) {
			return nil, fault.Korean(fault.WithHint(fault.Device,
				fmt.Errorf("TPM2_PCR_Read returned %d PCRs for %d digests while %v were still wanted", len(got), len(rsp.PCRValues.Digests), want),
				"the TPM has no SHA-256 PCR bank allocated; enable it (tpm2_pcrallocate sha256:all) and reboot"),
				fmt.Sprintf("TPM2_PCR_Read가 다이제스트 %d개에 PCR %d개를 돌려주었습니다. 아직 받지 못한 PCR: %v", len(rsp.PCRValues.Digests), len(got), want),
				"TPM에 SHA-256 PCR 뱅크가 할당되지 않았습니다. tpm2_pcrallocate sha256:all로 할당한 뒤 재부팅합니다")
		}
		for i, p := range got {
			out[p] = slices.Clone(rsp.PCRValues.Digests[i].Buffer)
		}
		want = slices.DeleteFunc(want, func(p int) bool { _, ok := out[p]; return ok })
	}
	return out, nil
}

// returned lists the SHA-256 PCRs a TPM2_PCR_Read answered, in the order of its digests.
func returned(sel tpm2.TPMLPCRSelection) []int {
	var out []int
	for _, s := range sel.PCRSelections {
		if s.Hash != tpm2.TPMAlgSHA256 {
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
