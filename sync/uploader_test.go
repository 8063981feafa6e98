package sync

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"banksale/model"
	"banksale/sync/top"
	"banksale/sync/top/toptest"
)

func TestBackoffBounds(t *testing.T) {
	base, ceiling := 100*time.Millisecond, 5*time.Second
	most := func(n int64) int64 { return n - 1 }
	least := func(int64) int64 { return 0 }
	for f, want := range map[int]time.Duration{
		0: base, 1: base, 2: 2 * base, 3: 4 * base, 6: 32 * base, 7: ceiling, 50: ceiling, 1 << 30: ceiling,
	} {
		if got := backoff(base, ceiling, f, most); got != want {
			t.Errorf("failures %d: longest wait %s, want %s", f, got, want)
		}
		if got := backoff(base, ceiling, f, least); got != 0 {
			t.Errorf("failures %d: shortest wait %s, want 0 (full jitter)", f, got)
		}
	}
	// Full jitter: uniform over the whole window, so a crowd that failed together spreads out.
	rng := rand.New(rand.NewPCG(1, 1))
	var sum time.Duration
	const n = 20000
	for range n {
		d := backoff(base, ceiling, 4, rng.Int64N)
		if d < 0 || d > 8*base {
			t.Fatalf("wait %s outside [0, %s]", d, 8*base)
		}
		sum += d
	}
	if mean := sum / n; mean < 3*base || mean > 5*base {
		t.Errorf("mean wait %s, want about %s", mean, 4*base)
	}
	// A huge base never overflows into a negative wait.
	if d := backoff(time.Duration(1<<62), time.Duration(1<<62), 10, most); d <= 0 {
		t.Errorf("overflowing backoff %s", d)
	}
}

