package main

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"

	"github.com/rivo/uniseg"
)

// cell is one terminal cell as tmux holds it: the grapheme printed there and its SGR
// attributes. A wide grapheme (Hangul) sits in its first cell; the second is a filler.
type cell struct {
	text   string // empty: a blank cell
	wide   bool   // text takes this cell and the next
	filler bool   // the right half of a wide grapheme
	attrs
}

type attrs struct {
	fg, bg                                   color.RGBA
	fgSet, bgSet                             bool
	bold, faint, italic, underline, reversed bool
	strike                                   bool
}

// screen is a grid of cells, rows × cols.
type screen struct {
	cols, rows int
	cells      [][]cell
}

// parse reads what `tmux capture-pane -p -e` prints: one line per row, text with SGR
// sequences (colours, bold, italic…). Other escape sequences carry nothing a still picture
// needs and are skipped. cols and rows fix the grid; 0 takes them from the input.
// A line wider than cols is an error: it would mean the capture and the pane disagree.
func parse(in string, cols, rows int) (*screen, error) {
	lines := strings.Split(strings.TrimSuffix(in, "\n"), "\n")
	if rows == 0 {
		rows = len(lines)
	}
	if len(lines) > rows {
		return nil, fmt.Errorf("capture has %d lines, more than the %d rows asked for", len(lines), rows)
	}
	parsed := make([][]cell, len(lines))
	for i, l := range lines {
		row, err := parseLine(l)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		parsed[i] = row
		if cols > 0 && len(row) > cols {
			return nil, fmt.Errorf("line %d is %d cells wide, more than the %d columns asked for", i+1, len(row), cols)
		}
	}
	if cols == 0 {
		for _, r := range parsed {
			cols = max(cols, len(r))
		}
	}
	s := &screen{cols: cols, rows: rows, cells: make([][]cell, rows)}
	for i := range s.cells {
		s.cells[i] = make([]cell, cols)
		if i < len(parsed) {
			copy(s.cells[i], parsed[i])
		}
	}
	return s, nil
}

// parseLine turns one captured line into cells.
func parseLine(l string) ([]cell, error) {
	var out []cell
	var a attrs
	state := -1
	for len(l) > 0 {
		if l[0] == 0x1b {
			n, err := escape(l, &a)
			if err != nil {
				return nil, err
			}
			l = l[n:]
			// A sequence ends the grapheme before it; uniseg's state must not carry over.
			state = -1
			continue
		}
		if l[0] < 0x20 || l[0] == 0x7f {
			// tmux prints no other control characters; a tab would have been expanded.
			l = l[1:]
			continue
		}
		var g string
		var w int
		g, l, w, state = uniseg.FirstGraphemeClusterInString(l, state)
		switch {
		case w <= 0:
			// A zero-width joiner or a combining mark alone: attach it to the last cell.
			if len(out) > 0 {
				last := len(out) - 1
				if out[last].filler && last > 0 {
					last--
				}
				out[last].text += g
			}
		case w == 1:
			out = append(out, cell{text: g, attrs: a})
		default:
			out = append(out, cell{text: g, wide: true, attrs: a}, cell{filler: true, attrs: a})
		}
	}
	return out, nil
}

// escape consumes the escape sequence at the start of l, applying it to a when it is SGR,
// and returns its length.
func escape(l string, a *attrs) (int, error) {
	if len(l) < 2 {
		return len(l), nil
	}
	switch l[1] {
	case '[':
		// CSI: parameters and intermediates, then a final byte in 0x40–0x7e.
		for i := 2; i < len(l); i++ {
			if c := l[i]; c >= 0x40 && c <= 0x7e {
				if c == 'm' {
					if err := sgr(l[2:i], a); err != nil {
						return 0, err
					}
				}
				return i + 1, nil
			}
		}
		return len(l), nil
	case ']', 'P', '_', '^':
		// OSC, DCS, APC, PM: up to BEL or ST.
		for i := 2; i < len(l); i++ {
			if l[i] == 0x07 {
				return i + 1, nil
			}
			if l[i] == 0x1b && i+1 < len(l) && l[i+1] == '\\' {
				return i + 2, nil
			}
		}
		return len(l), nil
	}
	return 2, nil
}

