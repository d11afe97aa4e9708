package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// fontPaths name the TrueType files: a Latin monospace family and a Korean one. Debian
// ships both: fonts-dejavu-core and fonts-nanum-coding.
type fontPaths struct {
	Regular, Bold, Italic, BoldItalic string
	CJK, CJKBold                      string
}

var debianFonts = fontPaths{
	Regular:    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
	Bold:       "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
	Italic:     "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Oblique.ttf",
	BoldItalic: "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-BoldOblique.ttf",
	CJK:        "/usr/share/fonts/truetype/nanum/NanumGothicCoding.ttf",
	CJKBold:    "/usr/share/fonts/truetype/nanum/NanumGothicCodingBold.ttf",
}

// fonts are the faces at one size and the cell they define. Every glyph is drawn into its
// own cell, so columns line up whatever the fonts' own advances are: that is what makes
// Hangul (two cells) align with Latin text (one cell), as it does in the terminal.
type fonts struct {
	latin  [4]font.Face // regular, bold, italic, bold italic
	cjk    [2]font.Face // regular, bold
	cellW  int
	cellH  int
	ascent int
}

func loadFonts(p fontPaths, size float64) (*fonts, error) {
	load := func(path, pkg string, scale float64) (font.Face, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("font %s: %w (Debian: apt-get install %s, or name another TrueType file with a flag)", path, err, pkg)
		}
		f, err := opentype.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("font %s: %w (a .ttf file is needed; .ttc collections are not read)", path, err)
		}
		return opentype.NewFace(f, &opentype.FaceOptions{Size: size * scale, DPI: 72, Hinting: font.HintingFull})
	}
	var fs fonts
	var err error
	for i, path := range []string{p.Regular, p.Bold, p.Italic, p.BoldItalic} {
		if fs.latin[i], err = load(path, "fonts-dejavu-core", 1); err != nil {
			return nil, err
		}
	}
	for i, path := range []string{p.CJK, p.CJKBold} {
		// A syllable at the Latin size leaves a fifth of its two cells empty; a little
		// larger, it reads as the terminal draws it.
		if fs.cjk[i], err = load(path, "fonts-nanum-coding", 1.12); err != nil {
			return nil, err
		}
	}
	m := fs.latin[0].Metrics()
	adv, ok := fs.latin[0].GlyphAdvance('M')
	if !ok {
		return nil, fmt.Errorf("font %s has no 'M': not a Latin font", p.Regular)
	}
	fs.cellW = adv.Ceil()
	fs.ascent = m.Ascent.Ceil()
	fs.cellH = fs.ascent + m.Descent.Ceil()
	return &fs, nil
}

// theme is the terminal's default colours: what cells without an SGR colour get.
type theme struct{ fg, bg color.RGBA }

// darkTheme matches the palette cvmscope picks on a dark background.
var darkTheme = theme{fg: color.RGBA{0xe6, 0xed, 0xf3, 255}, bg: color.RGBA{0x0d, 0x11, 0x17, 255}}

// render draws the screen with pad pixels of border.
func render(s *screen, f *fonts, th theme, pad int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 2*pad+s.cols*f.cellW, 2*pad+s.rows*f.cellH))
	draw.Draw(img, img.Bounds(), image.NewUniform(th.bg), image.Point{}, draw.Src)
	for y, row := range s.cells {
		for x, c := range row {
			if c.filler {
				continue
			}
			w := 1
			if c.wide {
				w = 2
			}
			r := image.Rect(pad+x*f.cellW, pad+y*f.cellH, pad+(x+w)*f.cellW, pad+(y+1)*f.cellH)
			drawCell(img, r, c, f, th)
		}
	}
	return img
}

func drawCell(img *image.RGBA, r image.Rectangle, c cell, f *fonts, th theme) {
	fg, bg := th.fg, th.bg
	if c.fgSet {
		fg = c.fg
	}
	if c.bgSet {
		bg = c.bg
	}
	if c.reversed {
		fg, bg = bg, fg
	}
	if c.faint {
		fg = mix(fg, bg, 0.5)
	}
	if bg != th.bg {
		draw.Draw(img, r, image.NewUniform(bg), image.Point{}, draw.Src)
	}
	if c.text != "" && c.text != " " {
		runes := []rune(c.text)
		if !drawBox(img, r, runes[0], fg) {
			drawGlyph(img, r, c, f, fg)
		}
	}
	baseline := r.Min.Y + f.ascent
	thick := max(1, f.cellH/16)
	if c.underline {
		fill(img, image.Rect(r.Min.X, baseline+thick, r.Max.X, baseline+2*thick), fg)
	}
	if c.strike {
		mid := r.Min.Y + f.cellH/2
		fill(img, image.Rect(r.Min.X, mid, r.Max.X, mid+thick), fg)
	}
}