// TestJudge maps every class of answer to the order's new status and the uploader's reaction.
func TestJudge(t *testing.T) {
	u := New(nil, nil, Config{BackoffBase: time.Second, BackoffCap: time.Minute, Seed: 1}, nil)
	o := model.Order{Sale: model.Sale{OrderID: "HZ01X1"}}
	start := time.Now().Add(-10 * time.Millisecond)
	cases := []struct {
		name      string
		resp      *top.Response
		err       error
		status    model.Status
		outcome   string
		dueMin    time.Duration // NextAttemptAt − now, for retrying
		dueMax    time.Duration
		paused    string // words the pause reason must hold; "" = no pause
		banned    bool
		message   string
		requestID string
		maybe     bool            // an earlier attempt may have got through
		atGateway model.AtGateway // what the outcome says of a copy at the gateway
		missed    bool            // a failure to reach the gateway at all
	}{
		{name: "success", resp: &top.Response{RequestID: "r1"}, status: model.StatusUploaded, outcome: "uploaded", requestID: "r1"},
		{name: "isv refusal", err: &top.Error{Class: top.ClassRejected, Code: 15, SubCode: "isv.invalid-parameter", SubMsg: "非法参数: order_id", RequestID: "r2"},
			status: model.StatusRejected, outcome: "rejected", message: "非法参数: order_id", requestID: "r2", atGateway: model.AtGatewayNot},
		{name: "already there", err: &top.Error{Kind: top.KindDuplicate, Class: top.ClassDuplicate, Code: 15, SubCode: "isv.order-id-exists", SubMsg: "订单已存在"},
			status: model.StatusUploaded, outcome: "uploaded", maybe: true},
		{name: "success=false duplicate", err: &top.Error{Kind: top.KindDuplicate, Class: top.ClassDuplicate, SubCode: "result.err_code:1001", SubMsg: "订单号已存在"},
			status: model.StatusUploaded, outcome: "uploaded", maybe: true, message: "订单号已存在"},
		// Never sent before, yet the gateway knows the number: another sale holds it there.
		{name: "duplicate on a first send", err: &top.Error{Kind: top.KindDuplicate, Class: top.ClassDuplicate, SubCode: "result.err_code:1001", SubMsg: "订单号已存在"},
			status: model.StatusRejected, outcome: "rejected", message: "订单号已存在"},
		{name: "isp final", err: &top.Error{Kind: top.KindISPFinal, Class: top.ClassRejected, Code: 15, SubCode: "isp.top-mapping-parse-error"},
			status: model.StatusRejected, outcome: "rejected", atGateway: model.AtGatewayNot},
		{name: "no success", err: &top.Error{Kind: top.KindNoSuccess, Class: top.ClassAmbiguous, HTTPStatus: 200, Answer: `{"result":{}}`},
			status: model.StatusRetrying, outcome: "retrying", dueMax: time.Second, atGateway: model.AtGatewayMaybe},
		{name: "closed port", err: &top.Error{Kind: top.KindNetworkDown, Class: top.ClassTransient, Msg: "request not sent"},
			status: model.StatusRetrying, outcome: "retrying", dueMax: time.Second, missed: true},
		{name: "ip whitelist", err: &top.Error{Kind: top.KindIPWhitelist, Class: top.ClassConfiguration, Code: 11, SubCode: "isv.permission-ip-whitelist-limit", SubMsg: "IP 203.0.113.7 不在白名单中"},
			status: model.StatusRetrying, outcome: "paused", dueMin: -time.Second, dueMax: 0, paused: "203.0.113.7"},
		{name: "unknown platform code", err: &top.Error{Kind: top.KindPlatform, Class: top.ClassConfiguration, Code: 44, Msg: "Invalid access token"},
			status: model.StatusRetrying, outcome: "paused", dueMin: -time.Second, dueMax: 0, paused: "Invalid access token"},
		{name: "certificate", err: &top.Error{Kind: top.KindCertificate, Class: top.ClassConfiguration},
			status: model.StatusRetrying, outcome: "paused", dueMin: -time.Second, dueMax: 0, paused: "ca_file"},
		{name: "proxy", err: &top.Error{Kind: top.KindProxyAuth, Class: top.ClassConfiguration, HTTPStatus: 407},
			status: model.StatusRetrying, outcome: "paused", dueMin: -time.Second, dueMax: 0, paused: "proxy"},
		{name: "web page", err: &top.Error{Kind: top.KindWebPage, Class: top.ClassConfiguration, HTTPStatus: 200},
			status: model.StatusRetrying, outcome: "paused", dueMin: -time.Second, dueMax: 0, paused: "Log in to the network"},
		{name: "taken by another sale", err: &top.Error{Class: top.ClassRejected, Code: 15, SubCode: "isv.order-id-conflict", SubMsg: "订单号已被其他数据占用"},
			status: model.StatusRejected, outcome: "rejected", message: "订单号已被其他数据占用", atGateway: model.AtGatewayNot},
		{name: "isp", err: &top.Error{Class: top.ClassTransient, Code: 15, SubCode: "isp.top-remote-service-unavailable", SubMsg: "后端服务不可用"},
			status: model.StatusRetrying, outcome: "retrying", dueMin: 0, dueMax: time.Second, message: "后端服务不可用"},
		{name: "timeout", err: &top.Error{Kind: top.KindNoAnswer, Class: top.ClassAmbiguous, Err: context.DeadlineExceeded},
			status: model.StatusRetrying, outcome: "retrying", dueMin: 0, dueMax: time.Second, message: "context deadline exceeded",
			atGateway: model.AtGatewayMaybe},
		{name: "not a top error", err: errors.New("boom"), status: model.StatusRetrying, outcome: "retrying", dueMax: time.Second,
			atGateway: model.AtGatewayMaybe},
		{name: "ban", err: &top.Error{Class: top.ClassThrottled, Code: 7, Ban: 3 * time.Second, SubMsg: "This ban will last for 3 more seconds"},
			status: model.StatusRetrying, outcome: "retrying", dueMin: 3 * time.Second, dueMax: 4 * time.Second, banned: true},
		{name: "quota", err: &top.Error{Class: top.ClassThrottled, Code: 7, Ban: 5 * time.Hour},
			status: model.StatusRetrying, outcome: "paused", dueMin: 5 * time.Hour, dueMax: 5*time.Hour + 2*time.Second, banned: true, paused: "quota"},
		{name: "signature", err: &top.Error{Class: top.ClassConfiguration, Code: 25, Msg: "Invalid Signature"},
			status: model.StatusRetrying, outcome: "paused", dueMin: -time.Second, dueMax: 0, paused: "signature"},
		{name: "clock", err: &top.Error{Class: top.ClassConfiguration, Code: 31, Msg: "Invalid Timestamp"},
			status: model.StatusRetrying, outcome: "paused", dueMin: -time.Second, dueMax: 0, paused: "clock"},
		{name: "session", err: &top.Error{Class: top.ClassConfiguration, Code: 27, Msg: "Invalid Session"},
			status: model.StatusRetrying, outcome: "paused", dueMin: -time.Second, dueMax: 0, paused: "session"},
		{name: "app key", err: &top.Error{Class: top.ClassConfiguration, Code: 29, Msg: "Invalid App Key"},
			status: model.StatusRetrying, outcome: "paused", dueMin: -time.Second, dueMax: 0, paused: "app_key"},
		{name: "wrong url", err: &top.Error{Class: top.ClassConfiguration, HTTPStatus: 404, Msg: "Not Found"},
			status: model.StatusRetrying, outcome: "paused", dueMin: -time.Second, dueMax: 0, paused: "HTTP 404"},
		{name: "programming", err: &top.Error{Class: top.ClassProgramming, Code: 22, Msg: "Invalid Method"},
			status: model.StatusRetrying, outcome: "paused", dueMin: -time.Second, dueMax: 0, paused: "support"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clear(u.fails) // each case is a first failure
			o.MaybeAtGateway = c.maybe
			out, eff := u.judge(o, c.resp, c.err, start)
			if out.AtGateway != c.atGateway || eff.missed != c.missed {
				t.Errorf("at gateway %v missed %v, want %v %v", out.AtGateway, eff.missed, c.atGateway, c.missed)
			}
			now := time.Now()
			if out.OrderID != o.OrderID || out.Attempt.OrderID != o.OrderID {
				t.Errorf("order ids %q/%q", out.OrderID, out.Attempt.OrderID)
			}
			if out.Status != c.status || out.Attempt.Outcome != c.outcome {
				t.Errorf("status %s outcome %s, want %s %s", out.Status, out.Attempt.Outcome, c.status, c.outcome)
			}
			if out.Status == model.StatusRetrying {
				due := out.NextAttemptAt.Sub(now)
				if due < c.dueMin-50*time.Millisecond || due > c.dueMax+50*time.Millisecond {
					t.Errorf("due in %s, want %s..%s", due, c.dueMin, c.dueMax)
				}
			} else if !out.NextAttemptAt.IsZero() {
				t.Errorf("next attempt %s for a final status", out.NextAttemptAt)
			}
			if (eff.pause != nil) != (c.paused != "") {
				t.Fatalf("pause %+v, want %q", eff.pause, c.paused)
			}
			if eff.pause != nil && !strings.Contains(eff.pause.reason, c.paused) {
				t.Errorf("reason %q does not say %q", eff.pause.reason, c.paused)
			}
			if eff.banUntil.IsZero() == c.banned {
				t.Errorf("ban until %v, want banned=%v", eff.banUntil, c.banned)
			}
			if c.message != "" && out.Attempt.Message != c.message {
				t.Errorf("message %q, want %q", out.Attempt.Message, c.message)
			}
			if c.requestID != "" && out.Attempt.RequestID != c.requestID {
				t.Errorf("request id %q, want %q", out.Attempt.RequestID, c.requestID)
			}
			if out.Attempt.Latency <= 0 {
				t.Errorf("latency %s", out.Attempt.Latency)
			}
		})
	}
}

