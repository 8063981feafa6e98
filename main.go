// Command banksale lets a store supervisor key in the UnionPay QuickPass and bank-card
// sales, voids and refunds that the POS failed to send, journals them in SQLite and uploads
// them to head office through the Taobao Open Platform (alibaba.mos.oc.trade.syncbanksale).
//
// This file only wires: config → journal → gateway client → uploader → screen.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"banksale/desk"
	"banksale/model"
	"banksale/storage"
	"banksale/sync"
	"banksale/ui"

	"gopkg.in/natefinch/lumberjack.v2"
)

// version is set at release time with -ldflags "-X main.version=…".
var version = "dev"

// Exit statuses. Documented in the README; scripts depend on them. Commands return errors;
// exitStatus alone turns an error into one of these.
const (
	exitOK       = 0  // done
	exitRefused  = 1  // done, but something needs a person: refused rows, unknown order, orders left rejected
	exitTimedOut = 2  // sync --drain: --max-wait ran out with orders still to upload
	exitSetup    = 3  // could not start: configuration, journal in use by another process, journal unreadable
	exitUsage    = 64 // wrong command line (BSD sysexits EX_USAGE)
)

func main() {
	// SIGHUP: the terminal was closed (a window closed, an ssh dropped); stop as on Ctrl-C, so
	// that the uploader records what it sent and the demo removes its throw-away folder.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := run(ctx, os.Args[1:], newCLI())
	stop()
	os.Exit(code)
}

// cli is the outside world a command sees, so tests can run commands in-process.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	// stderrIsTerminal decides whether sync draws progress.
	stderrIsTerminal bool
	// warnings of the config, kept for the log: on the screen's start they would be hidden.
	warnings []string
}

type command struct {
	name    string
	args    string // the usage line after the name
	summary string
	run     func(ctx context.Context, c *cli, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"import", "[--warnings] FILE…", "journal orders from CSV, JSON or JSON Lines files", cmdImport},
		{"list", "[--status S] [--from D] [--to D] [--search TEXT] [--limit N] [--json]", "list orders, newest first", cmdList},
		{"show", "ORDER_ID [--json]", "one order with its upload attempts and audit trail", cmdShow},
		{"void", "ORDER_ID --reason TEXT", "cancel an order that has not been uploaded (it is kept, marked voided)", cmdVoid},
		{"export", "[--from D] [--to D] [--status S] [--format csv|json] [--out FILE]", "write orders in the API's fields (masked cards)", cmdExport},
		{"report", "[--day YYYY-MM-DD] [--json]", "a day's count and amount per channel and type", cmdReport},
		{"sync", "[--drain] [--max-wait D]", "upload without the screen, until interrupted (or, with --drain, until done)", cmdSync},
		{"retry", "ORDER_ID… | --failed", "make orders waiting or rejected due for upload now", cmdRetry},
		{"backup", "FILE", "write a consistent copy of the journal to FILE (VACUUM INTO), checked", cmdBackup},
		{"check", "[--quick] [--file FILE] [--json]", "look the journal (or a backup) over for damage, and say what to do", cmdCheck},
		{"statement", "import [--format F] FILE…", "keep an acquirer's statement (对账单) lines for reconcile", cmdStatement},
		{"reconcile", "[--day YYYY-MM-DD] [--json]", "match a day's orders with the statement: what differs, what is missing", cmdReconcile},
		{"version", "", "print the version", cmdVersion},
		{"help", "[COMMAND]", "this list, or one command's flags", cmdHelp},
	}
}

func newCLI() *cli {
	return &cli{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		getenv: os.Getenv, now: time.Now,
		stderrIsTerminal: isTerminal(os.Stderr),
	}
}

