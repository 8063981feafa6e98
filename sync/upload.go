package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	"banksale/model"
	"banksale/sync/top"
)

// Attempt outcomes as the journal keeps them.
const (
	outcomeUploaded = "uploaded"
	outcomeRetrying = "retrying"
	outcomeRejected = "rejected"
	outcomePaused   = "paused"
)

// classNotSent marks an attempt row for an order that was claimed but never sent (the uploader
// paused, a ban began or Run ended between claim and call): the journal must still move it out of
// "uploading", and it must not look like a gateway answer.
const classNotSent = "not-sent"

// upload sends one claimed order and records what became of it.
func (u *Uploader) upload(ctx context.Context, o model.Order) {
	n := o.Attempts + 1
	attrs := []slog.Attr{slog.String("order_id", o.OrderID), slog.Int("attempt", n)}

	var out model.Outcome
	var eff effect
	for {
		if u.limiter != nil {
			// The token is taken by the worker just before its call, not at claim time, so a slow
			// claim transaction never wastes a token and the achieved rate stays at the limit.
			_ = u.limiter.Wait(ctx) // fails only when ctx ends, which blocked reports
		}
		why, until, wait, probe := u.blocked(ctx, o)
		if wait > 0 {
			// A short ban: wait it out holding the claim (nothing was tried, so nothing is written),
			// then take a fresh token, so workers do not all fire at once when it ends.
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
			continue
		}
		if why != "" {
			out = notSent(o, why, until)
			break
		}
		params := map[string]string{"pos_bank_sale_info_dto": string(o.Payload)}
		start := time.Now()
		resp, err := u.caller.Call(ctx, Method, params, attrs...)
		out, eff = u.judge(o, resp, err, start)
		eff.probe = probe
		break
	}
	u.apply(eff)

	// The call happened (or the order was claimed): the journal must say so even when Run's
	// context has just ended, or the order would sit "uploading" until the next start.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	rec, err := u.store.Record(rctx, out)
	cancel()

	u.mu.Lock()
	u.inFlight--
	switch {
	case errors.Is(err, model.ErrNotEditable):
		// The order is no longer ours (its lease was released meanwhile): the journal holds the
		// newer truth and the order will be claimed again; nothing to stop for.
		u.log.Warn("sync: outcome of an order no longer claimed not recorded", "order_id", o.OrderID, "status", out.Status, "err", err)
	case errors.Is(err, model.ErrDiskFull):
		// The call happened: keep its outcome until the journal can take it, and wait for space.
		u.unrecorded = append(u.unrecorded, out)
		u.diskFullLocked(err, time.Now(), false)
	case err != nil:
		// The journal cannot be written (file gone, damaged). Carrying on would send orders
		// whose outcome cannot be kept; stop and say so. The order stays "uploading" until the
		// next start releases it, and is then re-sent under the same order_id.
		u.log.Error("sync: record outcome", "order_id", o.OrderID, "status", out.Status, "err", err)
		if u.pause == nil {
			u.pause = &pauseInfo{reason: "banksale could not write to its journal (" + short(err.Error()) +
				"): check the disk, restart banksale, then press R"}
		}
	case out.Status == model.StatusUploaded || out.Status == model.StatusRejected:
		delete(u.fails, o.OrderID)
	}
	if err == nil {
		u.wroteLocked()
	}
	if u.inFlight == 0 && u.pause != nil {
		u.settle()
	}
	u.changedLocked()
	u.mu.Unlock()
	if err == nil {
		u.publishOrder(&rec)
	}
	// A failure to reach the gateway is logged when head office becomes unreachable, once; not
	// for each attempt (50,000 orders behind a closed port once grew the log 0.9 GB a day).
	u.logOutcome(o, n, out, attrs, eff.missed)
	u.poke()
}

