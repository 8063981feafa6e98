// Package sync is banksale's uploader: it claims due orders from the journal, sends each to the
// TOP gateway (alibaba.mos.oc.trade.syncbanksale), writes every outcome back with its attempt and
// publishes what changed for the screen.
//
// The promise it keeps: every journaled order reaches the gateway exactly once as one sale. It
// rests on three things: the journal freezes each order's DTO bytes, so every attempt sends the
// same bytes under the same order_id (the API's idempotency key); an order is claimed with a lease
// in one transaction and its outcome recorded in another, never holding a transaction across a
// call; and a crash leaves orders "uploading", which the next start releases to "retrying" — the
// re-send is safe because of the first point.
package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	gosync "sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"banksale/model"
	"banksale/sync/top"
)

// Method is the TOP API every order is sent to.
const Method = "alibaba.mos.oc.trade.syncbanksale"

// Store is what the uploader needs of the journal; *storage.Journal satisfies it.
type Store interface {
	ReleaseLeases(ctx context.Context) (int, error)
	Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]model.Order, error)
	Record(ctx context.Context, o model.Outcome) (model.Order, error)
	NextDue(ctx context.Context) (time.Time, bool, error)
	Retry(ctx context.Context, now time.Time, by string, ids ...string) (int, error)
	RetryFailed(ctx context.Context, now time.Time, by string) (int, error)
	Counts(ctx context.Context) (map[model.Status]int, error)
	// Get reads one order back: Retry publishes the retried orders' new rows.
	Get(ctx context.Context, orderID string) (model.Order, error)
	// GiveUp hands orders retrying since before cutoff to a person.
	GiveUp(ctx context.Context, cutoff time.Time, reason string) ([]string, error)
}

// Caller sends one TOP call; *top.Client satisfies it.
type Caller interface {
	Call(ctx context.Context, method string, params map[string]string, logAttrs ...slog.Attr) (*top.Response, error)
}

// Config tunes the uploader. Zero values take the defaults below.
type Config struct {
	Workers     int           // calls in flight at once; default 4
	RateLimit   float64       // calls per second, 0 = no client-side limit
	BackoffBase time.Duration // first retry waits up to this (full jitter); default 2s
	BackoffCap  time.Duration // no retry waits longer than this; default 5m
	// Lease is how long a claimed order stays "uploading" before it counts as abandoned. It must
	// outlast the longest call (client timeout) plus the wait for a rate-limit token, so it is
	// never renewed; default 5m.
	Lease time.Duration
	Seed  int64 // seeds the jitter; 0 = from the clock
	// GiveUpAfter is how long an order may keep retrying by itself before it is handed to a
	// person (it can still be retried by hand); default 24h.
	GiveUpAfter time.Duration
	// UnreachableAfter is how many failures in a row to reach the gateway at all mean head office
	// cannot be reached; default 3. ProbeCap bounds the wait between probes then; default 1m.
	UnreachableAfter int
	ProbeCap         time.Duration
}

// Defaults of Config.
const (
	DefaultWorkers          = 4
	DefaultBackoffBase      = 2 * time.Second
	DefaultBackoffCap       = 5 * time.Minute
	DefaultLease            = 5 * time.Minute
	DefaultGiveUpAfter      = 24 * time.Hour
	DefaultUnreachableAfter = 3
	DefaultProbeCap         = time.Minute
)

// firstProbe is the wait before the first probe once head office cannot be reached; each
// probe that fails doubles it, up to Config.ProbeCap.
const firstProbe = 2 * time.Second

// giveUpEvery paces the search for orders retrying too long.
const giveUpEvery = time.Minute