// run is main without the process: it runs the command line and returns the exit status.
// Global flags (--config FILE) may come before the command: banksale --config F list.
func run(ctx context.Context, args []string, c *cli) int {
	global, rest := globalFlags(args)
	if len(rest) == 1 && (rest[0] == "-v" || rest[0] == "--version" || rest[0] == "-version") {
		rest[0] = "version" // what other tools answer to -v
	}
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		for _, cmd := range commands {
			if cmd.name == rest[0] {
				return c.exitStatus(cmd.name, cmd.run(ctx, c, append(rest[1:], global...)))
			}
		}
		fmt.Fprintf(c.stderr, "banksale: unknown command %q\n\n", rest[0])
		usage(c.stderr)
		return exitUsage
	}
	return c.exitStatus("", cmdScreen(ctx, c, args))
}

// globalFlags takes the flags every command has off the front of args: what comes before the
// command applies to it as if it came after.
func globalFlags(args []string) (global, rest []string) {
	for len(args) > 0 {
		a := args[0]
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			break
		}
		if hasValue {
			global, args = append(global, a), args[1:]
			continue
		}
		if len(args) < 2 {
			break
		}
		global, args = append(global, a, args[1]), args[2:]
	}
	return global, args
}

// exitError is an error that means an exit status other than exitRefused. A nil err means
// there is nothing more to say: the flag package or the command has already said it.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError is a wrong command line: exit 64.
func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// setupError is what stops a command before it starts: exit 3.
func setupError(err error) error { return &exitError{code: exitSetup, err: err} }

// exitStatus is the one place an error becomes a message and an exit status: the message is
// printed once, as "banksale CMD: …", and the status follows the error's kind.
func (c *cli) exitStatus(cmd string, err error) int {
	if err == nil {
		return exitOK
	}
	code := exitRefused
	var ee *exitError
	var ce *ConfigError
	switch {
	case errors.As(err, &ee):
		code = ee.code
		if ee.err == nil {
			return code
		}
	case errors.Is(err, model.ErrInUse), errors.As(err, &ce):
		code = exitSetup
	}
	prefix := "banksale"
	if cmd != "" {
		prefix += " " + cmd
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap() // several refusals (retry of several orders): one line each
	}
	for _, e := range errs {
		fmt.Fprintf(c.stderr, "%s: %v\n", prefix, e)
	}
	return code
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `banksale: key in the bank-card and UnionPay QuickPass sales the POS failed to send,
and upload them to head office.

usage:
  banksale [--config FILE]          the screen, uploading in the background
  banksale --demo                   try everything against a built-in fake gateway, no account needed
  banksale [--config FILE] COMMAND [flags] [args]

commands:
`)
	width := 0
	for _, cmd := range commands {
		width = max(width, len(cmd.name))
	}
	for _, cmd := range commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, cmd.name, cmd.summary)
	}
	fmt.Fprintf(w, `
Every command takes --config FILE (before or after it) and -h. Exit status: 0 done,
1 something needs a person (refused rows, unknown order, rejected uploads), 2 sync --drain
ran out of time, 3 could not start (configuration, journal in use), 64 wrong usage.
`)
}

func cmdHelp(ctx context.Context, c *cli, args []string) error {
	name := "" // the command asked about, past any flags (--config FILE may come with it)
	for i := 0; i < len(args) && name == ""; i++ {
		switch a := args[i]; {
		case a == "--config" || a == "-config":
			i++
		case !strings.HasPrefix(a, "-"):
			name = a
		}
	}
	if name == "" {
		usage(c.stdout)
		return nil
	}
	for _, cmd := range commands {
		if cmd.name == name && cmd.name != "help" {
			c2 := *c
			c2.stderr = c.stdout
			return cmd.run(ctx, &c2, []string{"-h"})
		}
	}
	return usageError("unknown command %q", name)
}

// flags makes a command's FlagSet with the --config flag every command has.
func (c *cli) flags(name, args, summary string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("banksale "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	cfg := fs.String("config", "", "config `FILE` (default: "+defaultConfigShown()+")")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: banksale %s %s\n\n%s\n\nflags:\n", name, args, summary)
		fs.PrintDefaults()
	}
	return fs, cfg
}

