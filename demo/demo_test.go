package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"banksale/model"
	"banksale/storage"
	bsync "banksale/sync"
	"banksale/sync/top"
)

// TestDemo starts the demo, uploads its journal with the real uploader through the proxy and
// the fake gateway, and checks that a newcomer meets every state: uploaded, retrying on the
// way, a ban, two rejections that go through once resent, and a cancelled order.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the demo's ban")
	}
	ctx := context.Background()
	d, err := Start(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	j, err := storage.Open(ctx, d.JournalPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	counts, err := j.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != 24 || counts[model.StatusVoided] != 1 || counts[model.StatusPending] != 23 {
		t.Fatalf("demo journal: %v", counts)
	}
	c, err := top.New(top.Config{URL: d.GatewayURL, AppKey: d.AppKey, Secret: d.Secret, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	u := bsync.New(j, c, bsync.Config{Workers: 4, BackoffBase: 100 * time.Millisecond, BackoffCap: 500 * time.Millisecond}, nil)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = u.Run(runCtx) }()
	defer func() { cancel(); <-done }()

	waitFor := func(what string, cond func(map[model.Status]int) bool) map[model.Status]int {
		t.Helper()
		deadline := time.Now().Add(40 * time.Second)
		for {
			c, err := j.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if cond(c) {
				return c
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: counts %v", what, c)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// Settled: nothing waits any more. Normally two are rejected; on a loaded machine a
	// rejection can reach the client after its timeout, which makes it a resend that passes.
	c1 := waitFor("the demo's uploads settled", func(c map[model.Status]int) bool {
		return c[model.StatusPending]+c[model.StatusUploading]+c[model.StatusRetrying] == 0
	})
	if c1[model.StatusUploaded]+c1[model.StatusRejected] != 23 || c1[model.StatusRejected] < 1 {
		t.Fatalf("settled at %v", c1)
	}
	var sawBan, sawRetry bool
	for _, r := range d.Server().Requests() {
		sawBan = sawBan || strings.HasPrefix(r.Answer, "error:7/")
		sawRetry = sawRetry || r.Answer == "503" || r.Answer == "reset"
	}
	if !sawRetry {
		t.Error("the demo showed no transient failure")
	}
	if !sawBan {
		t.Error("the demo showed no ban")
	}
	if _, err := u.RetryFailed(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	waitFor("the rejected ones resent", func(c map[model.Status]int) bool { return c[model.StatusUploaded] == 23 })
}