const (
	// quotaBan: a ban this long means the day's call quota is spent (top-protocol.md), which a
	// supervisor must be told about instead of watching a countdown of hours.
	quotaBan = time.Hour
	// maxBan bounds a ban we honour, whatever number the gateway sent.
	maxBan = 48 * time.Hour
	// banMargin is added to the gateway's ban: it says whole seconds, counted from when it
	// answered, so without a margin the first call after our countdown could land inside it.
	banMargin = 250 * time.Millisecond
	// idlePoll bounds how long an idle dispatcher sleeps without being woken: a safety net only,
	// since every change that matters (Notify, Retry, an outcome, NextDue's time) wakes it.
	idlePoll = 15 * time.Second
	// recordTimeout bounds writing an outcome after the call, which must happen even when Run's
	// context has ended (the call happened; the journal must say so).
	recordTimeout = 30 * time.Second
	// minBatch is the fewest orders claimed in one transaction when workers are free.
	minBatch = 8
	// maxMessage bounds the gateway's words or a transport error kept in the journal.
	maxMessage = 300
)

// ErrRunning is returned by Run when the uploader is already running: two senders for one queue
// is how duplicates happen.
var ErrRunning = errors.New("sync: the uploader is already running")

// pauseInfo is why the uploader stopped calling until a person acts (or, for a spent quota,
// until the ban ends).
type pauseInfo struct {
	reason  string
	code    int
	subCode string
	detail  string // the gateway's own words
	cause   model.Cause
	quota   bool // lifts itself when the ban ends
	// diskFull: the journal cannot be written for lack of space. It lifts itself at the first
	// write that succeeds, tried at a growing interval (Uploader.diskEvery).
	diskFull bool
}

// The waits between tries to write a full journal again: short at first (a supervisor who
// freed space wants to see it work), growing to a cap that costs nothing.
const (
	firstDiskRetry = time.Second
	diskRetryCap   = 30 * time.Second
)

// diskFullWords is the pause's reason: what happened, what to do, and that nothing is lost.
const diskFullWords = "the disk holding the journal is full: free space on it; nothing typed is lost, and uploading resumes by itself"

// unreachable is head office out of reach: why, since when, and when to try again. While it
// lasts one order at a time probes, at a growing interval, instead of every due order at the
// rate limit; the first answer of the gateway ends it.
type unreachable struct {
	cause     model.Cause
	reason    string
	since     time.Time
	every     time.Duration
	nextProbe time.Time
}

// Uploader sends journaled orders to the gateway. Create it with New, start it with Run.
type Uploader struct {
	store   Store
	caller  Caller
	cfg     Config
	log     *slog.Logger
	limiter *rate.Limiter
	wake    chan struct{}
	settled chan struct{} // poked when the uploader may have settled, for Drain
	running atomic.Bool

	mu          gosync.Mutex
	active      bool // Run released leases and dispatches
	inFlight    int
	pause       *pauseInfo
	bannedUntil time.Time
	ban         pauseInfo // code/sub_code/reason of the current ban
	quiet       bool      // nothing claimable, nothing in flight, nothing scheduled: Drain may stop
	misses      int       // failures to reach the gateway at all, in a row
	unreach     *unreachable
	probeOut    bool // a probe is in flight
	nextGiveUp  time.Time
	// unrecorded are outcomes of calls made whose writing to the journal failed for lack of
	// space: their orders stay "uploading" until these are written, before anything else is.
	unrecorded  []model.Outcome
	diskEvery   time.Duration // the wait before the next try to write a full journal
	diskRetryAt time.Time
	diskTrouble bool // a write failed for lack of space and none has succeeded since
	fails       map[string]int
	rng         *rand.Rand
	subs        map[*subscriber]struct{}
	last        model.UploadState
}