// TestEventsSlowSubscriber: a subscriber that does not read never blocks the uploader; when it
// reads again it gets each order's latest row and the latest state.
func TestEventsSlowSubscriber(t *testing.T) {
	u := New(nil, nil, Config{}, nil)
	ch, unsubscribe := u.Subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50000 {
			o := &model.Order{Sale: model.Sale{OrderID: fmt.Sprintf("O%d", i%10)}, Attempts: i}
			u.publishOrder(o)
			if i%1000 == 0 {
				u.mu.Lock()
				u.inFlight = i / 1000
				u.changedLocked()
				u.mu.Unlock()
			}
		}
		u.mu.Lock()
		u.pause = &pauseInfo{reason: "last words"}
		u.active = true
		u.changedLocked()
		u.mu.Unlock()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("publishing blocked on a subscriber that does not read")
	}
	latest := make(map[string]int)
	var last model.UploadState
	timeout := time.After(5 * time.Second)
read:
	for {
		select {
		case ev := <-ch:
			if ev.Order != nil {
				if ev.Order.Attempts < latest[ev.Order.OrderID] {
					t.Errorf("%s went back from %d to %d", ev.Order.OrderID, latest[ev.Order.OrderID], ev.Order.Attempts)
				}
				latest[ev.Order.OrderID] = ev.Order.Attempts
			} else {
				last = ev.State
			}
			if last.Reason == "last words" && allLatest(latest) {
				break read
			}
		case <-timeout:
			t.Fatalf("latest events not delivered: orders %v, state %+v", latest, last)
		}
	}
	for i := range 10 {
		if want := 49990 + i; latest[fmt.Sprintf("O%d", i)] != want {
			t.Errorf("O%d: latest attempts %d, want %d", i, latest[fmt.Sprintf("O%d", i)], want)
		}
	}
	if last.Mode != model.ModePaused {
		t.Errorf("last state %+v, want paused", last)
	}
	unsubscribe()
	unsubscribe() // twice is harmless
	for range ch {
	}
}