// blocked says whether an order claimed a moment ago may be sent now: wait > 0 for a short ban
// to wait out; why != "" when it goes back to the journal, due at until — a pause, the end of Run,
// or a ban that would outlast the order's lease.
//
// While head office cannot be reached one call at a time is the probe; an order claimed before
// it became unreachable, or while a probe is out, goes back to wait for the probe's answer.
func (u *Uploader) blocked(ctx context.Context, o model.Order) (why string, until time.Time, wait time.Duration, probe bool) {
	now := time.Now()
	if ctx.Err() != nil {
		return model.NotSentStopping, now, 0, false
	}
	u.mu.Lock()
	paused, bannedUntil := u.pause != nil, u.bannedUntil
	if !paused && !now.Before(bannedUntil) && u.unreach != nil {
		if u.probeOut || now.Before(u.unreach.nextProbe) {
			next := u.unreach.nextProbe
			u.mu.Unlock()
			return model.NotSentUnreachable, next, 0, false
		}
		u.probeOut, probe = true, true
	}
	u.mu.Unlock()
	switch {
	case paused:
		return model.NotSentPaused, now, 0, false
	case !now.Before(bannedUntil):
		return "", time.Time{}, 0, probe
	case !o.LeaseUntil.IsZero() && bannedUntil.After(o.LeaseUntil.Add(-u.cfg.Lease/4)):
		return model.NotSentCallLimit, bannedUntil, 0, false
	}
	return "", time.Time{}, bannedUntil.Sub(now), false
}

func notSent(o model.Order, why string, due time.Time) model.Outcome {
	return model.Outcome{
		OrderID:       o.OrderID,
		Status:        model.StatusRetrying,
		NextAttemptAt: due,
		Attempt: model.Attempt{
			OrderID:   o.OrderID,
			StartedAt: time.Now(),
			Outcome:   outcomeRetrying,
			Class:     classNotSent,
			Message:   why,
		},
	}
}

// effect is what an outcome does to the uploader as a whole.
type effect struct {
	pause    *pauseInfo
	banUntil time.Time
	ban      pauseInfo
	// reached: the gateway answered (anything, even a refusal): it can be reached. missed: the
	// call failed to reach it at all, for cause.
	reached bool
	missed  bool
	cause   model.Cause
	why     string
	probe   bool // the call was the probe while head office could not be reached
}