func defaultConfigShown() string {
	p, err := DefaultConfigPath()
	if err != nil {
		return "the OS config folder/banksale/config.toml"
	}
	return p
}

// parse parses flags that may come before, between or after the positional arguments
// (banksale void ORDER --reason TEXT), as people type them; "--" ends the flags. -h is an
// exitError of status 0 with nothing more to say, like a wrong flag (64): the flag package has
// printed the usage or the complaint.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &exitError{code: exitOK}
			}
			return nil, &exitError{code: exitUsage}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// loadConfig reads the config named by --config (which must exist) or the default one
// (which may be missing: defaults then). Warnings go to stderr at once.
func (c *cli) loadConfig(flagPath string) (Config, error) {
	path, must := flagPath, true
	if path == "" {
		p, err := DefaultConfigPath()
		if err != nil {
			return Config{}, setupError(err)
		}
		path, must = p, false
	}
	cfg, warns, err := LoadConfig(path, must, c.getenv)
	for _, w := range warns {
		fmt.Fprintf(c.stderr, "banksale: warning: %s\n", w)
	}
	c.warnings = warns
	if err != nil {
		return cfg, setupError(err)
	}
	return cfg, nil
}

// The log's bounds: a file is rotated when it reaches logMaxMB and logBackups old files are
// kept, so the log never holds more than (logBackups+1)×logMaxMB whatever is thrown at it. A
// busy day logs well under a megabyte.
const (
	logMaxMB   = 10
	logBackups = 3
)

