package explain_test

import (
	"testing"

	"github.com/cvmscope/cvmscope/attestation/explain"
)

func TestWindowsPCRMeanings(t *testing.T) {
	for _, i := range []int{4, 11, 12, 13, 14} {
		w, l := explain.WindowsPCRShort(i), explain.PCRShort(i)
		if w.EN == l.EN || w.KO == "" || w.KO == w.EN || explain.WindowsPCR(i).KO == "" {
			t.Errorf("PCR%d on Windows: %+v (Linux %+v)", i, w, l)
		}
	}
	for _, i := range []int{0, 7, 23} {
		if explain.WindowsPCRShort(i) != explain.PCRShort(i) || explain.WindowsPCR(i) != explain.PCR(i) {
			t.Errorf("PCR%d should mean the same on Windows", i)
		}
	}
}