// judge maps a call's result to the order's new status and the uploader's reaction. The
// catalogue (sync/top) says what the answer is; judge says what it means for this order: above
// all, a duplicate answer is this sale reaching head office only when an earlier attempt may
// have got through (Order.MaybeAtGateway); otherwise another sale holds the order number there.
func (u *Uploader) judge(o model.Order, resp *top.Response, err error, start time.Time) (model.Outcome, effect) {
	now := time.Now()
	out := model.Outcome{
		OrderID: o.OrderID,
		Attempt: model.Attempt{OrderID: o.OrderID, StartedAt: start, Latency: now.Sub(start)},
	}
	if err == nil {
		out.Status = model.StatusUploaded
		out.Attempt.Outcome = outcomeUploaded
		if resp != nil {
			out.Attempt.RequestID = resp.RequestID
			if resp.Latency > 0 {
				out.Attempt.Latency = resp.Latency
			}
		}
		return out, effect{reached: true}
	}

	var te *top.Error
	if !errors.As(err, &te) {
		// The contract says every failure is a *top.Error; anything else tells us nothing about
		// whether the gateway took the order.
		te = &top.Error{Kind: top.KindNoAnswer, Class: top.ClassAmbiguous, Err: err}
	}
	row := top.RowOf(te.Kind)
	if te.Latency > 0 {
		out.Attempt.Latency = te.Latency
	}
	out.Attempt.Class = te.Class.String()
	out.Attempt.Code = te.Code
	out.Attempt.SubCode = te.SubCode
	out.Attempt.RequestID = te.RequestID
	out.Attempt.Message = message(te)
	out.Attempt.Answer = te.Answer
	// Any answer over HTTP that is not a failure to reach the gateway shows it can be reached; no
	// answer at all (a timeout after sending) shows neither.
	eff := effect{reached: te.HTTPStatus != 0 && !row.Unreachable}

	switch te.Class {
	case top.ClassDuplicate:
		if o.MaybeAtGateway {
			// An earlier attempt got through but its answer was lost: head office has this very
			// sale, which is the success we were waiting for.
			out.Status = model.StatusUploaded
			out.Attempt.Outcome = outcomeUploaded
			return out, eff
		}
		// No earlier attempt can have reached the gateway: another sale holds this order number
		// at head office. Uploaded would lose this sale; it needs a new order number (the
		// duplicate class, with a rejection, says so wherever it is shown).
		out.Status = model.StatusRejected
		out.Attempt.Outcome = outcomeRejected
		return out, eff

	case top.ClassRejected:
		out.Status = model.StatusRejected
		out.Attempt.Outcome = outcomeRejected
		out.AtGateway = model.AtGatewayNot // a definite refusal of these bytes: the gateway does not hold them
		return out, eff

	case top.ClassThrottled:
		ban := te.Ban
		if ban <= 0 {
			ban = top.DefaultBan
		}
		ban = min(ban, maxBan)
		until := now.Add(ban + banMargin)
		out.Status = model.StatusRetrying
		out.NextAttemptAt = until
		out.Attempt.Outcome = outcomeRetrying
		eff.banUntil = until
		eff.ban = pauseInfo{
			code: te.Code, subCode: te.SubCode,
			reason: fmt.Sprintf("The gateway's call limit was reached (code %d): uploading waits until %s, then resumes by itself",
				te.Code, until.In(model.CST).Format("15:04:05")),
		}
		if ban >= quotaBan {
			out.Attempt.Outcome = outcomePaused
			eff.pause = &pauseInfo{
				code: te.Code, subCode: te.SubCode, quota: true, cause: model.CauseQuota,
				reason: fmt.Sprintf("The gateway's daily call quota is spent (code %d): uploading resumes by itself at %s Beijing time; nothing is lost meanwhile",
					te.Code, until.In(model.CST).Format("2006-01-02 15:04")),
			}
		}
		return out, eff

	case top.ClassConfiguration, top.ClassProgramming:
		// The gateway did not judge this order at all: it goes back to the queue, due now, and
		// the whole uploader stops until a person fixes the cause, instead of failing every order.
		out.Status = model.StatusRetrying
		out.NextAttemptAt = now
		out.Attempt.Outcome = outcomePaused
		eff.pause = &pauseInfo{reason: pauseReason(te, now), code: te.Code, subCode: te.SubCode, cause: causeOf(te),
			detail: short(firstNonEmpty(te.SubMsg, te.Msg))}
		return out, eff
	}
	// Transient, ambiguous: the same bytes under the same order_id are safe to re-send.
	if te.Class == top.ClassAmbiguous {
		out.AtGateway = model.AtGatewayMaybe
	}
	u.mu.Lock()
	u.fails[o.OrderID]++
	f := u.fails[o.OrderID]
	d := backoff(u.cfg.BackoffBase, u.cfg.BackoffCap, f, u.rng.Int64N)
	u.mu.Unlock()
	out.Status = model.StatusRetrying
	out.NextAttemptAt = now.Add(d)
	out.Attempt.Outcome = outcomeRetrying
	if row.Unreachable {
		eff.missed, eff.cause, eff.why = true, causeOf(te), row.Sentence
	}
	return out, eff
}

// causeOf is what a person must fix, or what stops the calls, for an answer.
func causeOf(e *top.Error) model.Cause {
	switch e.Kind {
	case top.KindIPWhitelist:
		return model.CauseIPWhitelist
	case top.KindPlatform:
		return model.CausePlatform
	case top.KindCertificate:
		return model.CauseCertificate
	case top.KindProxyAuth:
		return model.CauseProxy
	case top.KindWebPage:
		return model.CauseWebPage
	case top.KindNoName:
		return model.CauseName
	case top.KindNetworkDown, top.KindNotSent:
		return model.CauseNetwork
	}
	return model.CauseOf(e.Code)
}