// openLog opens banksale.log beside the journal, rotated by size. The terminal belongs to the
// screen (or to the command's output), so the log never goes there. When the log cannot be
// written (a read-only folder), the error says why and the logger discards: reading a journal
// must not depend on writing beside it.
func openLog(journalPath string) (*slog.Logger, func(), error) {
	discard := slog.New(slog.DiscardHandler)
	dir := filepath.Dir(journalPath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return discard, func() {}, fmt.Errorf("creating %s: %w", dir, err)
	}
	name := filepath.Join(dir, "banksale.log")
	// lumberjack opens lazily, on the first line: open once now to learn whether it can, and to
	// create the file private (lumberjack would too, but only once it writes).
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return discard, func() {}, fmt.Errorf("opening the log: %w", err)
	}
	_ = f.Close()
	lj := &lumberjack.Logger{Filename: name, MaxSize: logMaxMB, MaxBackups: logBackups, LocalTime: true}
	log := slog.New(slog.NewTextHandler(lj, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return log, func() { _ = lj.Close() }, nil
}

// cannotWrite is a command that writes, stopped because this user may not write beside the
// journal, with what to do.
func cannotWrite(err error, journal string) error {
	return setupError(fmt.Errorf("%w\n  This user may not write the journal or its folder %s: run banksale as the user who owns it, "+
		"or set journal.path to a folder you may write (list, show, export, report and check can still read it)", err, filepath.Dir(journal)))
}

// env is what a command has once its config, log and journal are open.
type env struct {
	cfg    Config
	log    *slog.Logger
	j      *storage.Journal
	lang   model.Lang
	rules  model.Rules
	who    string
	now    func() time.Time
	getenv func(string) string
	close  func()
}

// journalMode is how a command opens the journal.
type journalMode int

const (
	// owner takes the journal's lock for the command's life: it writes, so it must be alone.
	owner journalMode = iota
	// reader only reads. It takes the lock when it is free, as an owner; when another banksale
	// owns the journal it reads it without the lock (WAL lets other processes read) and says on
	// stderr that the figures may move meanwhile.
	reader
)

// open loads the config and opens the log and the journal.
func (c *cli) open(ctx context.Context, configFlag, cmd string, mode journalMode) (*env, error) {
	cfg, err := c.loadConfig(configFlag)
	if err != nil {
		return nil, err
	}
	return c.openWith(ctx, cfg, cmd, mode)
}

// slowOpen is how long opening the journal may take before the terminal is told why;
// openJournal opens it (a test makes it slow).
var (
	slowOpen    = 2 * time.Second
	openJournal = storage.Open
)

func (c *cli) openWith(ctx context.Context, cfg Config, cmd string, mode journalMode) (*env, error) {
	if mode == reader {
		// A command that only reads must not make an empty journal and report "nothing": on a
		// PC without a config that reads as "no orders", when the orders are in a journal
		// this command was not pointed at.
		if _, err := os.Stat(cfg.Journal.Path); errors.Is(err, os.ErrNotExist) {
			from := "the config " + cfg.File
			if cfg.File == "" {
				from = "no config file was found, so this is the default place"
			}
			return nil, setupError(fmt.Errorf("there is no journal at %s (%s): nothing has been journaled there yet.\n"+
				"  If the orders are in another journal, name the config that points at it: banksale %s --config FILE", cfg.Journal.Path, from, cmd))
		}
	}
	log, closeLog, err := openLog(cfg.Journal.Path)
	if err != nil {
		if mode != reader {
			if storage.CannotWrite(err) {
				return nil, cannotWrite(err, cfg.Journal.Path)
			}
			return nil, setupError(err)
		}
		fmt.Fprintf(c.stderr, "banksale %s: note: %v; going on without a log\n", cmd, err)
	}
	log = log.With("cmd", cmd, "pid", os.Getpid())
	for _, w := range c.warnings {
		log.Warn("config", "warning", w)
	}
	// Opening is instant, except once after an upgrade that prepares older orders (search tails
	// on a million orders take about half a minute): say so rather than look hung.
	said := make(chan struct{})
	slow := time.AfterFunc(slowOpen, func() {
		defer close(said)
		fmt.Fprintf(c.stderr, "banksale %s: opening the journal takes a while (after an upgrade it prepares older orders, once: up to a minute for a very large journal)…\n", cmd)
	})
	j, err := openJournal(ctx, cfg.Journal.Path, log)
	if !slow.Stop() {
		<-said // its line is written before anything else is
	}
	var inUse *model.InUseError
	switch {
	case mode != reader:
	case errors.As(err, &inUse):
		if j, err = storage.OpenReadOnly(ctx, cfg.Journal.Path, log); err == nil {
			fmt.Fprintf(c.stderr, "banksale %s: note: %v; reading it as it is now: the figures may move while it works\n", cmd, inUse)
		}
	case storage.CannotWrite(err):
		// A journal in a folder this user may only read (a copy on a share, a backup drive).
		if j2, err2 := storage.OpenReadOnly(ctx, cfg.Journal.Path, log); err2 == nil {
			fmt.Fprintf(c.stderr, "banksale %s: note: the journal's folder is read-only for you (%v); reading the journal as it is\n", cmd, err)
			j, err = j2, nil
		}
	}
	if err != nil {
		closeLog()
		log.Error("open journal", "err", err)
		if errors.As(err, &inUse) && inUse.NotBanksale {
			return nil, setupError(fmt.Errorf("%w\n  Another program has %s.lock open, often a backup, sync or antivirus tool: close it or "+
				"exclude the journal's folder from it, then try again; restarting the PC frees it too", inUse, inUse.Path))
		}
		if errors.As(err, &inUse) {
			return nil, setupError(fmt.Errorf("%w\n  Only one banksale may change a journal at a time: close the other one (the screen or `banksale sync`) first", inUse))
		}
		if storage.CannotWrite(err) {
			return nil, cannotWrite(fmt.Errorf("opening the journal: %w", err), cfg.Journal.Path)
		}
		return nil, setupError(fmt.Errorf("opening the journal: %w", err))
	}
	e := &env{cfg: cfg, log: log, j: j, lang: cfg.Lang(c.getenv), who: operator(c.getenv), now: c.now, getenv: c.getenv}
	e.rules = model.Rules{
		VoidSaleType:   model.SaleType(cfg.Store.VoidSaleType),
		RefundWarnDays: 30,
		CardKey:        []byte(cfg.Card.DigestKey),
		Operator:       e.who,
	}
	e.rules.IP, e.rules.MAC = machineAddr()
	if cfg.Store.banks != nil {
		model.SetBanks(model.ExtendBanks(model.DefaultBanks(), cfg.Store.banks))
	}
	j.SetRules(e.rules)
	e.close = func() {
		if err := j.Close(); err != nil {
			log.Error("close journal", "err", err)
		}
		closeLog()
	}
	return e, nil
}

// desk is what a supervisor can do on this journal; up is the uploader in this process, or nil.
func (e *env) desk(up desk.Uploader) *desk.Desk {
	return desk.New(e.j, up, desk.Config{
		Rules: e.rules, StoreNo: e.cfg.Store.StoreNo, CommType: model.CommType(e.cfg.Store.CommunicateType), Now: e.now,
		DeskCode: e.cfg.Store.DeskCode,
	})
}

// statusesOf parses --status: a comma-separated list of status words.
func statusesOf(s string) ([]model.Status, error) {
	if s == "" {
		return nil, nil
	}
	var out []model.Status
	for _, w := range strings.Split(s, ",") {
		w = strings.ToLower(strings.TrimSpace(w))
		found := false
		for _, st := range model.Statuses {
			if string(st) == w {
				out = append(out, st)
				found = true
			}
		}
		if !found {
			names := make([]string, len(model.Statuses))
			for i, st := range model.Statuses {
				names[i] = string(st)
			}
			sort.Strings(names)
			return nil, fmt.Errorf("unknown status %q: use %s (comma-separated)", w, strings.Join(names, ", "))
		}
	}
	return out, nil
}

// dayOrTime parses --from/--to: a day (YYYY-MM-DD, its start in CST) or a time
// (YYYY-MM-DD HH:MM[:SS]). isDay says a whole day was given, so --to can include it.
func dayOrTime(s string, now time.Time) (t time.Time, isDay bool, err error) {
	if d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), model.CST); err == nil {
		return d, true, nil
	}
	t, err = model.ParseTime(s, now)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%q is not a day (2026-11-26) or a time (2026-11-26 14:30)", s)
	}
	return t, false, nil
}

