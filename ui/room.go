package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/muesli/termenv"
)

// The room view is what an instructor gets from `cvmscope serve` instead of a workshop
// session: every attendee's session in one live table, and the keys to steer them. It
// reads and steers the room through the Room interface (ui/sshserve implements it); every
// call to it runs in a command, so Update only moves state.

// RoomSession is one attendee's session as the instructor's view lists it.
type RoomSession struct {
	ID       int
	User     string // the SSH user name, as typed
	Remote   string // their address
	Lang     string // en or ko, as the session last reported
	TEE      string // sevsnp, tdx or trustedlaunch
	Scenario string // "" for none
	Steps    []RoomStep
	Started  time.Time
}

// RoomPushKind is what a push changes.
type RoomPushKind int

const (
	PushScenario RoomPushKind = iota // restart the session on Value's scenario ("" for none)
	PushLang                         // switch the session to Value (en or ko)
	PushReset                        // restart the session as it was
	PushMessage                      // show Value on the session's status line
)

// RoomPush is one instruction from the instructor; To is a session's ID, 0 for everyone.
type RoomPush struct {
	To    int
	Kind  RoomPushKind
	Value string
}

// Room is the registry of a running room, as the instructor's view uses it.
type Room interface {
	// Sessions lists the attendees' sessions, oldest first.
	Sessions() []RoomSession
	// Changed is closed at the next change of Sessions.
	Changed() <-chan struct{}
	// Push sends p and says how many sessions it reached; the error names those it could
	// not (a scenario a session's TEE cannot stage, a session that just ended).
	Push(p RoomPush) (int, error)
}

// RoomOptions configure the instructor's view.
type RoomOptions struct {
	Lang present.Lang
	// Output is the instructor's terminal, for its colour profile; Environ is their
	// environment (TERM, COLORTERM, NO_COLOR) when Output is not this process's terminal.
	Output  io.Writer
	Environ []string
	NoColor bool
	// Now is the clock of the time-in-the-room column; nil means time.Now.
	Now func() time.Time
}

// addRoomChrome adds the room view's strings to chrome.
func addRoomChrome(chrome map[string]present.Text) {
	for id, t := range map[string]present.Text{
		"room.title":      present.T("cvmscope room", "cvmscope 워크숍 룸"),
		"room.count":      present.T("%d sessions", "세션 %d개"),
		"room.to.all":     present.T("to: everyone", "대상: 모두"),
		"room.to.one":     present.T("to: #%d %s", "대상: #%d %s"),
		"room.empty":      present.T("No attendee yet: they connect with the command serve printed.", "아직 참가자가 없습니다. serve가 출력한 명령으로 접속합니다."),
		"room.col.who":    present.T("who", "사용자"),
		"room.col.from":   present.T("from", "주소"),
		"room.col.lang":   present.T("lang", "언어"),
		"room.col.scen":   present.T("scenario", "시나리오"),
		"room.col.steps":  present.T("steps", "단계"),
		"room.col.time":   present.T("time", "시간"),
		"room.none":       present.T("none", "없음"),
		"room.pick.scen":  present.T("Scenario for %s (enter: push, esc: cancel)", "%s에 보낼 시나리오 (enter: 보내기, esc: 취소)"),
		"room.pick.lang":  present.T("Language for %s (enter: push, esc: cancel)", "%s에 보낼 언어 (enter: 보내기, esc: 취소)"),
		"room.all":        present.T("everyone", "모두"),
		"room.one":        present.T("session #%d", "세션 #%d"),
		"room.confirm":    present.T("Reset %s? Its steps start over. y: reset, any other key: no", "%s을(를) 처음부터 다시 시작할까요? 단계가 모두 지워집니다. y: 다시 시작, 다른 키: 취소"),
		"room.msg.prompt": present.T("message to %s: ", "%s에 보낼 메시지: "),
		"room.msg.ph":     present.T("one line, shown on the status line", "상태 줄에 보일 한 줄"),
		"room.pushed":     present.T("%s sent to %d session(s).", "%s: 세션 %d개에 보냈습니다."),
		"room.pusherr":    present.T("%s sent to %d session(s); %s", "%s: 세션 %d개에 보냈습니다. %s"),
		"room.what.scen":  present.T("Scenario %s", "시나리오 %s"),
		"room.what.lang":  present.T("Language %s", "언어 %s"),
		"room.what.reset": present.T("Reset", "다시 시작"),
		"room.what.msg":   present.T("Message", "메시지"),
		"room.nosel":      present.T("No session to send to.", "보낼 세션이 없습니다."),
		"room.ready":      present.T("Watching the room. tab: send to the selected session or everyone; ? for every key.", "룸을 지켜보는 중. tab: 선택한 세션과 모두 사이를 바꿉니다. ?: 모든 키."),
		"room.help.title": present.T("Keys of the room view", "룸 화면의 키"),

		"help.room.up":     present.T("previous session", "이전 세션"),
		"help.room.down":   present.T("next session", "다음 세션"),
		"help.room.target": present.T("send to: selected / everyone", "대상: 선택한 세션 / 모두"),
		"help.room.scen":   present.T("push a scenario", "시나리오 보내기"),
		"help.room.lang":   present.T("push a language", "언어 보내기"),
		"help.room.reset":  present.T("reset", "다시 시작"),
		"help.room.msg":    present.T("message to the status line", "상태 줄 메시지"),
		"help.room.view":   present.T("this view in 한국어/English", "이 화면을 English/한국어로"),
		"help.room.pick":   present.T("choose", "선택"),
	} {
		chrome[id] = t
	}
}