// apply makes an outcome's effect on the whole uploader: a ban stops every worker from calling
// until it ends, a pause until a person acts. Several calls in flight may report the same cause;
// the first pause's words stay, the latest ban end wins. Failures to reach the gateway at all,
// UnreachableAfter in a row, mean head office cannot be reached: said once, then probed for; the
// gateway's first answer ends it.
func (u *Uploader) apply(eff effect) {
	u.mu.Lock()
	defer u.mu.Unlock()
	now := time.Now()
	if eff.probe {
		u.probeOut = false
	}
	switch {
	case eff.reached:
		u.misses = 0
		if u.unreach != nil {
			u.log.Info("sync: head office answers again: uploading at full speed",
				"unreachable_for", now.Sub(u.unreach.since).Round(time.Second))
			u.unreach = nil
			u.poke()
		}
	case eff.missed:
		u.misses++
		switch {
		case u.unreach != nil && eff.probe:
			u.unreach.every = min(2*u.unreach.every, u.cfg.ProbeCap)
			u.unreach.nextProbe = now.Add(u.unreach.every)
			u.unreach.cause, u.unreach.reason = eff.cause, eff.why
		case u.unreach == nil && u.misses >= u.cfg.UnreachableAfter:
			every := min(firstProbe, u.cfg.ProbeCap)
			u.unreach = &unreachable{cause: eff.cause, reason: eff.why, since: now, every: every, nextProbe: now.Add(every)}
			u.log.Warn("sync: head office cannot be reached: probing with one order at a time", "reason", eff.why)
		}
	}
	if eff.banUntil.After(u.bannedUntil) {
		u.bannedUntil = eff.banUntil
		u.ban = eff.ban
	}
	if eff.pause != nil && (u.pause == nil || (u.pause.quota && !eff.pause.quota)) {
		u.pause = eff.pause
		u.log.Warn("sync: uploader paused", "reason", eff.pause.reason, "code", eff.pause.code, "sub_code", eff.pause.subCode)
	}
	u.changedLocked()
}

// backoff is capped exponential backoff with full jitter: uniform in [0, min(cap, base·2^(failures-1))].
// Full jitter spreads a crowd of orders that failed together (a gateway outage) over the whole
// window instead of sending them back in lock-step.
func backoff(base, ceiling time.Duration, failures int, int64n func(int64) int64) time.Duration {
	if failures < 1 {
		failures = 1
	}
	d := base
	for i := 1; i < failures && d < ceiling; i++ {
		d *= 2
	}
	if d > ceiling || d <= 0 {
		d = ceiling
	}
	return time.Duration(int64n(int64(d) + 1))
}

// message is the gateway's words, or the transport error, kept short for the journal. A
// transport error keeps its innermost cause ("request not sent: connection refused"), which
// is what a supervisor phoning IT needs to say; it used to stay in the log alone.
func message(e *top.Error) string {
	var m string
	switch {
	case e.SubMsg != "":
		m = e.SubMsg
	case e.Msg != "" && e.Err != nil && e.Code == 0:
		// the transport's failure in the journal's words, which a screen knows how to translate
		m = map[string]string{top.MsgNotSent: model.RequestNotSent, top.MsgNoAnswer: model.NoCompleteAnswer}[e.Msg]
		if m == "" {
			m = e.Msg
		}
		m += ": " + rootCause(e.Err)
	case e.Msg != "":
		m = e.Msg
	case e.Err != nil:
		m = e.Err.Error()
	default:
		m = e.Error()
	}
	return short(m)
}

// rootCause is the innermost error's words: "connection refused" rather than the dial's whole
// chain of addresses.
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

