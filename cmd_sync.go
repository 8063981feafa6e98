package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"banksale/desk"
	"banksale/model"
	"banksale/sync"
	"banksale/sync/top"
	"banksale/termtext"
)

// uploader builds the gateway client and the uploader from the config.
func (e *env) uploader() (*sync.Uploader, *top.Client, error) {
	g := e.cfg.Gateway
	client, err := top.New(top.Config{
		URL: g.URL, AppKey: g.AppKey, Secret: g.AppSecret, Session: g.Session, SignMethod: g.SignMethod,
		ConnectTimeout: g.ConnectTimeout.Duration, Timeout: g.Timeout.Duration,
		Proxy: g.Proxy, CAFile: g.CAFile, Getenv: e.getenv,
		Answers: top.Answers{DuplicateCodes: g.DuplicateCodes, RetryCodes: g.RetryCodes},
		Logger:  e.log.With("part", "top"),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("the gateway client: %w", err)
	}
	u := sync.New(e.j, client, sync.Config{
		Workers:     e.cfg.Uploader.Workers,
		RateLimit:   e.cfg.Uploader.RateLimit,
		BackoffBase: e.cfg.Uploader.BackoffBase.Duration,
		BackoffCap:  e.cfg.Uploader.BackoffCap.Duration,
		GiveUpAfter: e.cfg.Uploader.GiveUpAfter.Duration,
	}, e.log.With("part", "sync"))
	return u, client, nil
}

func cmdSync(ctx context.Context, c *cli, args []string) error {
	fs, cfgPath := c.flags("sync", "[--drain] [--max-wait D]",
		"Upload journaled orders without the screen. Without --drain it runs until interrupted (Ctrl-C),\n"+
			"uploading orders as they are journaled. With --drain it stops when nothing is left that it can\n"+
			"upload by itself. Progress goes to stderr when it is a terminal; a summary line at the end.\n"+
			"Exit status with --drain: 0 all uploaded, 1 some need a person (rejected, or the uploader paused\n"+
			"on a configuration problem), 2 --max-wait ran out first.")
	drain := fs.Bool("drain", false, "stop when there is nothing more to upload")
	maxWait := fs.Duration("max-wait", 0, "with --drain, give up after `D` (like 10m; 0 = no limit)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("unexpected argument %q", rest[0])
	}
	if *maxWait < 0 || (*maxWait > 0 && !*drain) {
		return usageError("--max-wait needs --drain and a duration like 10m")
	}
	cfg, err := c.loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if err := cfg.RequireGateway(); err != nil {
		return setupError(err)
	}
	e, err := c.openWith(ctx, cfg, "sync", owner)
	if err != nil {
		return err
	}
	defer e.close()
	u, _, err := e.uploader()
	if err != nil {
		return setupError(err)
	}
	start := time.Now()
	p := &progressLine{c: c, lang: e.lang, on: c.stderrIsTerminal}
	e.log.Info("sync start", "drain", *drain, "max_wait", *maxWait)

	if *drain {
		res, err := sync.Drain(ctx, u, *maxWait, p.show)
		p.clear()
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		fmt.Fprintln(c.stderr, summary(res.Counts, time.Since(start), e.lang)+oldestWaiting(cctx, e))
		cancel()
		if st := res.Paused; st.Mode == model.ModePaused && st.Reason != "" {
			fmt.Fprintf(c.stderr, "paused: %s\n", termtext.Line(st.Reason, 200))
		}
		switch {
		case err != nil && ctx.Err() != nil:
			// interrupted: orders are still on their way, as with --max-wait
			return &exitError{code: exitTimedOut, err: errors.New("interrupted before everything was uploaded")}
		case err != nil:
			return err
		}
		e.log.Info("sync drain done", "counts", res.Counts, "timed_out", res.TimedOut, "paused", res.Paused.Reason)
		switch {
		case res.TimedOut:
			return &exitError{code: exitTimedOut, err: fmt.Errorf("--max-wait %v ran out with orders still on their way", *maxWait)}
		case res.NeedsPerson():
			return errors.New("some orders need a person (see above)")
		}
		return nil
	}

	// Until interrupted: the uploader runs, and the progress line follows its events.
	events, unsub := u.Subscribe()
	defer unsub()
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	var runErr error
	dirty := true
	said := "" // the last state line printed: a change of state is printed once, terminal or not
loop:
	for {
		select {
		case runErr = <-done:
			break loop
		case ev := <-events:
			dirty = true
			if ev.Order != nil {
				continue
			}
			if line := stateLine(ev.State); line != said && (line != "" || said != "") {
				if line == "" {
					line = "uploading again"
				}
				p.clear()
				fmt.Fprintf(c.stderr, "%s %s\n", e.now().In(model.CST).Format("15:04:05"), line)
				if said = line; line == "uploading again" {
					said = ""
				}
			}
		case <-tick.C:
			if dirty && p.on {
				if counts, err := e.j.Counts(ctx); err == nil {
					p.show(counts)
					p.note(stateLine(u.State()))
					p.note(oldestWaiting(ctx, e))
				}
				dirty = false
			}
		}
	}
	p.clear()
	cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	counts, _ := e.j.Counts(cctx)
	fmt.Fprintln(c.stderr, summary(counts, time.Since(start), e.lang)+oldestWaiting(cctx, e))
	cancel()
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		if errors.Is(runErr, sync.ErrRunning) {
			return setupError(runErr)
		}
		return runErr
	}
	// Stopped with orders not at head office: a script (or a supervisor reading the status)
	// must not take the stop for "all done".
	if n := counts[model.StatusPending] + counts[model.StatusRetrying] + counts[model.StatusUploading]; n > 0 {
		return &exitError{code: exitTimedOut, err: fmt.Errorf("stopped with %d orders not yet at head office: they go at the next start", n)}
	}
	return nil
}