// New builds an uploader. log may be nil.
func New(store Store, caller Caller, cfg Config, log *slog.Logger) *Uploader {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = DefaultBackoffBase
	}
	if cfg.BackoffCap <= 0 {
		cfg.BackoffCap = DefaultBackoffCap
	}
	if cfg.BackoffCap < cfg.BackoffBase {
		cfg.BackoffCap = cfg.BackoffBase
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.GiveUpAfter <= 0 {
		cfg.GiveUpAfter = DefaultGiveUpAfter
	}
	if cfg.UnreachableAfter <= 0 {
		cfg.UnreachableAfter = DefaultUnreachableAfter
	}
	if cfg.ProbeCap <= 0 {
		cfg.ProbeCap = DefaultProbeCap
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u := &Uploader{
		store:   store,
		caller:  caller,
		cfg:     cfg,
		log:     log,
		wake:    make(chan struct{}, 1),
		settled: make(chan struct{}, 1),
		fails:   make(map[string]int),
		rng:     rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15)),
		subs:    make(map[*subscriber]struct{}),
	}
	if cfg.RateLimit > 0 {
		// Burst 1: the gateway's frequency limit counts calls, not averages, so never send a
		// saved-up burst after an idle spell.
		u.limiter = rate.NewLimiter(rate.Limit(cfg.RateLimit), 1)
	}
	u.last = u.stateLocked(time.Now())
	return u
}

// Notify says a new or edited order was journaled: look now.
func (u *Uploader) Notify() {
	u.mu.Lock()
	u.quiet = false
	u.mu.Unlock()
	u.poke()
}

// settle tells a waiting Drain to look again (the state as published may not have changed).
func (u *Uploader) settle() {
	select {
	case u.settled <- struct{}{}:
	default:
	}
}

func (u *Uploader) poke() {
	select {
	case u.wake <- struct{}{}:
	default:
	}
}

// State returns the uploader's state now.
func (u *Uploader) State() model.UploadState {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.stateLocked(time.Now())
}

func (u *Uploader) stateLocked(now time.Time) model.UploadState {
	s := model.UploadState{InFlight: u.inFlight}
	switch {
	case !u.active:
		s.Mode = model.ModeStopped
	case u.pause != nil:
		s.Mode, s.Reason, s.Code, s.SubCode, s.Cause = model.ModePaused, u.pause.reason, u.pause.code, u.pause.subCode, u.pause.cause
		s.Detail = u.pause.detail
		if u.pause.quota {
			s.BannedUntil = u.bannedUntil
		}
	case u.unreach != nil:
		s.Mode, s.Reason, s.Cause, s.Since = model.ModeUnreachable, u.unreach.reason, u.unreach.cause, u.unreach.since
	case now.Before(u.bannedUntil):
		s.Mode, s.Reason, s.Code, s.SubCode = model.ModeBanned, u.ban.reason, u.ban.code, u.ban.subCode
		s.BannedUntil = u.bannedUntil
	case u.inFlight > 0:
		s.Mode = model.ModeUploading
	default:
		s.Mode = model.ModeIdle
	}
	return s
}

// changedLocked publishes the state if it differs from the last one published.
func (u *Uploader) changedLocked() {
	s := u.stateLocked(time.Now())
	if s == u.last {
		return
	}
	u.last = s
	u.publishLocked(model.Event{State: s})
}

// Resume clears a pause; orders left waiting are due now, so the dispatcher looks at once. A ban
// the gateway announced still runs to its end: calling earlier would only extend it.
func (u *Uploader) Resume() {
	u.mu.Lock()
	u.pause = nil
	u.quiet = false
	if u.unreach != nil {
		u.unreach.nextProbe = time.Now() // a person asks: probe now, not at the next interval
	}
	u.changedLocked()
	u.mu.Unlock()
	u.poke()
}

// Retry makes the given orders due now (retrying or rejected ones), resets their backoff and
// clears a pause.
func (u *Uploader) Retry(ctx context.Context, by string, ids ...string) error {
	if _, err := u.store.Retry(ctx, time.Now(), by, ids...); err != nil {
		return fmt.Errorf("sync: retry %d orders: %w", len(ids), err)
	}
	u.mu.Lock()
	for _, id := range ids {
		delete(u.fails, id)
	}
	u.mu.Unlock()
	u.publishOrders(ctx, ids)
	u.Resume()
	return nil
}