// roomKeyMap is the room view's keys, built like KeyMap from the catalog so that its help
// follows the view's language.
type roomKeyMap struct {
	Up, Down, Target                     key.Binding
	Scenario, Lang, Reset, Message       key.Binding
	ViewLang, Help, Quit, Choose, Cancel key.Binding
}

func newRoomKeyMap(c catalog) roomKeyMap {
	b := func(help, shown string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(shown, c.t(help)))
	}
	return roomKeyMap{
		Up:       b("help.room.up", "↑/k", "up", "k"),
		Down:     b("help.room.down", "↓/j", "down", "j"),
		Target:   b("help.room.target", "tab", "tab"),
		Scenario: b("help.room.scen", "s", "s"),
		// l pushes a language; L, as in a session, switches this view's own.
		Lang:     b("help.room.lang", "l", "l"),
		Reset:    b("help.room.reset", "R", "R"),
		Message:  b("help.room.msg", "m", "m"),
		ViewLang: b("help.room.view", "L", "L"),
		Help:     b("help.help", "?", "?"),
		Quit:     b("help.quit", "q", "q", "ctrl+c"),
		Choose:   b("help.room.pick", "enter", "enter"),
		Cancel:   b("help.close", "esc", "esc"),
	}
}

func (k roomKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Target, k.Scenario, k.Lang, k.Reset, k.Message, k.Help, k.Quit}
}

func (k roomKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Target}, {k.Scenario, k.Lang, k.Reset, k.Message}, {k.ViewLang, k.Help, k.Quit}}
}

type roomMode int

const (
	roomNormal roomMode = iota
	roomPickScenario
	roomPickLang
	roomConfirmReset
	roomMessage
)

// roomModel is the instructor's view.
type roomModel struct {
	room Room
	ctx  context.Context
	st   Styles
	cat  catalog
	keys roomKeyMap
	help help.Model
	now  func() time.Time

	width, height int
	rows          []RoomSession
	sel           int
	everyone      bool // pushes go to everyone, not the selected session
	mode          roomMode
	choices       []string // the picker's options
	choice        int
	input         textinput.Model
	showHelp      bool
	status        string
	statusKind    statusKind
}

// roomRowsMsg is the room's sessions, and the channel closed at their next change.
type roomRowsMsg struct {
	rows    []RoomSession
	changed <-chan struct{}
}

// roomTickMsg refreshes the time-in-the-room column.
type roomTickMsg struct{}

