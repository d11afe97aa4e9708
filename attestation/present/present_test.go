package present

import (
	"slices"
	"testing"
)

func TestRowInLanguage(t *testing.T) {
	r := Row{Key: "Event log", KeyKO: "이벤트 로그",
		Cells:   []string{"a3f1", "firmware code", "match"},
		CellsKO: []string{"", "펌웨어 코드", "일치"}}
	if got := r.KeyIn(KO); got != "이벤트 로그" {
		t.Errorf("KeyIn(KO) = %q", got)
	}
	if got := r.KeyIn(EN); got != "Event log" {
		t.Errorf("KeyIn(EN) = %q", got)
	}
	if got, want := r.CellsIn(KO), []string{"a3f1", "펌웨어 코드", "일치"}; !slices.Equal(got, want) {
		t.Errorf("CellsIn(KO) = %q, want %q (an empty Korean cell falls back to English)", got, want)
	}
	if got := r.CellsIn(EN); !slices.Equal(got, r.Cells) {
		t.Errorf("CellsIn(EN) = %q", got)
	}
	// Korean never rewrites the English cells, which y copies.
	if r.Cells[1] != "firmware code" {
		t.Errorf("CellsIn(KO) changed Cells: %q", r.Cells)
	}

	plain := Row{Key: "nonce", Cells: []string{"x", "y"}}
	if plain.KeyIn(KO) != "nonce" || !slices.Equal(plain.CellsIn(KO), plain.Cells) {
		t.Errorf("a row without Korean forms does not fall back to English: %q %q", plain.KeyIn(KO), plain.CellsIn(KO))
	}
	short := Row{Cells: []string{"x", "y", "z"}, CellsKO: []string{"", "와이"}}
	if got, want := short.CellsIn(KO), []string{"x", "와이", "z"}; !slices.Equal(got, want) {
		t.Errorf("short CellsKO: %q, want %q", got, want)
	}
}
