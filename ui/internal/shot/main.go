// Command shot renders a terminal capture (`tmux capture-pane -p -e`: text with SGR colour
// sequences) to a PNG, cell by cell, for the screenshots in screenshots/.
//
//	shot [-cols 120] [-rows 40] [-size 16] -o out.png capture.ans
//
// It exists because freeze v0.2.2 draws Hangul as empty boxes (its PNG path loads only
// JetBrains Mono) and lets text after a wide character drift out of its column. Here each
// grapheme is drawn in its own cell, Latin from DejaVu Sans Mono and Hangul from Nanum
// Gothic Coding (Debian: fonts-dejavu-core, fonts-nanum-coding), box-drawing characters as
// lines, so the picture has the terminal's grid.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdin); err != nil {
		fmt.Fprintf(os.Stderr, "shot: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader) error {
	fs := flag.NewFlagSet("shot", flag.ContinueOnError)
	cols := fs.Int("cols", 0, "columns of the pane (0: the widest line)")
	rows := fs.Int("rows", 0, "rows of the pane (0: the number of lines)")
	size := fs.Float64("size", 16, "font size in pixels")
	pad := fs.Int("pad", 14, "border in pixels")
	out := fs.String("o", "", "PNG to write")
	p := debianFonts
	fs.StringVar(&p.Regular, "font", p.Regular, "Latin monospace TrueType font")
	fs.StringVar(&p.Bold, "font-bold", p.Bold, "its bold")
	fs.StringVar(&p.Italic, "font-italic", p.Italic, "its italic")
	fs.StringVar(&p.BoldItalic, "font-bold-italic", p.BoldItalic, "its bold italic")
	fs.StringVar(&p.CJK, "cjk", p.CJK, "Korean TrueType font, two Latin cells wide per syllable")
	fs.StringVar(&p.CJKBold, "cjk-bold", p.CJKBold, "its bold")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("-o: name the PNG to write")
	}
	if *size < 6 || *size > 64 {
		return fmt.Errorf("-size %g: use 6 to 64 pixels", *size)
	}
	in := stdin
	if fs.NArg() > 1 {
		return fmt.Errorf("one capture at a time, got %d files", fs.NArg())
	}
	if fs.NArg() == 1 {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	b, err := io.ReadAll(bufio.NewReader(in))
	if err != nil {
		return err
	}
	s, err := parse(string(b), *cols, *rows)
	if err != nil {
		return err
	}
	f, err := loadFonts(p, *size)
	if err != nil {
		return err
	}
	img := render(s, f, darkTheme, *pad)
	tmp := *out + ".tmp"
	w, err := os.Create(tmp)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(w, img); err != nil {
		w.Close()
		os.Remove(tmp)
		return err
	}
	if err := w.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	// Written beside and renamed, so an interrupted run never leaves half a picture.
	return os.Rename(tmp, *out)
}