// roomPushedMsg is the outcome of a push.
type roomPushedMsg struct {
	what string
	n    int
	err  error
}

// NewRoomView builds the instructor's view of room; ctx ends its background reads.
func NewRoomView(ctx context.Context, room Room, opts RoomOptions) tea.Model {
	lang := opts.Lang
	if lang == "" {
		lang = present.EN
	}
	var st Styles
	if opts.Environ != nil {
		// The instructor's terminal is not this process's: its TERM and colour settings
		// come from their SSH client.
		rd := lipgloss.NewRenderer(opts.Output, termenv.WithEnvironment(environ(opts.Environ)), termenv.WithColorCache(true))
		rd.HasDarkBackground()
		st = NewStyles(rd, opts.NoColor || environ(opts.Environ).Getenv("NO_COLOR") != "")
	} else {
		st = stylesFor(Options{Output: opts.Output, NoColor: opts.NoColor})
	}
	m := &roomModel{room: room, ctx: ctx, st: st, now: opts.Now, everyone: true, width: 80, height: 24}
	if m.now == nil {
		m.now = time.Now
	}
	m.help = help.New()
	m.help.Styles = st.Help
	m.input = textinput.New()
	m.input.Prompt = ""
	m.input.CharLimit = 200
	m.input.Cursor.SetMode(cursor.CursorStatic)
	m.setLang(lang)
	m.setStatus(statusInfo, m.cat.t("room.ready"))
	return m
}

// environ is an SSH client's environment, as termenv reads one.
type environ []string

func (e environ) Environ() []string { return e }

func (e environ) Getenv(k string) string {
	for _, v := range e {
		if name, val, ok := strings.Cut(v, "="); ok && name == k {
			return val
		}
	}
	return ""
}

func (m *roomModel) setLang(l present.Lang) {
	m.cat = catalog{lang: l}
	m.keys = newRoomKeyMap(m.cat)
}

func (m *roomModel) setStatus(k statusKind, s string) { m.status, m.statusKind = present.Safe(s), k }

// loadRows reads the sessions; the channel is taken first, so a change made while they
// are read still closes it.
func (m *roomModel) loadRows() tea.Msg {
	ch := m.room.Changed()
	return roomRowsMsg{rows: m.room.Sessions(), changed: ch}
}

// watch waits for the next change, then reads the sessions again.
func (m *roomModel) watch(ch <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-ch:
			return m.loadRows()
		case <-m.ctx.Done():
			return nil
		}
	}
}

func roomTick() tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return roomTickMsg{} })
}

func (m *roomModel) Init() tea.Cmd { return tea.Batch(m.loadRows, roomTick()) }

func (m *roomModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = min(max(msg.Width, 20), maxCols), min(max(msg.Height, 6), maxRows)
		m.help.Width = m.width
		m.input.Width = max(m.width-30, 10)
	case roomRowsMsg:
		m.setRows(msg.rows)
		return m, m.watch(msg.changed)
	case roomTickMsg:
		return m, roomTick()
	case roomPushedMsg:
		switch {
		case msg.err != nil:
			why, _ := fault.MessageIn(msg.err, string(m.cat.lang))
			m.setStatus(statusErr, m.cat.f("room.pusherr", msg.what, msg.n, why))
		default:
			m.setStatus(statusOK, m.cat.f("room.pushed", msg.what, msg.n))
		}
	case tea.KeyMsg:
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && m.mode != roomMessage {
			// Keys typed faster than a frame arrive together; each is its own key.
			var cmds []tea.Cmd
			for _, r := range msg.Runes {
				cmds = append(cmds, m.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}))
			}
			return m, tea.Batch(cmds...)
		}
		return m, m.key(msg)
	default:
		if m.mode == roomMessage {
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg)
			return m, cmd
		}
	}
	return m, nil
}

// setRows keeps the selection on the same session when others come and go.
func (m *roomModel) setRows(rows []RoomSession) {
	id := 0
	if m.sel < len(m.rows) {
		id = m.rows[m.sel].ID
	}
	m.rows, m.sel = rows, 0
	for i, r := range rows {
		if r.ID == id {
			m.sel = i
		}
	}
}