// sgr applies "Select Graphic Rendition" parameters, in both the ; and the : forms of
// extended colours (38;2;r;g;b and 38:2::r:g:b).
func sgr(params string, a *attrs) error {
	if params == "" {
		*a = attrs{}
		return nil
	}
	fields := strings.Split(params, ";")
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		sub := strings.Split(f, ":")
		n, err := atoi(sub[0])
		if err != nil {
			return fmt.Errorf("SGR %q: %w", params, err)
		}
		switch {
		case n == 0:
			*a = attrs{}
		case n == 1:
			a.bold = true
		case n == 2:
			a.faint = true
		case n == 3:
			a.italic = true
		case n == 4:
			a.underline = len(sub) < 2 || sub[1] != "0"
		case n == 7:
			a.reversed = true
		case n == 9:
			a.strike = true
		case n == 22:
			a.bold, a.faint = false, false
		case n == 23:
			a.italic = false
		case n == 24:
			a.underline = false
		case n == 27:
			a.reversed = false
		case n == 29:
			a.strike = false
		case n >= 30 && n <= 37:
			a.fg, a.fgSet = palette16[n-30], true
		case n >= 90 && n <= 97:
			a.fg, a.fgSet = palette16[n-90+8], true
		case n == 39:
			a.fgSet = false
		case n >= 40 && n <= 47:
			a.bg, a.bgSet = palette16[n-40], true
		case n >= 100 && n <= 107:
			a.bg, a.bgSet = palette16[n-100+8], true
		case n == 49:
			a.bgSet = false
		case n == 38 || n == 48:
			var args []string
			if len(sub) > 1 {
				args = sub[1:]
			} else {
				// ; form: the colour's arguments are the next fields.
				k := 1
				if i+1 < len(fields) && fields[i+1] == "2" {
					k = 4
				} else if i+1 < len(fields) && fields[i+1] == "5" {
					k = 2
				}
				end := min(i+1+k, len(fields))
				args = fields[i+1 : end]
				i = end - 1
			}
			c, err := extColor(args)
			if err != nil {
				return fmt.Errorf("SGR %q: %w", params, err)
			}
			if n == 38 {
				a.fg, a.fgSet = c, true
			} else {
				a.bg, a.bgSet = c, true
			}
		}
	}
	return nil
}

// extColor reads 5;n (256 colours) or 2;r;g;b (the : form may hold an empty colour-space id
// before r).
func extColor(args []string) (color.RGBA, error) {
	if len(args) == 0 {
		return color.RGBA{}, fmt.Errorf("colour without arguments")
	}
	switch args[0] {
	case "5":
		if len(args) < 2 {
			return color.RGBA{}, fmt.Errorf("256-colour index missing")
		}
		n, err := atoi(args[1])
		if err != nil || n > 255 {
			return color.RGBA{}, fmt.Errorf("256-colour index %q", args[1])
		}
		return xterm256(n), nil
	case "2":
		rgb := args[1:]
		if len(rgb) == 4 {
			rgb = rgb[1:]
		}
		if len(rgb) != 3 {
			return color.RGBA{}, fmt.Errorf("RGB colour needs 3 components, got %q", args[1:])
		}
		var v [3]uint8
		for i, s := range rgb {
			n, err := atoi(s)
			if err != nil || n > 255 {
				return color.RGBA{}, fmt.Errorf("RGB component %q", s)
			}
			v[i] = uint8(n)
		}
		return color.RGBA{v[0], v[1], v[2], 255}, nil
	}
	return color.RGBA{}, fmt.Errorf("colour space %q", args[0])
}

func atoi(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("parameter %q is not a number", s)
	}
	return n, nil
}

// palette16 is the 16 ANSI colours, as GitHub's dark terminal theme draws them.
var palette16 = [16]color.RGBA{
	{0x48, 0x4f, 0x58, 255}, {0xff, 0x7b, 0x72, 255}, {0x3f, 0xb9, 0x50, 255}, {0xd2, 0x99, 0x22, 255},
	{0x58, 0xa6, 0xff, 255}, {0xbc, 0x8c, 0xff, 255}, {0x39, 0xc5, 0xcf, 255}, {0xb1, 0xba, 0xc4, 255},
	{0x6e, 0x76, 0x81, 255}, {0xff, 0xa1, 0x98, 255}, {0x56, 0xd3, 0x64, 255}, {0xe3, 0xb3, 0x41, 255},
	{0x79, 0xc0, 0xff, 255}, {0xd2, 0xa8, 0xff, 255}, {0x56, 0xd4, 0xdd, 255}, {0xff, 0xff, 0xff, 255},
}

// xterm256 is xterm's 256-colour palette: 16 system colours, a 6×6×6 cube, 24 greys.
func xterm256(n int) color.RGBA {
	switch {
	case n < 16:
		return palette16[n]
	case n < 232:
		n -= 16
		level := func(v int) uint8 {
			if v == 0 {
				return 0
			}
			return uint8(55 + 40*v)
		}
		return color.RGBA{level(n / 36), level(n / 6 % 6), level(n % 6), 255}
	}
	g := uint8(8 + 10*(n-232))
	return color.RGBA{g, g, g, 255}
}
