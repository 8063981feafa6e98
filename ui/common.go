package ui

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"

	"banksale/model"
	"banksale/termtext"
)

// common is what every screen shares: the dependencies, the look, the keys, the language and
// the clock, and the root's live state, which screens read and only the root writes (the
// window's size, the uploader's state, the counts, the message line, the spinner's frame).
type common struct {
	ctx  context.Context
	d    Deps
	lang model.Lang
	log  *slog.Logger
	st   styles
	keys keyMap
	help help.Model

	w, h     int
	state    model.UploadState
	counts   map[model.Status]int
	oldest   time.Time // when the order waiting longest became due; zero when none waits
	frame    int
	flash    string
	flashBad bool
	forms    int // forms opened so far: each form's answers carry its number
	// damaged: the check at start found the journal damaged; the header says so on every
	// screen, in place of the uploader's state, until banksale restarts.
	damaged bool
}

func (c *common) t(key string, args ...any) string { return tr(c.lang, key, args...) }

// tn is t for a sentence about n things: key+".1" says it of one ("1 order is"), where the
// catalogue has it; n is the sentence's first argument.
func (c *common) tn(key string, n int, args ...any) string { return trn(c.lang, key, n, args...) }

// tooSmall says the window is below the size the screens are laid out for.
func (c *common) tooSmall() bool { return c.w < minWidth || c.h < minHeight }

// now is the clock in China time.
func (c *common) now() time.Time { return c.d.Now().In(model.CST) }

// today is midnight of the current day.
func (c *common) today() time.Time {
	y, mo, d := c.now().Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, model.CST)
}

// header is the top three lines of the journal: who and where, the uploader's state in words,
// and the counts per status.
func (c *common) header() []string {
	title := c.st.title.Render("banksale") + "  " + c.t("app")
	store := termtext.Clean(c.storeName())
	if c.d.DeskCode != "" {
		store += "/" + termtext.Clean(c.d.DeskCode) // this PC's desk: its order numbers carry it
	}
	who := fmt.Sprintf("%s: %s  %s: %s", c.t("store"), store, c.t("operator"), termtext.Clean(c.d.Rules.Operator))
	if c.d.Demo {
		who += "  " + c.st.warn.Render("["+c.t("demo")+"]")
	}
	if len(c.d.Rules.CardKey) == 0 {
		// domain.md: without a key no card digest is made, and the status bar says so
		who += "  " + c.st.warn.Render("["+c.t("nokey")+"]")
	}
	l1 := title + "  " + who
	if termtext.Width(l1) > c.w {
		l1 = c.st.title.Render("banksale") + "  " + who // the subtitle gives way to the warnings
	}
	state, bad := c.stateWords()
	if c.damaged {
		state, bad = c.t("damaged"), true
	}
	st := c.st.ok
	if bad {
		st = c.st.err
	}
	l2 := st.Render(state)
	var cs []string
	for _, s := range model.Statuses {
		n := c.counts[s]
		w := fmt.Sprintf("%s %d", s.Label(c.lang), n)
		if n > 0 && s == model.StatusRejected {
			w = c.st.status[s].Render(w)
		}
		cs = append(cs, w)
	}
	return []string{termtext.Cut(l1, c.w), termtext.Cut(l2, c.w), strings.Join(cs, "  ")}
}

func (c *common) storeName() string {
	if c.d.Store != "" {
		return c.d.Store
	}
	return c.d.StoreNo
}

// stateWords says in words what the uploader is doing and, when it needs a person, what to do.
func (c *common) stateWords() (string, bool) {
	if c.d.Uploader == nil {
		return c.t("up.none"), true
	}
	s := c.state
	switch s.Mode {
	case model.ModePaused:
		return c.pauseWords(s), true
	case model.ModeUnreachable:
		return c.t("up.unreach", s.Since.In(model.CST).Format("15:04"), c.causeWords(s.Cause)) + c.oldestWords(), true
	case model.ModeBanned:
		return c.t("up.banned", s.BannedUntil.In(model.CST).Format("15:04:05")), true
	case model.ModeStopped:
		return c.t("up.stopped"), true
	case model.ModeUploading:
		return c.t("up.uploading", max(s.InFlight, c.counts[model.StatusUploading])), false
	}
	if n := c.counts[model.StatusUploading]; n > 0 {
		return c.t("up.uploading", n), false
	}
	if n := c.counts[model.StatusRejected]; n > 0 {
		return c.t("up.idle.attn", n), true
	}
	if n := c.counts[model.StatusPending] + c.counts[model.StatusRetrying] + c.counts[model.StatusUploading]; n > 0 {
		return c.t("up.idle.wait", n) + c.oldestWords(), false
	}
	return c.t("up.idle.all"), false
}

// oldestWords says how long the order waiting longest has waited, when it is long enough to
// matter (a minute): nothing retries unseen.
func (c *common) oldestWords() string {
	if c.oldest.IsZero() {
		return ""
	}
	d := c.now().Sub(c.oldest)
	if d < time.Minute {
		return ""
	}
	return c.t("oldest", age(d))
}