// target is the sessions a push goes to, in words, and its To.
func (m *roomModel) target() (string, int, bool) {
	if m.everyone {
		return m.cat.t("room.all"), 0, true
	}
	if m.sel >= len(m.rows) {
		return "", 0, false
	}
	return m.cat.f("room.one", m.rows[m.sel].ID), m.rows[m.sel].ID, true
}

func (m *roomModel) key(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	switch m.mode {
	case roomPickScenario, roomPickLang:
		switch {
		case key.Matches(msg, k.Up):
			m.choice = max(m.choice-1, 0)
		case key.Matches(msg, k.Down):
			m.choice = min(m.choice+1, len(m.choices)-1)
		case key.Matches(msg, k.Choose):
			kind, value := PushScenario, m.choices[m.choice]
			if m.mode == roomPickLang {
				kind = PushLang
			} else if value == "none" {
				value = ""
			}
			m.mode = roomNormal
			return m.push(kind, value)
		case key.Matches(msg, k.Cancel, k.Quit):
			m.mode = roomNormal
		}
		return nil
	case roomConfirmReset:
		m.mode = roomNormal
		if msg.String() == "y" {
			return m.push(PushReset, "")
		}
		m.setStatus(statusInfo, "")
		return nil
	case roomMessage:
		switch msg.Type {
		case tea.KeyEnter:
			text := strings.TrimSpace(m.input.Value())
			m.mode = roomNormal
			m.input.Blur()
			if text == "" {
				return nil
			}
			return m.push(PushMessage, text)
		case tea.KeyEsc:
			m.mode = roomNormal
			m.input.Blur()
			return nil
		}
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return cmd
	}
	if m.showHelp {
		if key.Matches(msg, k.Quit) {
			return tea.Quit
		}
		m.showHelp = false
		return nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.Up):
		m.sel = max(m.sel-1, 0)
		m.everyone = false
	case key.Matches(msg, k.Down):
		m.sel = max(min(m.sel+1, len(m.rows)-1), 0)
		m.everyone = false
	case key.Matches(msg, k.Target):
		m.everyone = !m.everyone
	case key.Matches(msg, k.ViewLang):
		l := present.KO
		if m.cat.lang == present.KO {
			l = present.EN
		}
		m.setLang(l)
		m.setStatus(statusInfo, m.cat.t("room.ready"))
	case key.Matches(msg, k.Scenario, k.Lang, k.Reset, k.Message):
		if _, _, ok := m.target(); !ok || len(m.rows) == 0 {
			m.setStatus(statusErr, m.cat.t("room.nosel"))
			return nil
		}
		switch {
		case key.Matches(msg, k.Scenario):
			m.mode, m.choices, m.choice = roomPickScenario, append([]string{"none"}, workshop.ScenarioNames()...), 0
		case key.Matches(msg, k.Lang):
			m.mode, m.choices, m.choice = roomPickLang, []string{string(present.EN), string(present.KO)}, 0
		case key.Matches(msg, k.Reset):
			m.mode = roomConfirmReset
		case key.Matches(msg, k.Message):
			m.mode = roomMessage
			m.input.SetValue("")
			m.input.Placeholder = m.cat.t("room.msg.ph")
			return m.input.Focus()
		}
	}
	return nil
}

// push sends a push to the target in a command.
func (m *roomModel) push(kind RoomPushKind, value string) tea.Cmd {
	_, to, ok := m.target()
	if !ok {
		m.setStatus(statusErr, m.cat.t("room.nosel"))
		return nil
	}
	var what string
	switch kind {
	case PushScenario:
		shown := value
		if shown == "" {
			shown = m.cat.t("room.none")
		}
		what = m.cat.f("room.what.scen", shown)
	case PushLang:
		what = m.cat.f("room.what.lang", value)
	case PushReset:
		what = m.cat.t("room.what.reset")
	case PushMessage:
		what = m.cat.t("room.what.msg")
	}
	room, p := m.room, RoomPush{To: to, Kind: kind, Value: value}
	return func() tea.Msg {
		n, err := room.Push(p)
		return roomPushedMsg{what: what, n: n, err: err}
	}
}