// rangeOf turns --from and --to into the journal's [From, To) range; a --to day includes
// that whole day, because that is what a person asking "to the 26th" means.
func rangeOf(from, to string, now time.Time) (time.Time, time.Time, error) {
	var f, t time.Time
	var err error
	if from != "" {
		if f, _, err = dayOrTime(from, now); err != nil {
			return f, t, fmt.Errorf("--from: %w", err)
		}
	}
	if to != "" {
		var day bool
		if t, day, err = dayOrTime(to, now); err != nil {
			return f, t, fmt.Errorf("--to: %w", err)
		}
		if day {
			t = t.AddDate(0, 0, 1)
		}
	}
	if !f.IsZero() && !t.IsZero() && !t.After(f) {
		// an empty answer would read as "no orders"; swapped dates are the likely cause
		return f, t, fmt.Errorf("--to %s is not after --from %s, so no order could match: are they swapped?", to, from)
	}
	return f, t, nil
}

// The parts main wires together, checked against the interfaces their users declare.
var (
	_ ui.Journal    = (*storage.Journal)(nil)
	_ ui.Desk       = (*desk.Desk)(nil)
	_ ui.Uploader   = (*sync.Uploader)(nil)
	_ desk.Journal  = (*storage.Journal)(nil)
	_ desk.Uploader = (*sync.Uploader)(nil)
	_ sync.Store    = (*storage.Journal)(nil)
)