// age says a duration in a few ASCII cells: 45s, 12m, 3h, 2d.
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// causeWords says what stops the calls to head office.
func (c *common) causeWords(cause model.Cause) string {
	switch cause {
	case model.CauseName:
		return c.t("cause.name")
	case model.CauseCertificate:
		return c.t("cause.cert")
	case model.CauseProxy:
		return c.t("cause.proxy")
	case model.CauseWebPage:
		return c.t("cause.webpage")
	}
	return c.t("cause.network")
}

// pauseWords says why uploading is paused and what to do, in the screen's language and within
// 80 columns. The uploader's Reason is English (it also goes to the log and the command line),
// so the causes a supervisor can fix are worded here from model.CauseOf; anything else shows
// Reason as it came.
func (c *common) pauseWords(s model.UploadState) string {
	cause := s.Cause
	if cause == model.CauseOther {
		cause = model.CauseOf(s.Code)
	}
	switch cause {
	case model.CauseIPWhitelist:
		return c.t("pause.ipwl", s.Code, termtext.Clean(s.Detail))
	case model.CausePlatform:
		return c.t("pause.platform", s.Code, termtext.Clean(s.Detail))
	case model.CauseCertificate:
		return c.t("pause.cert")
	case model.CauseProxy:
		return c.t("pause.proxy")
	case model.CauseWebPage:
		return c.t("pause.webpage")
	case model.CauseDiskFull:
		return c.t("pause.disk")
	case model.CauseSignature:
		return c.t("pause.sign", s.Code)
	case model.CauseSession:
		return c.t("pause.session", s.Code)
	case model.CauseAppKey:
		return c.t("pause.appkey", s.Code)
	case model.CauseClock:
		return c.t("pause.clock", s.Code, c.now().Format("01-02 15:04:05"))
	case model.CausePermission, model.CauseForbidden:
		return c.t("pause.perm", s.Code)
	case model.CauseQuota:
		return c.t("pause.quota", s.Code, s.BannedUntil.In(model.CST).Format("01-02 15:04"))
	}
	reason := termtext.Clean(s.Reason)
	if strings.Contains(reason, "press R") {
		return c.t("up.paused.said", reason)
	}
	return c.t("up.paused", reason)
}

// footer is the last two lines of a screen: the message line and the short key help.
func (c *common) footer(h helpFor) []string {
	return append(c.messageLines(c.flash, c.flashBad), c.help.View(h))
}

// maxMessageLines is the most lines a message takes: a refusal with its advice fits in two at
// 80 columns; a screen gives up that many of its rows while the message shows.
const maxMessageLines = 3

// messageLines is a screen's message, wrapped within the width (in either language) so no
// advice is cut off; always at least one line, so the screen does not jump when it clears.
func (c *common) messageLines(msg string, bad bool) []string {
	st := c.st.ok
	switch {
	case msg == "" && c.damaged:
		msg, st = c.t("damaged"), c.st.err
	case msg == "":
		return []string{""}
	case bad:
		st = c.st.err
	}
	return styledLines(wrapMax(msg, c.w, maxMessageLines), st.Render)
}

// wrapMax wraps s within w cells into at most n lines, the last cut with "~" when more is left.
func wrapMax(s string, w, n int) []string {
	ls := termtext.Wrap(s, w)
	if len(ls) > n {
		ls = ls[:n]
		ls[n-1] = termtext.Cut(ls[n-1]+strings.Repeat(" ", w), w-1) + "~"
	}
	return ls
}

func styledLines(ls []string, render func(...string) string) []string {
	for i := range ls {
		ls[i] = render(ls[i])
	}
	return ls
}

// lastError is an order's last failure in words: what it means when the screen knows (another
// sale holds the number at head office; retried too long), else the gateway's own words.
func (c *common) lastError(o model.Order) string {
	words := c.ownWords(termtext.Clean(o.LastMessage))
	switch {
	case words != "":
	case o.LastSubCode != "":
		words = termtext.Clean(o.LastSubCode)
	case o.LastCode != 0:
		words = fmt.Sprintf("code %d", o.LastCode)
	}
	switch {
	case o.Status == model.StatusRejected && o.LastClass == "duplicate":
		return c.t("err.dup", words)
	case o.Status == model.StatusRejected && o.LastClass == model.ClassGaveUp:
		return c.t("err.gaveup", words)
	case o.Status == model.StatusRejected && o.LastClass == model.ClassDamaged:
		return c.t("err.damaged")
	}
	return words
}

// label is a field's name on the form and the detail.
func (c *common) label(field string) string {
	if _, ok := catalog["f."+field]; ok {
		return c.t("f." + field)
	}
	return model.FieldLabel(field, c.lang)
}

// ownKeys are the catalog's words for the uploader's own attempt messages.
var ownKeys = map[string]string{
	model.NotSentStopping: "own.stopping", model.NotSentUnreachable: "own.unreachable", model.NotSentPaused: "own.paused",
	model.NotSentCallLimit: "own.calllimit", model.RequestNotSent: "own.notsent", model.NoCompleteAnswer: "own.noanswer",
}

// ownWords says an attempt's message in the screen's language when the words are the
// uploader's own (the journal keeps them in English); the gateway's words and a transport
// cause ("connection refused") are shown as they came.
func (c *common) ownWords(msg string) string {
	own, rest := model.OwnWords(msg)
	if own == "" {
		return msg
	}
	return c.t(ownKeys[own]) + rest
}