// stepMarks are a step's state in one character, readable without colour.
var stepMarks = map[string]struct {
	mark    string
	verdict check.Verdict
}{
	"waiting": {"·", ""}, "running": {"…", ""}, "passed": {"✓", check.Pass}, "warned": {"!", check.Warn},
	"failed": {"✗", check.Fail}, "skipped": {"-", check.Skip}, "cancelled": {"⊘", check.Skip},
}

// stepHeads name the steps over their marks, two cells each.
var stepHeads = map[string]string{string(workshop.Preflight): "P", string(workshop.ReadReport): "R",
	string(workshop.BuildRequest): "B", string(workshop.CallMAA): "M", string(workshop.VerifyJWT): "V"}

func (m *roomModel) View() string {
	var lines []string
	to, _, _ := m.target()
	if !m.everyone && len(m.rows) > 0 {
		to = m.cat.f("room.to.one", m.rows[m.sel].ID, present.Safe(m.rows[m.sel].User))
	} else {
		to = m.cat.t("room.to.all")
	}
	title := m.st.Title.Render(m.cat.t("room.title")) + m.st.Summary.Render("  "+m.cat.f("room.count", len(m.rows))+"  ·  ") + m.st.SectionTitle.Render(to)
	lines = append(lines, fit(title, m.width), "")
	body := m.height - 4 // title, blank, footer, status
	switch {
	case m.showHelp:
		lines = append(lines, m.helpView()...)
	default:
		lines = append(lines, m.table(body-m.pickerHeight())...)
		lines = append(lines, m.picker()...)
	}
	for len(lines) < m.height-2 {
		lines = append(lines, "")
	}
	lines = lines[:m.height-2]
	for i := range lines {
		lines[i] = pad(fit(lines[i], m.width), m.width)
	}
	footer := m.help.ShortHelpView(m.keys.ShortHelp())
	if m.mode == roomMessage {
		target, _, _ := m.target()
		footer = m.st.Input.Render(m.cat.f("room.msg.prompt", target)) + m.input.View()
	}
	st := m.st.Status
	switch m.statusKind {
	case statusErr:
		st = m.st.StatusErr
	case statusOK:
		st = m.st.StatusOK
	}
	return strings.Join(append(lines, pad(fit(footer, m.width), m.width), pad(" "+st.Render(fit(m.status, m.width-1)), m.width)), "\n")
}

// table is the sessions, one a line, the selected one marked, scrolled to keep it shown.
func (m *roomModel) table(h int) []string {
	if len(m.rows) == 0 {
		return []string{m.st.Explain.Render(m.cat.t("room.empty"))}
	}
	var heads []string
	for _, id := range workshop.AllSteps {
		heads = append(heads, stepHeads[string(id)])
	}
	col := func(s string, w int) string {
		if w == 0 {
			return ""
		}
		return pad(fit(s, w), w)
	}
	// Below 100 columns the addresses give way, so that the steps and the time stay in view
	// at 80.
	fromW := 16
	if m.width < 100 {
		fromW = 0
	}
	head := "  " + col("#", 4) + col(m.cat.t("room.col.who"), 14) + col(m.cat.t("room.col.from"), fromW) + col(m.cat.t("room.col.lang"), 6) +
		col("TEE", 14) + col(m.cat.t("room.col.scen"), 16) + col(strings.Join(heads, " "), 11) + m.cat.t("room.col.time")
	out := []string{m.st.Heading.Render(head)}
	h = max(h-1, 1)
	first := max(0, m.sel-h+1)
	for i := first; i < len(m.rows) && i < first+h; i++ {
		r := m.rows[i]
		scen := r.Scenario
		if scen == "" {
			scen = m.cat.t("room.none")
		}
		var marks []string
		for _, s := range r.Steps {
			mk, ok := stepMarks[s.State]
			if !ok {
				mk.mark = "?"
			}
			mark := mk.mark
			if s.Stale {
				mark = "~"
			}
			if st, ok := m.st.Verdict[mk.verdict]; ok && !s.Stale {
				mark = st.Render(mark)
			}
			marks = append(marks, mark)
		}
		lead := "  "
		if i == m.sel && !m.everyone {
			lead = m.st.Cursor.Render("> ")
		}
		// The user name is whatever the attendee typed: escaped, so that it cannot drive the
		// instructor's terminal.
		safe := present.Safe
		line := lead + col(fmt.Sprintf("#%d", r.ID), 4) + col(safe(r.User), 14) + col(safe(r.Remote), fromW) + col(safe(r.Lang), 6) +
			col(safe(r.TEE), 14) + col(safe(scen), 16) + col(strings.Join(marks, " "), 11) + inRoom(m.now().Sub(r.Started))
		if i == m.sel && !m.everyone && !m.st.NoColor {
			line = m.st.Selected.Render(pad(line, m.width))
		}
		out = append(out, line)
	}
	return out
}