func short(s string) string {
	if utf8.RuneCountInString(s) <= maxMessage {
		return s
	}
	r := []rune(s)
	return string(r[:maxMessage-1]) + "…"
}

// pauseReason says, in words a supervisor can act on, why uploading stopped and what to do.
func pauseReason(e *top.Error, now time.Time) string {
	code := ""
	if e.Code != 0 {
		code = fmt.Sprintf(" (code %d)", e.Code)
	}
	switch e.Kind {
	case top.KindIPWhitelist:
		// Its sub_msg names the address to add.
		return "The gateway does not accept calls from this store's internet address" + code + ": " + short(firstNonEmpty(e.SubMsg, e.Msg)) +
			". Ask head office to add it to the app's IP whitelist, then press R"
	case top.KindPlatform:
		return "The gateway refused the app itself, not the order" + code + ": " + short(firstNonEmpty(e.SubMsg, e.Msg)) +
			". Ask head office about it, then press R"
	case top.KindCertificate, top.KindProxyAuth, top.KindWebPage:
		return top.RowOf(e.Kind).Sentence
	}
	switch model.CauseOf(e.Code) {
	case model.CauseSignature:
		return "The gateway refused the signature" + code + ": check app_secret and sign_method in config.toml, then start banksale again"
	case model.CauseSession:
		return "The gateway refused the session" + code + " (it may have expired): put a new session in config.toml, then start banksale again"
	case model.CauseAppKey:
		return "The gateway does not know this app key" + code + ": check app_key in config.toml, then start banksale again"
	case model.CauseClock:
		return "The gateway refused the time of the request" + code + ": this computer's clock must be within 10 minutes of Beijing time, and it says " +
			now.In(model.CST).Format(model.TimeLayout) + " Beijing time. Set the clock right, then press R"
	case model.CausePermission:
		return "The gateway says this app may not upload bank sales" + code + ": ask head office to grant " + Method + " to the app, then press R"
	case model.CauseForbidden:
		return "The gateway forbade the request" + code + ": ask head office to check this app's access, then press R"
	}
	if e.Class == top.ClassConfiguration && e.Code == 0 && e.HTTPStatus != 0 {
		return fmt.Sprintf("The gateway address answered HTTP %d instead of the TOP gateway: check url under [gateway] in config.toml, then start banksale again", e.HTTPStatus)
	}
	if e.Class == top.ClassProgramming {
		return "The gateway did not understand banksale's request" + code + ": " + short(firstNonEmpty(e.SubMsg, e.Msg)) +
			". This needs a fix to banksale: call support; press R to try again"
	}
	return "The gateway refused banksale's settings" + code + ": " + short(firstNonEmpty(e.SubMsg, e.Msg, e.Error())) +
		". Check config.toml, then start banksale again"
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func (u *Uploader) logOutcome(o model.Order, n int, out model.Outcome, attrs []slog.Attr, quiet bool) {
	attrs = append(attrs, slog.String("status", string(out.Status)))
	a := out.Attempt
	if a.Class != "" {
		attrs = append(attrs, slog.String("class", a.Class))
	}
	if a.Code != 0 {
		attrs = append(attrs, slog.Int("code", a.Code))
	}
	if a.SubCode != "" {
		attrs = append(attrs, slog.String("sub_code", a.SubCode))
	}
	if a.Message != "" {
		attrs = append(attrs, slog.String("message", a.Message))
	}
	if a.RequestID != "" {
		attrs = append(attrs, slog.String("request_id", a.RequestID))
	}
	level := slog.LevelDebug
	switch out.Status {
	case model.StatusRetrying:
		attrs = append(attrs, slog.Time("next_attempt_at", out.NextAttemptAt))
		if !quiet {
			level = slog.LevelInfo
		}
	case model.StatusRejected:
		level = slog.LevelWarn
	}
	u.log.LogAttrs(context.Background(), level, "sync: order "+string(out.Status), attrs...)
}