func allLatest(latest map[string]int) bool {
	for i := range 10 {
		if latest[fmt.Sprintf("O%d", i)] != 49990+i {
			return false
		}
	}
	return true
}

// TestEventsManyOrders: more distinct orders than a subscriber can hold waiting: the oldest order
// events go, the latest state never does.
func TestEventsManyOrders(t *testing.T) {
	u := New(nil, nil, Config{}, nil)
	ch, unsubscribe := u.Subscribe()
	defer unsubscribe()
	for i := range 3 * maxPending {
		u.publishOrder(&model.Order{Sale: model.Sale{OrderID: fmt.Sprintf("O%d", i)}})
	}
	u.mu.Lock()
	u.active, u.inFlight = true, 3
	u.changedLocked()
	u.mu.Unlock()
	var last model.UploadState
	var orders int
	idle := time.NewTimer(500 * time.Millisecond)
	for {
		select {
		case ev := <-ch:
			if ev.Order == nil {
				last = ev.State
			} else {
				orders++
			}
			idle.Reset(200 * time.Millisecond)
			continue
		case <-idle.C:
		}
		break
	}
	if last.Mode != model.ModeUploading || last.InFlight != 3 {
		t.Errorf("last state %+v, want uploading with 3 in flight", last)
	}
	if orders > maxPending+subscriberBuffer+2 || orders < maxPending {
		t.Errorf("%d order events delivered, want about %d", orders, maxPending)
	}
}

// countingStore counts the journal queries the dispatcher makes.
type countingStore struct {
	Store
	claims, nextDue atomic.Int64
}

func (s *countingStore) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]model.Order, error) {
	s.claims.Add(1)
	return s.Store.Claim(ctx, now, limit, lease)
}

func (s *countingStore) NextDue(ctx context.Context) (time.Time, bool, error) {
	s.nextDue.Add(1)
	return s.Store.NextDue(ctx)
}

// TestIdleDoesNotPoll: an idle uploader sleeps until woken; Notify makes it look at once.
func TestIdleDoesNotPoll(t *testing.T) {
	j := openJournal(t, t.TempDir()+"/journal.db")
	defer j.Close()
	gw := newGateway(t, toptest.Options{})
	cs := &countingStore{Store: j}
	u := New(cs, newClient(t, gw.URL(), testSecret, time.Second), fastConfig(2), testLog(t))
	stop := start(t, u)
	time.Sleep(1500 * time.Millisecond)
	if c, n := cs.claims.Load(), cs.nextDue.Load(); c > 2 || n > 2 {
		t.Errorf("idle for 1.5 s: %d claims and %d next-due queries", c, n)
	}
	if s := u.State(); s.Mode != model.ModeIdle {
		t.Errorf("state %+v, want idle", s)
	}
	if _, err := j.Insert(context.Background(), sale(1), "tester"); err != nil {
		t.Fatal(err)
	}
	u.Notify()
	waitFor(t, 5*time.Second, "the new order uploaded", func() bool { return get(t, j, sale(1).OrderID).Status == model.StatusUploaded })
	stop()
	if s := u.State(); s.Mode != model.ModeStopped {
		t.Errorf("after Run: state %+v, want stopped", s)
	}
}

