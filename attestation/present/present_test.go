package present

import (
	"encoding/json"
	"github.com/cvmscope/cvmscope/attestation/check"
	"slices"
	"strings"
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

func TestSummariseBlobsKeepsJSONValid(t *testing.T) {
	long := strings.Repeat("QUJD", 40) // 160 base64 chars, 120 bytes
	body := `{"Proof":"` + long + `","OSType":"TGludXg=","Hex":"` + strings.Repeat("ab", 48) + `"}`
	got := SummariseBlobs(body)
	var v map[string]string
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Fatalf("summary is not JSON: %v\n%s", err, got)
	}
	if v["Proof"] != "QUJDQUJDQUJD…(120 bytes)" || v["Hex"] != "abababababab…(48 bytes)" || v["OSType"] != "TGludXg=" {
		t.Errorf("summary %q", got)
	}
	p := Page{Sections: []Section{{Kind: Code, Body: body}, {Kind: Fields, Body: body}}}
	s := p.Summarised()
	if s.Sections[0].Body == body || s.Sections[1].Body != body || p.Sections[0].Body != body {
		t.Error("Summarised must shorten Code bodies only, on a copy")
	}
}

// A check's Korean reaches its row; a check without Korean leaves the row's Korean empty,
// so the English shows in both languages rather than a copy of it.
func TestCheckRowsCarryKorean(t *testing.T) {
	ko := check.Failf("jwt.lifetime", "expired %s ago", "1h").KO("%s 전에 만료됨", "1h").
		WithDetail("exp is in the past", "exp가 지났습니다").WithDetails("exp 1700000000")
	en := check.Passf("x.y", "fine")
	rows := CheckRows(check.List{ko, en}, nil)
	if got := rows[0].ValueIn(KO); got != "1h 전에 만료됨" {
		t.Errorf("ValueIn(KO) = %q", got)
	}
	if got := rows[0].ValueIn(EN); got != "expired 1h ago" {
		t.Errorf("ValueIn(EN) = %q", got)
	}
	if got, want := rows[0].DetailIn(KO), "exp가 지났습니다\nexp 1700000000"; got != want {
		t.Errorf("DetailIn(KO) = %q, want %q", got, want)
	}
	if got, want := rows[0].DetailIn(EN), "exp is in the past\nexp 1700000000"; got != want {
		t.Errorf("DetailIn(EN) = %q, want %q", got, want)
	}
	if rows[1].ValueKO != "" || rows[1].DetailKO != "" || rows[1].ValueIn(KO) != "fine" {
		t.Errorf("a check without Korean: %+v", rows[1])
	}
}