// stateLine is the uploader's state in a line when it is anything but working normally: paused
// (and why, and what to do), banned, or unable to reach head office.
func stateLine(st model.UploadState) string {
	switch st.Mode {
	case model.ModePaused:
		return "paused: " + termtext.Line(st.Reason, 200)
	case model.ModeBanned:
		return "waiting: " + termtext.Line(st.Reason, 200)
	case model.ModeUnreachable:
		return fmt.Sprintf("cannot reach head office since %s: %s", st.Since.In(model.CST).Format("15:04"), termtext.Line(st.Reason, 200))
	}
	return ""
}

// oldestWaiting says how long the order waiting longest for head office has waited, when
// something waits: nothing retries unseen.
func oldestWaiting(ctx context.Context, e *env) string {
	t, ok, err := e.j.OldestWaiting(ctx)
	if err != nil || !ok {
		return ""
	}
	d := e.now().Sub(t).Round(time.Second)
	if d < time.Second {
		return ""
	}
	return e.lang.Pick(fmt.Sprintf("; 最久已等 %s", d), fmt.Sprintf("; oldest waiting %s", d))
}

// summary is the line sync ends with: where every order stands.
func summary(counts map[model.Status]int, took time.Duration, l model.Lang) string {
	var parts []string
	for _, st := range model.Statuses {
		if n := counts[st]; n > 0 || st == model.StatusUploaded {
			parts = append(parts, fmt.Sprintf("%s %d", st.Label(l), n))
		}
	}
	return fmt.Sprintf("%s (%s)", strings.Join(parts, ", "), took.Round(100*time.Millisecond))
}

// progressLine redraws one line on a terminal's stderr; on a pipe or file it stays silent,
// so logs of a scheduled `sync --drain` hold only the summary.
type progressLine struct {
	c    *cli
	lang model.Lang
	on   bool
	last string
}

func (p *progressLine) show(counts map[model.Status]int) {
	if !p.on {
		return
	}
	left := counts[model.StatusPending] + counts[model.StatusUploading] + counts[model.StatusRetrying]
	s := fmt.Sprintf("%s %d · %s %d · %s %d", p.lang.Pick("待传", "to upload"), left,
		model.StatusUploaded.Label(p.lang), counts[model.StatusUploaded],
		model.StatusRejected.Label(p.lang), counts[model.StatusRejected])
	if s == p.last {
		return
	}
	p.last = s
	fmt.Fprintf(p.c.stderr, "\r\x1b[K%s", s)
}

func (p *progressLine) note(reason string) {
	if !p.on || reason == "" {
		return
	}
	fmt.Fprintf(p.c.stderr, " · %s", termtext.Line(reason, 60))
	p.last = ""
}

func (p *progressLine) clear() {
	if p.on {
		fmt.Fprint(p.c.stderr, "\r\x1b[K")
	}
}

func cmdRetry(ctx context.Context, c *cli, args []string) error {
	fs, cfgPath := c.flags("retry", "ORDER_ID… | --failed",
		"Make orders that wait for a retry or were rejected due for upload now, with their backoff\n"+
			"reset. The next `banksale sync` or the screen uploads them. A rejected order was refused for\n"+
			"its content: retrying it unchanged is refused again, so edit it first.")
	failed := fs.Bool("failed", false, "every order waiting for a retry or rejected")
	ids, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *failed == (len(ids) > 0) {
		return usageError("name ORDER_IDs or give --failed (not both)")
	}
	e, err := c.open(ctx, *cfgPath, "retry", owner)
	if err != nil {
		return err
	}
	defer e.close()
	d := e.desk(nil)
	if *failed {
		n, err := d.RetryFailed(ctx)
		if err != nil {
			return err
		}
		e.log.Info("retry failed", "orders", n, "by", e.who)
		fmt.Fprintf(c.stdout, "%d orders due for upload now\n", n)
		return nil
	}
	n, err := d.Retry(ctx, ids...)
	if n > 0 {
		e.log.Info("retry", "orders", ids, "changed", n, "by", e.who)
		fmt.Fprintf(c.stdout, "%d orders due for upload now\n", n)
	}
	return orderErrs(err, e.lang)
}

// orderErrs words each order's refusal of a joined error for the person.
func orderErrs(err error, l model.Lang) error {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else if err != nil {
		errs = []error{err}
	}
	for i, e := range errs {
		if oe := (*desk.OrderError)(nil); errors.As(e, &oe) {
			errs[i] = orderErr(oe.OrderID, oe.Err, l)
		}
	}
	return errors.Join(errs...)
}
