package ui

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

type inputMode int

const (
	inputNone inputMode = iota
	inputNonce
	inputSearch
)

type statusKind int

const (
	statusInfo statusKind = iota
	statusOK
	statusErr
)

// model is the root: it owns the runs and routes keys; the step list, the panes, the
// help and the input line draw themselves.
type model struct {
	c      *common
	runner workshop.Runner
	opts   Options
	ctx    context.Context
	banner workshop.Banner

	width, height int
	steps         []workshop.StepID
	runs          []stepRun
	panes         []*pane
	last          []*present.Page // each step's last page, kept while it reruns
	list          stepList
	sel           int

	spin     spinner.Model
	help     help.Model
	input    textinput.Model
	mode     inputMode
	showHelp bool
	helpDoc  *doc    // the key help, scrollable
	view     docKind // the full-width view covering the steps, docNone for none
	doc      *doc    // its text

	status     string
	statusKind statusKind

	active int                // index of the running step, -1 when idle
	cancel context.CancelFunc // cancels the running step
	gen    int                // counts runs, so a late result of an older run is ignored
	queue  []int              // steps `a` has still to run
	batch  []int              // the steps of the last `a` or ordered run, for the summary
	prog   maa.Progress       // what the MAA client last reported for the running step
	progAt time.Time          // when it did
	wg     *sync.WaitGroup    // runs in flight, waited for when the program ends

	token      string // the compact JWT the runner holds, "" before Call MAA
	lessonPage int    // the guided lesson's page, from 0

	clip  io.Writer        // where OSC 52 goes
	first io.Writer        // where Init draws the first frame (Run sets it), nil for none
	drawn string           // the frame Init drew, View's answer until the next Update
	now   func() time.Time // the clock, fixed in golden tests

	demo *demoState // --demo: scenes played by a timer until a key is pressed; nil without
}

func newModel(ctx context.Context, r workshop.Runner, opts Options, st Styles) *model {
	if ctx == nil {
		ctx = context.Background()
	}
	lang := opts.Lang
	if lang == "" {
		lang = DefaultLang()
	}
	c := newCommon(st, lang, r.CanSetNonce())
	m := &model{
		c: c, runner: r, opts: opts, ctx: ctx,
		banner: r.Banner(), steps: r.Steps(),
		active: -1, wg: &sync.WaitGroup{}, clip: opts.Output, now: time.Now,
	}
	m.runs = make([]stepRun, len(m.steps))
	m.last = make([]*present.Page, len(m.steps))
	for range m.steps {
		m.panes = append(m.panes, newPane(c))
	}
	m.list = stepList{c: c, steps: m.steps, runs: m.runs}
	m.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	m.help = help.New()
	m.help.Styles = st.Help
	m.input = textinput.New()
	m.input.Prompt = ""
	// A steady cursor: no blink ticks over SSH, and frames that can be compared.
	m.input.Cursor.SetMode(cursor.CursorStatic)
	m.setStatus(statusInfo, c.cat.t("status.ready"))
	for i := range m.steps {
		m.refreshPane(i)
	}
	m.helpDoc = newDoc(m.helpLines)
	w, h := opts.Width, opts.Height
	if w == 0 || h == 0 {
		w, h = 80, 24
	}
	m.setSize(w, h)
	if opts.Demo != nil {
		m.demo = newDemo(*opts.Demo)
	}
	switch {
	case opts.Workshop:
		m.openLesson()
	case opts.RunAtStart:
		// The steps themselves, not the welcome; Init starts them.
	default:
		m.openDoc(docWelcome)
	}
	return m
}

// openDoc covers the steps with a full-width view: the welcome, the lesson, the token.
func (m *model) openDoc(k docKind) {
	m.view = k
	switch k {
	case docWelcome:
		m.doc = newDoc(m.welcomeLines)
	case docJSON:
		m.doc = newDoc(m.jsonLines)
	case docLesson:
		m.doc = newDoc(m.lessonLines)
	default:
		m.view, m.doc = docNone, nil
		return
	}
	m.doc.SetSize(m.width, m.docHeight(), true)
}

func (m *model) closeDoc() { m.view, m.doc = docNone, nil }

// docHeight is the body's height: the terminal less banner, footer and status line.
func (m *model) docHeight() int { return max(m.height-3, 1) }

// Init draws the first frame when Run asked for it (see drawFirst) and starts nothing
// else: the workshop waits for the presenter (the demo is its own presenter).
func (m *model) Init() tea.Cmd {
	var run tea.Cmd
	if m.opts.RunAtStart {
		run = m.runAll() // before the first frame, which then shows the steps running
	}
	if m.first != nil {
		// Bubble Tea asks for the view right after Init, with nothing changed in
		// between: the frame just drawn is kept for that, not laid out twice.
		m.drawn = m.View()
		drawFirst(m.first, m.drawn, m.width)
		m.first = nil
	}
	return tea.Batch(run, m.demoStart())
}

// setStatus shows s on the status line; it may quote an error or a path, so it is made
// safe for the terminal, and one line.
func (m *model) setStatus(k statusKind, s string) { m.status, m.statusKind = present.Safe(s), k }

func (m *model) pane() *pane { return m.panes[m.sel] }

// wide reports whether the step list gets its own column.
func (m *model) wide() bool { return m.width >= 100 && m.height >= 20 }

// sidebarWidth is the step column's width, including its separator and margins.
const sidebarWidth = 29

func (m *model) setSize(w, h int) {
	m.width, m.height = min(max(w, 20), maxCols), min(max(h, 6), maxRows)
	bodyH := m.height - 3 // banner, footer, status
	paneW := m.width
	if m.wide() {
		m.list.SetSize(sidebarWidth-3, bodyH)
		paneW = m.width - sidebarWidth
	} else {
		m.list.SetSize(m.width, 1)
		bodyH--
	}
	for _, p := range m.panes {
		p.SetSize(paneW, max(bodyH, 1))
	}
	m.help.Width = m.width
	if m.doc != nil {
		m.doc.SetSize(m.width, m.docHeight(), true)
	}
	if m.helpDoc != nil {
		// The key help is laid out when it opens (openHelp), not at every size while
		// hidden, such as the first.
		m.helpDoc.SetSize(m.width, m.docHeight(), m.showHelp)
	}
	m.input.Width = max(m.width-20, 10)
}

// wait blocks until every run the model started has returned, for at most d.
func (m *model) wait(d time.Duration) bool {
	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// The largest layout: a page wider or taller is no easier to read, and an SSH client sets
// the size (window-change, up to 65535 x 65535), which would make every frame gigabytes.
const (
	maxCols = 1000
	maxRows = 500
)
