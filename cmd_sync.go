package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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
		Logger: e.log.With("part", "top"),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("the gateway client: %w", err)
	}
	u := sync.New(e.j, client, sync.Config{
		Workers:     e.cfg.Uploader.Workers,
		RateLimit:   e.cfg.Uploader.RateLimit,
		BackoffBase: e.cfg.Uploader.BackoffBase.Duration,
		BackoffCap:  e.cfg.Uploader.BackoffCap.Duration,
	}, e.log.With("part", "sync"))
	return u, client, nil
}

func cmdSync(ctx context.Context, c *cli, args []string) int {
	fs, cfgPath := c.flags("sync", "[--drain] [--max-wait D]",
		"Upload journaled orders without the screen. Without --drain it runs until interrupted (Ctrl-C),\n"+
			"uploading orders as they are journaled. With --drain it stops when nothing is left that it can\n"+
			"upload by itself. Progress goes to stderr when it is a terminal; a summary line at the end.\n"+
			"Exit status with --drain: 0 all uploaded, 1 some need a person (rejected, or the uploader paused\n"+
			"on a configuration problem), 2 --max-wait ran out first.")
	drain := fs.Bool("drain", false, "stop when there is nothing more to upload")
	maxWait := fs.Duration("max-wait", 0, "with --drain, give up after `D` (like 10m; 0 = no limit)")
	rest, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(c.stderr, "banksale sync: unexpected argument %q\n", rest[0])
		return exitUsage
	}
	if *maxWait < 0 || (*maxWait > 0 && !*drain) {
		fmt.Fprintln(c.stderr, "banksale sync: --max-wait needs --drain and a duration like 10m")
		return exitUsage
	}
	cfg, ok := c.loadConfig(*cfgPath)
	if !ok {
		return exitSetup
	}
	if err := cfg.RequireGateway(); err != nil {
		fmt.Fprintf(c.stderr, "banksale sync: %v\n", err)
		return exitSetup
	}
	e, code := c.openWith(ctx, cfg, "sync")
	if e == nil {
		return code
	}
	defer e.close()
	u, _, err := e.uploader()
	if err != nil {
		fmt.Fprintf(c.stderr, "banksale sync: %v\n", err)
		return exitSetup
	}
	start := time.Now()
	p := &progressLine{c: c, lang: e.lang, on: c.stderrIsTerminal}
	e.log.Info("sync start", "drain", *drain, "max_wait", *maxWait)

	if *drain {
		res, err := sync.Drain(ctx, u, *maxWait, p.show)
		p.clear()
		st := res.Paused
		fmt.Fprintln(c.stderr, summary(res.Counts, time.Since(start), e.lang))
		if st.Mode == model.ModePaused && st.Reason != "" {
			fmt.Fprintf(c.stderr, "paused: %s\n", termtext.Line(st.Reason, 200))
		}
		if err != nil {
			if ctx.Err() != nil {
				return exitTimedOut // interrupted: orders are still on their way, as with --max-wait
			}
			fmt.Fprintf(c.stderr, "banksale sync: %v\n", err)
			return exitRefused
		}
		code := exitOK
		switch {
		case res.TimedOut:
			code = exitTimedOut
		case res.NeedsPerson():
			code = exitRefused
		}
		e.log.Info("sync drain done", "counts", res.Counts, "timed_out", res.TimedOut, "exit", code)
		return code
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
loop:
	for {
		select {
		case runErr = <-done:
			break loop
		case <-events:
			dirty = true
		case <-tick.C:
			if dirty && p.on {
				if counts, err := e.j.Counts(ctx); err == nil {
					p.show(counts)
					if st := u.State(); st.Mode == model.ModePaused || st.Mode == model.ModeBanned {
						p.note(st.Reason)
					}
				}
				dirty = false
			}
		}
	}
	p.clear()
	cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	counts, _ := e.j.Counts(cctx)
	cancel()
	fmt.Fprintln(c.stderr, summary(counts, time.Since(start), e.lang))
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		fmt.Fprintf(c.stderr, "banksale sync: %v\n", runErr)
		if errors.Is(runErr, sync.ErrRunning) {
			return exitSetup
		}
		return exitRefused
	}
	return exitOK
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
	s := fmt.Sprintf("%s %d · %s %d · %s %d", hdr(p.lang, "待传", "to upload"), left,
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

func cmdRetry(ctx context.Context, c *cli, args []string) int {
	fs, cfgPath := c.flags("retry", "ORDER_ID… | --failed",
		"Make orders that wait for a retry or were rejected due for upload now, with their backoff\n"+
			"reset. The next `banksale sync` or the screen uploads them. A rejected order was refused for\n"+
			"its content: retrying it unchanged is refused again, so edit it first.")
	failed := fs.Bool("failed", false, "every order waiting for a retry or rejected")
	ids, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if *failed == (len(ids) > 0) {
		fmt.Fprintln(c.stderr, "banksale retry: name ORDER_IDs or give --failed (not both)")
		return exitUsage
	}
	e, code := c.open(ctx, *cfgPath, "retry")
	if e == nil {
		return code
	}
	defer e.close()
	now := c.now()
	if *failed {
		n, err := e.j.RetryFailed(ctx, now, e.who)
		if err != nil {
			fmt.Fprintf(c.stderr, "banksale retry: %v\n", err)
			return exitRefused
		}
		e.log.Info("retry failed", "orders", n, "by", e.who)
		fmt.Fprintf(c.stdout, "%d orders due for upload now\n", n)
		return exitOK
	}
	code = exitOK
	var due []string
	for _, id := range ids {
		o, err := e.j.Get(ctx, id)
		if err != nil {
			code = c.orderErr("retry", id, err, e.lang)
			continue
		}
		if o.Status != model.StatusRetrying && o.Status != model.StatusRejected {
			fmt.Fprintf(c.stderr, "banksale retry: order %s is %s: only orders waiting for a retry or rejected can be retried\n", id, o.Status.Label(e.lang))
			code = exitRefused
			continue
		}
		due = append(due, id)
	}
	if len(due) > 0 {
		n, err := e.j.Retry(ctx, now, e.who, due...)
		if err != nil {
			fmt.Fprintf(c.stderr, "banksale retry: %v\n", err)
			return exitRefused
		}
		e.log.Info("retry", "orders", due, "changed", n, "by", e.who)
		fmt.Fprintf(c.stdout, "%d orders due for upload now\n", n)
	}
	return code
}