// TestConfigurationPause is issue 3's configuration test: a wrong secret pauses the uploader after
// the calls already in flight, with a reason that names the signature; fixing the secret and
// pressing retry uploads everything.
func TestConfigurationPause(t *testing.T) {
	const orders, workers = 60, 4
	j := seedJournal(t, t.TempDir(), orders)
	defer j.Close()
	gw := newGateway(t, toptest.Options{})
	c := newClient(t, gw.URL(), "wrong-secret", 2*time.Second)
	u := New(j, c, fastConfig(workers), testLog(t))
	events, unsubscribe := u.Subscribe()
	defer unsubscribe()
	start(t, u)

	waitFor(t, 10*time.Second, "the pause", func() bool { return u.State().Mode == model.ModePaused && u.State().InFlight == 0 })
	time.Sleep(300 * time.Millisecond) // a retry storm would show now
	st := u.State()
	if !strings.Contains(st.Reason, "signature") || st.Code != 25 {
		t.Errorf("state %+v: the reason must name the signature", st)
	}
	if n := len(gw.Requests()); n < 1 || n > workers {
		t.Errorf("%d requests before the pause held, want 1..%d (only those in flight)", n, workers)
	}
	cn := counts(t, j)
	if cn[model.StatusRejected] != 0 || cn[model.StatusUploaded] != 0 || cn[model.StatusUploading] != 0 {
		t.Errorf("counts %v: no order may be judged by a configuration error", cn)
	}
	sawPause := false
	for len(events) > 0 {
		if ev := <-events; ev.Order == nil && ev.State.Mode == model.ModePaused {
			sawPause = true
		}
	}
	if !sawPause {
		t.Errorf("no paused state published")
	}

	c.SetSecret(testSecret)
	if _, err := u.RetryFailed(context.Background(), "supervisor"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "every order uploaded", func() bool { return counts(t, j)[model.StatusUploaded] == orders })
	if st := u.State(); st.Mode == model.ModePaused {
		t.Errorf("still paused: %+v", st)
	}
}

