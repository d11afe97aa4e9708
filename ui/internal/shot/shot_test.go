package main

import (
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseColoursAndWidths(t *testing.T) {
	in := "\x1b[1;38;2;88;166;255mPCR\x1b[0m 값\x1b[48;5;196mX\x1b[49m\x1b[38:2::1:2:3my\x1b[m\n\x1b[7mrev\x1b[27m ok\n"
	s, err := parse(in, 10, 3)
	if err != nil {
		t.Fatal(err)
	}
	if s.cols != 10 || s.rows != 3 || len(s.cells) != 3 {
		t.Fatalf("grid %dx%d", s.cols, s.rows)
	}
	r := s.cells[0]
	if r[0].text != "P" || !r[0].bold || !r[0].fgSet || r[0].fg != (color.RGBA{88, 166, 255, 255}) {
		t.Errorf("cell 0 = %+v, want bold P in #58a6ff", r[0])
	}
	if r[3].text != " " || r[3].bold || r[3].fgSet {
		t.Errorf("cell 3 = %+v, want a plain space after the reset", r[3])
	}
	if r[4].text != "값" || !r[4].wide || !r[5].filler {
		t.Errorf("cells 4-5 = %+v %+v, want a wide Hangul syllable and its filler", r[4], r[5])
	}
	if r[6].text != "X" || !r[6].bgSet || r[6].bg != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("cell 6 = %+v, want X on 256-colour 196 (red)", r[6])
	}
	if r[7].text != "y" || r[7].bgSet || r[7].fg != (color.RGBA{1, 2, 3, 255}) {
		t.Errorf("cell 7 = %+v, want y in the colon-form RGB 1,2,3 with the default background", r[7])
	}
	if c := s.cells[1][0]; !c.reversed || s.cells[1][4].reversed {
		t.Errorf("reverse video: %+v then %+v", c, s.cells[1][4])
	}
	if s.cells[2][0].text != "" {
		t.Errorf("the missing third row is not blank: %+v", s.cells[2][0])
	}
}

func TestParseErrorsNameTheProblem(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"abcdef\n", "line 1 is 6 cells wide, more than the 4 columns"},
		{"a\nb\nc\n", "capture has 3 lines, more than the 2 rows"},
		{"\x1b[38;2;1;2mx\n", "line 1: SGR \"38;2;1;2\": RGB colour needs 3 components"},
		{"\x1b[38;5;300mx\n", "256-colour index \"300\""},
		{"\x1b[1;2.5mx\n", "parameter \"2.5\" is not a number"},
	} {
		_, err := parse(c.in, 4, 2)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parse(%q) error %v, want it to say %q", c.in, err, c.want)
		}
	}
}

// testFonts loads the Debian fonts; the renderer cannot be tested without them.
func testFonts(t *testing.T) *fonts {
	t.Helper()
	for _, p := range []string{debianFonts.Regular, debianFonts.CJK} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("%s missing (apt-get install fonts-dejavu-core fonts-nanum-coding)", p)
		}
	}
	f, err := loadFonts(debianFonts, 16)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestRenderKeepsTheGrid draws Hangul between coloured cells: the cell after a syllable
// must start exactly two cells further, and the syllable must be drawn (not an empty box)
// from the Korean font.
func TestRenderKeepsTheGrid(t *testing.T) {
	f := testFonts(t)
	if _, ok := f.latin[0].GlyphAdvance('값'); ok {
		t.Fatal("the Latin font has Hangul: the fallback would not be exercised")
	}
	if _, ok := f.cjk[0].GlyphAdvance('값'); !ok {
		t.Fatal("the Korean font has no '값'")
	}
	red := "\x1b[48;2;255;0;0m \x1b[49m"
	s, err := parse(red+"값"+red+"\n╭─╮\n", 5, 2)
	if err != nil {
		t.Fatal(err)
	}
	const pad = 3
	img := render(s, f, darkTheme, pad)
	if got, want := img.Bounds().Dx(), 2*pad+5*f.cellW; got != want {
		t.Errorf("image is %d pixels wide, want %d", got, want)
	}
	at := func(col, row int) color.RGBA {
		return img.RGBAAt(pad+col*f.cellW+f.cellW/2, pad+row*f.cellH+2)
	}
	red0 := color.RGBA{255, 0, 0, 255}
	if at(0, 0) != red0 || at(3, 0) != red0 {
		t.Errorf("red cells at columns 0 and 3: %v %v", at(0, 0), at(3, 0))
	}
	if at(4, 0) != darkTheme.bg {
		t.Errorf("column 4 is %v, want the default background", at(4, 0))
	}
	// The syllable's two cells hold glyph pixels in the foreground colour's range.
	ink := 0
	for y := pad; y < pad+f.cellH; y++ {
		for x := pad + f.cellW; x < pad+3*f.cellW; x++ {
			if c := img.RGBAAt(x, y); c != darkTheme.bg {
				ink++
			}
		}
	}
	if ink < 20 {
		t.Errorf("the Hangul syllable left %d pixels of ink: not drawn", ink)
	}
	// The box's horizontal line reaches both edges of its cell, so lines join.
	mid := pad + f.cellH + f.cellH/2
	for _, x := range []int{pad + f.cellW, pad + 2*f.cellW - 1} {
		if c := img.RGBAAt(x, mid); c != darkTheme.fg {
			t.Errorf("box line pixel at x=%d is %v, want the foreground", x, c)
		}
	}
}

func TestRunWritesPNG(t *testing.T) {
	testFonts(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "cap.ans")
	if err := os.WriteFile(in, []byte("\x1b[32m✓\x1b[0m 통과\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.png")
	if err := run([]string{"-cols", "10", "-rows", "2", "-o", out, in}, nil); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() <= 10 || b.Dy() <= 2 {
		t.Errorf("PNG is %v", b)
	}
	if _, err := os.Stat(out + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("temporary file left behind: %v", err)
	}
	err = run([]string{"-o", out, "-cjk", filepath.Join(dir, "none.ttf"), in}, nil)
	if err == nil || !strings.Contains(err.Error(), "fonts-nanum-coding") {
		t.Errorf("a missing font should say which package has it: %v", err)
	}
}