// RetryFailed makes every retrying or rejected order due now, resets all backoff and clears a
// pause.
func (u *Uploader) RetryFailed(ctx context.Context, by string) (int, error) {
	n, err := u.store.RetryFailed(ctx, time.Now(), by)
	if err != nil {
		return 0, fmt.Errorf("sync: retry failed orders: %w", err)
	}
	u.mu.Lock()
	clear(u.fails)
	u.mu.Unlock()
	u.Resume()
	return n, nil
}

// publishOrders sends the orders' new rows (retried or given up). RetryFailed publishes nothing per order:
// its caller reloads, and every order's claim follows at once anyway.
func (u *Uploader) publishOrders(ctx context.Context, ids []string) {
	for _, id := range ids {
		o, err := u.store.Get(ctx, id)
		if err != nil {
			continue
		}
		u.publishOrder(&o)
	}
}

// Run releases the leases a crash left, then claims and uploads due orders until ctx ends. It
// returns nil when ctx ends, and an error only when it could not start.
func (u *Uploader) Run(ctx context.Context) error {
	if !u.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer u.running.Store(false)

	n, err := u.store.ReleaseLeases(ctx)
	if err != nil {
		return fmt.Errorf("sync: release leases left by a crash: %w", err)
	}
	if n > 0 {
		u.log.Info("released leases left by an earlier run: those orders will be re-sent under the same order_id", "orders", n)
	}
	u.mu.Lock()
	u.active = true
	u.quiet = false
	u.changedLocked()
	u.mu.Unlock()

	jobs := make(chan model.Order, u.capacity())
	var wg gosync.WaitGroup
	for range u.cfg.Workers {
		wg.Go(func() {
			for o := range jobs {
				u.upload(ctx, o)
			}
		})
	}
	u.dispatch(ctx, jobs)
	close(jobs)
	wg.Wait()
	// A last try for outcomes the full disk kept out: what stays unwritten is re-sent under the
	// same order_id at the next start, which the gateway confirms as already held.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	if err := u.flushUnrecorded(fctx); err != nil {
		u.log.Error("sync: outcomes not written at stop: their orders are re-sent at the next start", "err", err)
	}
	cancel()

	u.mu.Lock()
	u.active = false
	u.changedLocked()
	u.mu.Unlock()
	return nil
}