// drawGlyph draws text in the first face that has its first rune: the Latin face for one
// cell, the Korean face for Hangul, centred in its cells.
func drawGlyph(img *image.RGBA, r image.Rectangle, c cell, f *fonts, fg color.RGBA) {
	style := 0
	if c.bold {
		style |= 1
	}
	if c.italic {
		style |= 2
	}
	first := []rune(c.text)[0]
	face := f.latin[style]
	if _, ok := face.GlyphAdvance(first); !ok || c.wide {
		cjk := f.cjk[style&1]
		if _, ok := cjk.GlyphAdvance(first); ok {
			face = cjk
		}
	}
	adv := font.MeasureString(face, c.text)
	x := fixed.I(r.Min.X)
	if free := fixed.I(r.Dx()) - adv; free > 0 {
		x += free / 2
	}
	d := font.Drawer{Dst: img, Src: image.NewUniform(fg), Face: face,
		Dot: fixed.Point26_6{X: x, Y: fixed.I(r.Min.Y + f.ascent)}}
	d.DrawString(c.text)
}

// box describes a box-drawing character by its arms and their weight. Fonts draw these
// glyphs to their own line height, which leaves gaps between rows; drawn as lines from the
// cell's centre to its edges they join, as in a terminal.
type box struct {
	up, down, left, right int // 0 none, 1 light, 2 heavy
	round                 bool
}

var boxes = map[rune]box{
	'─': {0, 0, 1, 1, false}, '━': {0, 0, 2, 2, false}, '│': {1, 1, 0, 0, false}, '┃': {2, 2, 0, 0, false},
	'┌': {0, 1, 0, 1, false}, '┐': {0, 1, 1, 0, false}, '└': {1, 0, 0, 1, false}, '┘': {1, 0, 1, 0, false},
	'┏': {0, 2, 0, 2, false}, '┓': {0, 2, 2, 0, false}, '┗': {2, 0, 0, 2, false}, '┛': {2, 0, 2, 0, false},
	'╭': {0, 1, 0, 1, true}, '╮': {0, 1, 1, 0, true}, '╰': {1, 0, 0, 1, true}, '╯': {1, 0, 1, 0, true},
	'├': {1, 1, 0, 1, false}, '┤': {1, 1, 1, 0, false}, '┬': {0, 1, 1, 1, false}, '┴': {1, 0, 1, 1, false},
	'┼': {1, 1, 1, 1, false}, '┣': {2, 2, 0, 2, false}, '┫': {2, 2, 2, 0, false},
	'╴': {0, 0, 1, 0, false}, '╶': {0, 0, 0, 1, false}, '╵': {1, 0, 0, 0, false}, '╷': {0, 1, 0, 0, false},
}

func drawBox(img *image.RGBA, r image.Rectangle, ch rune, fg color.RGBA) bool {
	b, ok := boxes[ch]
	if !ok {
		return false
	}
	light := max(1, r.Dx()/9)
	width := func(w int) int { return w * light }
	cx, cy := r.Min.X+r.Dx()/2, r.Min.Y+r.Dy()/2
	arm := func(w int, rect func(t int) image.Rectangle) {
		if w > 0 {
			fill(img, rect(width(w)), fg)
		}
	}
	if b.round {
		// A quarter circle joins the two arms; the arms run from the edges to where it starts.
		rad := float64(min(r.Dx(), r.Dy())) / 2
		t := width(1)
		dx, dy := 1.0, 1.0 // the direction of the horizontal and vertical arm from the centre
		if b.left > 0 {
			dx = -1
		}
		if b.up > 0 {
			dy = -1
		}
		ox, oy := float64(cx)+dx*rad, float64(cy)+dy*rad // the arc's centre
		for i := 0; i <= 64; i++ {
			a := float64(i) / 64 * math.Pi / 2
			px := ox - dx*rad*math.Cos(a)
			py := oy - dy*rad*math.Sin(a)
			x0, y0 := int(math.Round(px))-t/2, int(math.Round(py))-t/2
			fill(img, image.Rect(x0, y0, x0+t, y0+t), fg)
		}
		if dx > 0 {
			fill(img, image.Rect(int(math.Round(ox)), cy-t/2, r.Max.X, cy-t/2+t), fg)
		} else {
			fill(img, image.Rect(r.Min.X, cy-t/2, int(math.Round(ox))+1, cy-t/2+t), fg)
		}
		if dy > 0 {
			fill(img, image.Rect(cx-t/2, int(math.Round(oy)), cx-t/2+t, r.Max.Y), fg)
		} else {
			fill(img, image.Rect(cx-t/2, r.Min.Y, cx-t/2+t, int(math.Round(oy))+1), fg)
		}
		return true
	}
	half := func(w int) int { return width(w) / 2 }
	// Arms overlap the centre by half the widest arm, so corners close.
	hw, vw := max(half(b.left), half(b.right)), max(half(b.up), half(b.down))
	arm(b.up, func(t int) image.Rectangle { return image.Rect(cx-t/2, r.Min.Y, cx-t/2+t, cy+hw+1) })
	arm(b.down, func(t int) image.Rectangle { return image.Rect(cx-t/2, cy-hw, cx-t/2+t, r.Max.Y) })
	arm(b.left, func(t int) image.Rectangle { return image.Rect(r.Min.X, cy-t/2, cx+vw+1, cy-t/2+t) })
	arm(b.right, func(t int) image.Rectangle { return image.Rect(cx-vw, cy-t/2, r.Max.X, cy-t/2+t) })
	return true
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	draw.Draw(img, r.Intersect(img.Bounds()), image.NewUniform(c), image.Point{}, draw.Src)
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-t) + float64(y)*t)) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 255}
}