// inRoom is a duration as the table shows it: minutes and seconds, hours past an hour.
func inRoom(d time.Duration) string {
	d = max(d, 0).Round(time.Second)
	if d >= time.Hour {
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}

func (m *roomModel) pickerHeight() int {
	switch m.mode {
	case roomPickScenario, roomPickLang:
		return len(m.choices) + 2
	case roomConfirmReset:
		return 2
	}
	return 0
}

// picker is the scenario or language list, or the reset question, under the table.
func (m *roomModel) picker() []string {
	target, _, _ := m.target()
	switch m.mode {
	case roomConfirmReset:
		return []string{"", m.st.Hint.Render(m.cat.f("room.confirm", target))}
	case roomPickScenario, roomPickLang:
		id := "room.pick.scen"
		if m.mode == roomPickLang {
			id = "room.pick.lang"
		}
		out := []string{"", m.st.SectionTitle.Render(m.cat.f(id, target))}
		for i, c := range m.choices {
			line := "  " + c
			if c == "none" {
				line = "  " + m.cat.t("room.none")
			}
			if m.mode == roomPickScenario && c != "none" {
				if sc, err := workshop.LookupScenario(c); err == nil {
					line = "  " + pad(c, 16) + m.st.Explain.Render(sc.Summary.In(m.cat.lang))
				}
			}
			if i == m.choice {
				line = m.st.Cursor.Render("> ") + strings.TrimPrefix(line, "  ")
			}
			out = append(out, line)
		}
		return out
	}
	return nil
}

func (m *roomModel) helpView() []string {
	out := []string{m.st.Title.Render(m.cat.t("room.help.title")), ""}
	for _, g := range m.keys.FullHelp() {
		for _, b := range g {
			out = append(out, "  "+m.st.Help.FullKey.Render(pad(b.Help().Key, 6))+"  "+m.st.Help.FullDesc.Render(b.Help().Desc))
		}
		out = append(out, "")
	}
	// The step columns' letters and marks, so the table reads without this help too.
	out = append(out, m.st.Explain.Render("P R B M V: "+strings.Join(stepTitles(m.cat.lang), ", ")),
		m.st.Explain.Render("· … ✓ ! ✗ - ⊘ ~: "+m.cat.t("room.marks")))
	return out
}

func stepTitles(l present.Lang) []string {
	var out []string
	for _, id := range workshop.AllSteps {
		out = append(out, id.Title().In(l))
	}
	return out
}

// addRoomMarksChrome adds the legend of the step marks to chrome.
func addRoomMarksChrome(chrome map[string]present.Text) {
	chrome["room.marks"] = present.T("not run, running, passed, warned, failed, skipped, cancelled, stale (an earlier step ran again)",
		"실행 안 함, 실행 중, 통과, 경고, 실패, 건너뜀, 취소됨, 오래됨 (앞 단계가 다시 실행됨)")
}