// dispatch claims due orders for free workers and sleeps until something can change: a wake-up
// (Notify, Retry, Resume, an outcome), the next order's due time, or a ban's end.
func (u *Uploader) dispatch(ctx context.Context, jobs chan<- model.Order) {
	var stuck, dbFails int
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if ctx.Err() != nil {
			return
		}
		wait := u.dispatchOnce(ctx, jobs, &stuck, &dbFails)
		if wait == 0 {
			continue
		}
		var tc <-chan time.Time
		if wait > 0 {
			timer.Reset(wait)
			tc = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-u.wake:
		case <-tc:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// giveUp hands to a person the orders that have been retrying longer than GiveUpAfter, now and
// then: they can still be retried by hand, but nothing retries unseen for ever.
func (u *Uploader) giveUp(ctx context.Context, now time.Time) {
	u.mu.Lock()
	due := !now.Before(u.nextGiveUp)
	if due {
		u.nextGiveUp = now.Add(min(giveUpEvery, u.cfg.GiveUpAfter/4))
	}
	u.mu.Unlock()
	if !due {
		return
	}
	reason := fmt.Sprintf("gave up after retrying for %s", u.cfg.GiveUpAfter)
	ids, err := u.store.GiveUp(ctx, now.Add(-u.cfg.GiveUpAfter), reason)
	if err != nil {
		if ctx.Err() == nil {
			u.log.Error("sync: give up on old retries", "err", err)
		}
		return
	}
	if len(ids) == 0 {
		return
	}
	u.log.Warn("sync: orders retried too long are handed to a person", "orders", len(ids), "give_up_after", u.cfg.GiveUpAfter)
	u.publishOrders(ctx, ids)
}

// capacity is how many orders may be claimed and unfinished at once: every worker busy and a
// batch queued behind them. Under a rate limit the queue is at most about a second's worth of
// tokens, so a claimed order waits for its token far inside its lease.
func (u *Uploader) capacity() int {
	batch := max(u.cfg.Workers, minBatch)
	if u.limiter != nil {
		batch = min(batch, max(1, int(u.cfg.RateLimit)))
	}
	return u.cfg.Workers + batch
}

// dispatchOnce does one round and says how long to sleep: 0 = go again at once, <0 = until woken.
func (u *Uploader) dispatchOnce(ctx context.Context, jobs chan<- model.Order, stuck, dbFails *int) time.Duration {
	now := time.Now()
	u.mu.Lock()
	if u.pause != nil && u.pause.quota && !now.Before(u.bannedUntil) {
		u.log.Info("the gateway's long ban is over: uploading resumes")
		u.pause = nil
	}
	diskFull, retryAt, unrecorded := u.pause != nil && u.pause.diskFull, u.diskRetryAt, len(u.unrecorded) > 0
	u.changedLocked()
	u.mu.Unlock()
	if diskFull && now.Before(retryAt) {
		return retryAt.Sub(now)
	}
	if diskFull || unrecorded {
		if err := u.flushUnrecorded(ctx); err != nil {
			if ctx.Err() != nil {
				return 0
			}
			if !errors.Is(err, model.ErrDiskFull) {
				u.log.Error("sync: write outcomes kept while the disk was full", "err", err)
				return 5 * time.Second
			}
			u.mu.Lock()
			u.diskFullLocked(err, now, true)
			wait := u.diskRetryAt.Sub(now)
			u.mu.Unlock()
			return wait
		}
		u.mu.Lock()
		if u.pause != nil && u.pause.diskFull {
			// Try again: the outcomes kept are written (if any were), and the claim below writes
			// too, which pauses again at once should the disk still be full.
			u.pause = nil
		}
		u.mu.Unlock()
	}
	u.mu.Lock()
	u.changedLocked()
	paused, bannedUntil, inFlight := u.pause != nil, u.bannedUntil, u.inFlight
	probing, nextProbe := u.unreach != nil, time.Time{}
	if probing {
		nextProbe = u.unreach.nextProbe
	}
	u.mu.Unlock()
	u.giveUp(ctx, now)

	switch {
	case paused && now.Before(bannedUntil):
		return bannedUntil.Sub(now)
	case paused:
		return -1
	case now.Before(bannedUntil):
		return bannedUntil.Sub(now)
	case inFlight > u.cfg.Workers:
		return -1 // orders are still queued for the workers; an outcome will wake us
	case probing && inFlight > 0:
		return -1 // a probe (or a call from before) is out: its outcome wakes us
	case probing && now.Before(nextProbe):
		return nextProbe.Sub(now)
	}

	// Claim a batch beyond the idle workers: every claim is a durable (fsynced) transaction, so
	// claiming one order per outcome would double the journal's work per order. The batch waits
	// at most a few calls for a worker, well inside its lease. While head office cannot be
	// reached, one order probes instead of every due order at the rate limit.
	limit := u.capacity() - inFlight
	if probing {
		limit = 1
	}
	if limit <= 0 {
		return -1
	}
	orders, err := u.store.Claim(ctx, time.Now(), limit, u.cfg.Lease)
	if errors.Is(err, model.ErrDiskFull) {
		u.mu.Lock()
		u.diskFullLocked(err, now, true)
		wait := u.diskRetryAt.Sub(now)
		u.mu.Unlock()
		return wait
	}
	if err != nil {
		if ctx.Err() != nil {
			return 0
		}
		*dbFails++
		d := min(100*time.Millisecond<<min(*dbFails, 8), 15*time.Second)
		u.log.Error("sync: claim due orders", "err", err, "retry_in", d)
		return d
	}
	*dbFails = 0
	u.mu.Lock()
	u.wroteLocked() // the claim wrote: the disk has space
	u.mu.Unlock()
	if len(orders) > 0 {
		*stuck = 0 // progress: whatever NextDue says next is news
		u.mu.Lock()
		u.inFlight += len(orders)
		u.quiet = false
		u.changedLocked()
		u.mu.Unlock()
		for i := range orders {
			o := orders[i]
			u.publishOrder(&o)
			jobs <- orders[i] // never blocks: at most capacity() claimed and unfinished
		}
	}
	if len(orders) == limit {
		*stuck = 0
		return 0 // there may be more due
	}

	next, ok, err := u.store.NextDue(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return 0
		}
		u.log.Error("sync: next due order", "err", err)
		return 5 * time.Second
	}
	if !ok {
		*stuck = 0
		u.mu.Lock()
		if u.inFlight == 0 {
			u.quiet = true
			u.settle()
			u.changedLocked()
		}
		u.mu.Unlock()
		return idlePoll
	}
	d := time.Until(next)
	if d > 0 {
		*stuck = 0
		return min(d, idlePoll)
	}
	// Something is due yet Claim returned less than asked: usually an order that fell due between
	// the two queries. Should the journal keep saying so (a void whose original is not uploaded,
	// counted as due by NextDue but not claimable), back off instead of spinning.
	*stuck++
	if *stuck == 1 {
		return 0
	}
	u.mu.Lock()
	if u.inFlight == 0 {
		u.quiet = true // nothing this uploader can send will change that by itself
		u.settle()
		u.changedLocked()
	}
	u.mu.Unlock()
	return min(50*time.Millisecond<<min(*stuck, 10), 5*time.Second)
}

// diskFullLocked pauses the uploader because the journal could not be written for lack of
// space (err), or, when it already is, waits longer before the next try. A pause that needs a
// person stays: it says more than this one.
//
// retried says the dispatcher's own try failed, which doubles the wait; the failures of calls
// in flight when the disk filled up leave it as it is.
func (u *Uploader) diskFullLocked(err error, now time.Time, retried bool) {
	entering := u.pause == nil || u.pause.quota
	if entering {
		u.pause = &pauseInfo{diskFull: true, cause: model.CauseDiskFull, reason: diskFullWords}
	}
	if !u.diskTrouble {
		u.diskTrouble = true
		u.log.Error("sync: the journal cannot be written: the disk is full; uploading waits for space", "err", err)
	}
	switch {
	case u.diskEvery == 0:
		u.diskEvery = firstDiskRetry
	case retried:
		u.diskEvery = min(2*u.diskEvery, diskRetryCap)
	case !entering:
		u.changedLocked()
		return
	}
	u.diskRetryAt = now.Add(u.diskEvery)
	u.changedLocked()
}

// flushUnrecorded writes the outcomes a full disk kept out, oldest first, and publishes their
// orders. It stops at the first that fails for lack of space; one whose order is no longer
// claimed (released meanwhile) is dropped: the journal holds the newer truth.
func (u *Uploader) flushUnrecorded(ctx context.Context) error {
	for {
		u.mu.Lock()
		if len(u.unrecorded) == 0 {
			u.mu.Unlock()
			return nil
		}
		out := u.unrecorded[0]
		u.mu.Unlock()
		rec, err := u.store.Record(ctx, out)
		switch {
		case errors.Is(err, model.ErrDiskFull):
			return err
		case err != nil && !errors.Is(err, model.ErrNotEditable):
			return err
		}
		u.mu.Lock()
		u.unrecorded = u.unrecorded[1:]
		if err == nil {
			u.wroteLocked()
		}
		u.mu.Unlock()
		if err == nil {
			u.publishOrder(&rec)
		}
	}
}

// wroteLocked notes a write to the journal that succeeded: a disk that was full has space again.
func (u *Uploader) wroteLocked() {
	if u.diskTrouble {
		u.diskTrouble = false
		u.log.Info("sync: the journal can be written again: uploading resumes")
	}
	u.diskEvery = 0
}