// TestClockPause: a clock far off pauses with words about the clock.
func TestClockPause(t *testing.T) {
	j := seedJournal(t, t.TempDir(), 5)
	defer j.Close()
	gw := newGateway(t, toptest.Options{})
	c, err := top.New(top.Config{URL: gw.URL(), AppKey: testAppKey, Secret: testSecret, Timeout: 2 * time.Second,
		Now: func() time.Time { return time.Now().Add(-time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	u := New(j, c, fastConfig(1), testLog(t))
	events, unsubscribe := u.Subscribe()
	defer unsubscribe()
	res, err := Drain(context.Background(), u, 20*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.TimedOut || !res.NeedsPerson() || res.Counts[model.StatusRetrying] != 5 {
		t.Errorf("drain %+v, want paused after one call with all 5 back to retrying", res)
	}
	if len(gw.Requests()) != 1 {
		t.Errorf("%d requests, want 1", len(gw.Requests()))
	}
	var reason string
	for len(events) > 0 {
		if ev := <-events; ev.Order == nil && ev.State.Mode == model.ModePaused {
			reason = ev.State.Reason
		}
	}
	if !strings.Contains(reason, "clock") {
		t.Errorf("pause reason %q does not mention the clock", reason)
	}
}

// TestQuotaPause: a ban of hours pauses the uploader and says the quota is spent; Resume does
// not call before the ban ends.
func TestQuotaPause(t *testing.T) {
	j := seedJournal(t, t.TempDir(), 10)
	defer j.Close()
	gw := newGateway(t, toptest.Options{Script: func(n int, _ string) toptest.Fault {
		return toptest.Fault{Kind: toptest.FaultBan, BanSeconds: 3 * 3600}
	}})
	u := New(j, newClient(t, gw.URL(), testSecret, 2*time.Second), fastConfig(1), testLog(t))
	start(t, u)
	waitFor(t, 10*time.Second, "the pause", func() bool { return u.State().Mode == model.ModePaused })
	st := u.State()
	if !strings.Contains(st.Reason, "quota") || time.Until(st.BannedUntil) < 2*time.Hour {
		t.Errorf("state %+v: want the quota named and the ban's end", st)
	}
	u.Resume()
	time.Sleep(200 * time.Millisecond)
	if st := u.State(); st.Mode != model.ModeBanned {
		t.Errorf("after Resume: %+v, want banned until the ban ends", st)
	}
	if n := len(gw.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestDrainTimesOut: orders that keep failing make Drain give up at max-wait with exit 2, and
// leave nothing "uploading".
func TestDrainTimesOut(t *testing.T) {
	j := seedJournal(t, t.TempDir(), 3)
	defer j.Close()
	gw := newGateway(t, toptest.Options{FaultRate: 1, Mix: []toptest.FaultKind{toptest.FaultHTTP503}})
	u := New(j, newClient(t, gw.URL(), testSecret, time.Second), fastConfig(2), testLog(t))
	var progress int
	res, err := Drain(context.Background(), u, 700*time.Millisecond, func(map[model.Status]int) { progress++ })
	if err != nil {
		t.Fatal(err)
	}
	if !res.TimedOut || res.Counts[model.StatusRetrying] != 3 {
		t.Errorf("%+v, want timed out with 3 retrying", res)
	}
	if progress == 0 {
		t.Errorf("progress never called")
	}
	if u.State().Mode != model.ModeStopped {
		t.Errorf("Drain left the uploader running")
	}
}

// TestShutdownMidCall: ending Run while calls hang records them (retrying, same order_id later)
// instead of leaving them "uploading".
func TestShutdownMidCall(t *testing.T) {
	j := seedJournal(t, t.TempDir(), 8)
	defer j.Close()
	gw := newGateway(t, toptest.Options{FaultRate: 1, Mix: []toptest.FaultKind{toptest.FaultSlow}, SlowDelay: 10 * time.Second})
	u := New(j, newClient(t, gw.URL(), testSecret, 20*time.Second), fastConfig(4), testLog(t))
	stop := start(t, u)
	waitFor(t, 5*time.Second, "8 orders claimed", func() bool { return len(gw.Requests()) == 0 && u.State().InFlight == 8 })
	time.Sleep(100 * time.Millisecond)
	began := time.Now()
	stop()
	if d := time.Since(began); d > 3*time.Second {
		t.Errorf("stopping took %s", d)
	}
	c := counts(t, j)
	if c[model.StatusUploading] != 0 || c[model.StatusRetrying] != 8 {
		t.Errorf("counts %v, want all 8 retrying, none uploading", c)
	}
	waitFor(t, 5*time.Second, "the gateway to see the 4 workers' calls end", func() bool { return len(gw.Requests()) >= 4 })
	time.Sleep(50 * time.Millisecond)
	if n := len(gw.Requests()); n != 4 {
		t.Errorf("%d requests, want the 4 workers' calls", n)
	}
}

// TestVoidWaitsForOriginal: a void or refund is sent only after its original is uploaded, however
// often the original fails first; and a void whose original was refused waits for a person.
func TestVoidWaitsForOriginal(t *testing.T) {
	ctx := context.Background()
	j := openJournal(t, t.TempDir()+"/journal.db")
	defer j.Close()
	s1, s2, s5 := sale(1), sale(2), sale(5)
	v1, v2, r6 := voidOf(s1, 3), voidOf(s2, 4), refundOf(s5, 6, 500)
	for _, s := range []model.Sale{s1, s2, v1, v2, s5, r6} {
		if _, err := j.Insert(ctx, s, "tester"); err != nil {
			t.Fatalf("insert %s: %v", s.OrderID, err)
		}
	}
	var mu gosync.Mutex
	s1Tries, s5Tries := 0, 0
	gw := newGateway(t, toptest.Options{
		RejectOrders: map[string]bool{s2.OrderID: true},
		Script: func(n int, id string) toptest.Fault {
			mu.Lock()
			defer mu.Unlock()
			switch id {
			case s1.OrderID:
				s1Tries++
				if s1Tries <= 3 {
					return toptest.Fault{Kind: toptest.FaultISP}
				}
			case s5.OrderID:
				s5Tries++
				if s5Tries <= 2 {
					return toptest.Fault{Kind: toptest.FaultResetBefore}
				}
			}
			return toptest.Fault{}
		},
	})
	u := New(j, newClient(t, gw.URL(), testSecret, 2*time.Second), fastConfig(4), testLog(t))
	res, err := Drain(ctx, u, 20*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.TimedOut || !res.NeedsPerson() {
		t.Errorf("drain %+v: want done, needing a person for the refused sale", res)
	}
	reqs := gw.Requests()
	recordedAt := func(id string) int {
		for _, r := range reqs {
			if r.OrderID == id && r.Recorded {
				return r.N
			}
		}
		return 1 << 30
	}
	for _, r := range reqs {
		switch r.OrderID {
		case v1.OrderID, r6.OrderID:
			if orig := recordedAt(map[string]string{v1.OrderID: s1.OrderID, r6.OrderID: s5.OrderID}[r.OrderID]); r.N < orig {
				t.Errorf("%s sent (request %d) before its original was recorded (request %d)", r.OrderID, r.N, orig)
			}
		case v2.OrderID:
			t.Errorf("void of a refused sale was sent (request %d)", r.N)
		}
	}
	for id, want := range map[string]model.Status{s1.OrderID: model.StatusUploaded, v1.OrderID: model.StatusUploaded,
		s5.OrderID: model.StatusUploaded, r6.OrderID: model.StatusUploaded,
		s2.OrderID: model.StatusRejected, v2.OrderID: model.StatusPending} {
		if got := get(t, j, id).Status; got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
}

// TestRetryRejected: Retry of a refused order sends it again (the gateway's words may have been a
// passing problem) and un-pauses. Retry publishes the order's new row itself: the screen must not
// go on showing "rejected" until the next claim. Events coalesce per order by design (events.go),
// so the uploader is stopped while Retry runs: then the retrying row is the only change there is
// to see, and it must be seen.
func TestRetryRejected(t *testing.T) {
	ctx := context.Background()
	j := seedJournal(t, t.TempDir(), 2)
	defer j.Close()
	var refuse atomic.Bool
	refuse.Store(true)
	gw := newGateway(t, toptest.Options{Script: func(n int, id string) toptest.Fault {
		if id == sale(1).OrderID && refuse.Load() {
			return toptest.Fault{Kind: toptest.FaultISV}
		}
		return toptest.Fault{}
	}})
	u := New(j, newClient(t, gw.URL(), testSecret, 2*time.Second), fastConfig(2), testLog(t))
	events, unsubscribe := u.Subscribe()
	defer unsubscribe()
	stop := start(t, u)
	waitFor(t, 10*time.Second, "one rejected", func() bool { return get(t, j, sale(1).OrderID).Status == model.StatusRejected })
	waitFor(t, 10*time.Second, "the other uploaded", func() bool { return get(t, j, sale(2).OrderID).Status == model.StatusUploaded })
	stop()
	nextOf := func(id string, until model.Status) []model.Status {
		t.Helper()
		var seen []model.Status
		deadline := time.After(5 * time.Second)
		for len(seen) == 0 || seen[len(seen)-1] != until {
			select {
			case ev := <-events:
				if ev.Order != nil && ev.Order.OrderID == id {
					seen = append(seen, ev.Order.Status)
				}
			case <-deadline:
				t.Fatalf("%s: events %v, never %s", id, seen, until)
			}
		}
		return seen
	}
	nextOf(sale(1).OrderID, model.StatusRejected)

	refuse.Store(false)
	if err := u.Retry(ctx, "supervisor", sale(1).OrderID); err != nil {
		t.Fatal(err)
	}
	if seen := nextOf(sale(1).OrderID, model.StatusRetrying); len(seen) != 1 {
		t.Errorf("after Retry, events %v, want only retrying", seen)
	}
	start(t, u)
	waitFor(t, 10*time.Second, "retried and uploaded", func() bool { return get(t, j, sale(1).OrderID).Status == model.StatusUploaded })
	nextOf(sale(1).OrderID, model.StatusUploaded)
}

// TestRateLimit: calls never come faster than the limit, and not much slower either.
func TestRateLimit(t *testing.T) {
	const orders, limit = 21, 20.0
	j := seedJournal(t, t.TempDir(), orders)
	defer j.Close()
	gw := newGateway(t, toptest.Options{})
	cfg := fastConfig(4)
	cfg.RateLimit = limit
	u := New(j, newClient(t, gw.URL(), testSecret, 2*time.Second), cfg, testLog(t))
	res, err := Drain(context.Background(), u, 30*time.Second, nil)
	if err != nil || !res.AllUploaded() {
		t.Fatalf("Drain: %v %+v", err, res)
	}
	reqs := gw.Requests()
	if len(reqs) != orders {
		t.Fatalf("%d requests, want %d", len(reqs), orders)
	}
	first, last := reqs[0].At, reqs[0].At
	for _, r := range reqs {
		first, last = minTime(first, r.At), maxTime(last, r.At)
	}
	span := last.Sub(first)
	want := time.Duration(float64(orders-1) / limit * float64(time.Second))
	if span < want-30*time.Millisecond || span > want*13/10 {
		t.Errorf("%d calls spread over %s, want about %s at %g/s", orders, span, want, limit)
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// FuzzJudge: whatever the gateway answers, the order gets a valid status, a retry time when it
// retries, short words, and the uploader pauses exactly for configuration and programming errors.
// FuzzJudge: whatever the answer — any row of the catalogue with any code and words, maybe at
// the gateway or not — the order gets a status it can have, a duplicate is an upload only when
// an earlier attempt may have got through, and only configuration and programming answers pause.
func FuzzJudge(f *testing.F) {
	f.Add(string(top.KindDuplicate), 15, "isv.order-id-exists", "订单已存在", int64(0), 200, true)
	f.Add(string(top.KindDuplicate), 0, "result.err_code:1001", "订单号已存在", int64(0), 200, false)
	f.Add(string(top.KindCallLimit), 7, "accesscontrol.limited-by-app-access-count", "This ban will last for 3 more seconds", int64(3e9), 200, false)
	f.Add(string(top.KindSignature), 25, "", "Invalid Signature", int64(0), 200, false)
	f.Add(string(top.KindHTTP5xx), 0, "", "", int64(0), 503, true)
	f.Add(string(top.KindNoSuccess), 0, "", "", int64(0), 200, false)
	f.Add(string(top.KindNetworkDown), 0, "", "", int64(0), 0, false)
	f.Add("", 0, "", "", int64(0), 0, false)
	f.Add(string(top.KindCallLimit), 7, "", "", int64(1<<63-1), 200, false)
	u := New(nil, nil, Config{Seed: 3}, nil)
	f.Fuzz(func(t *testing.T, kind string, code int, subCode, subMsg string, ban int64, httpStatus int, maybe bool) {
		o := model.Order{Sale: model.Sale{OrderID: "HZ01F1"}, MaybeAtGateway: maybe}
		row := top.RowOf(top.Kind(kind))
		var err error
		if kind != "" {
			err = &top.Error{Kind: top.Kind(kind), Class: row.Class, Code: code, SubCode: subCode, SubMsg: subMsg,
				Ban: time.Duration(ban), HTTPStatus: httpStatus}
		}
		var resp *top.Response
		if err == nil {
			resp = &top.Response{RequestID: subCode}
		}
		now := time.Now()
		out, eff := u.judge(o, resp, err, now)
		switch out.Status {
		case model.StatusUploaded, model.StatusRejected:
			if !out.NextAttemptAt.IsZero() {
				t.Errorf("%s with a next attempt", out.Status)
			}
		case model.StatusRetrying:
			if out.NextAttemptAt.Before(now) {
				t.Errorf("retrying at %s, before the call", out.NextAttemptAt)
			}
		default:
			t.Fatalf("status %q", out.Status)
		}
		if utf8.RuneCountInString(out.Attempt.Message) > maxMessage {
			t.Errorf("message of %d runes", utf8.RuneCountInString(out.Attempt.Message))
		}
		if err != nil && row.Class == top.ClassDuplicate && (out.Status == model.StatusUploaded) != maybe {
			t.Errorf("a duplicate answer (maybe at gateway %v) made the order %s", maybe, out.Status)
		}
		if err != nil && out.Status == model.StatusUploaded && row.Class != top.ClassDuplicate {
			t.Errorf("a failure of kind %q counted as an upload", kind)
		}
		wantPause := err != nil && (row.Class == top.ClassConfiguration || row.Class == top.ClassProgramming)
		if eff.pause != nil && !eff.pause.quota && !wantPause {
			t.Errorf("kind %q paused the uploader", kind)
		}
		if wantPause && (eff.pause == nil || eff.pause.reason == "") {
			t.Errorf("kind %q did not pause with a reason", kind)
		}
		if eff.reached && eff.missed {
			t.Error("reached and missed at once")
		}
	})
}
