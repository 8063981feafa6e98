package sync

import (
	"context"
	"fmt"
	"testing"
	"time"

	"banksale/model"
	"banksale/sync/top/toptest"
)

// BenchmarkDrain is issue 3's throughput benchmark: 10,000 journaled orders drained through the
// fake gateway on loopback at 1, 4 and 16 workers without a rate limit (orders/s), and 500 orders
// with a 50/s limit (the achieved rate's share of the limit, which must be ≥ 0.95). Each iteration
// builds a fresh journal with the timer stopped; only the draining is timed.
func BenchmarkDrain(b *testing.B) {
	for _, workers := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			benchDrain(b, 10000, Config{Workers: workers})
		})
	}
	b.Run("rate=50", func(b *testing.B) {
		// The achieved rate is measured where the limit applies: between the first and the last
		// request the gateway received (n-1 intervals), not over Drain's start-up and tail.
		const limit, n = 50, 500
		var ratio float64
		benchDrainWith(b, n, Config{Workers: 8, RateLimit: limit}, func(gw *toptest.Server) {
			reqs := gw.Requests()
			first, last := reqs[0].At, reqs[0].At
			for _, r := range reqs {
				if r.At.Before(first) {
					first = r.At
				}
				if r.At.After(last) {
					last = r.At
				}
			}
			achieved := float64(len(reqs)-1) / last.Sub(first).Seconds()
			if achieved > limit*1.02 {
				b.Errorf("achieved %.2f/s: over the %d/s limit", achieved, limit)
			}
			ratio += achieved / limit
		})
		ratio /= float64(b.N)
		b.ReportMetric(ratio, "achieved/limit")
		if ratio < 0.95 {
			b.Errorf("achieved %.3f of the %d/s limit, want ≥ 0.95", ratio, limit)
		}
	})
}

// benchDrain drains n orders b.N times and reports orders/s; it returns the mean drain time.
func benchDrain(b *testing.B, n int, cfg Config) time.Duration {
	return benchDrainWith(b, n, cfg, nil)
}

// benchDrainWith is benchDrain with a look at the gateway after each drain (timer stopped).
func benchDrainWith(b *testing.B, n int, cfg Config, check func(*toptest.Server)) time.Duration {
	cfg.BackoffBase, cfg.BackoffCap, cfg.Seed = 10*time.Millisecond, time.Second, 1
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		j := seedJournal(b, b.TempDir(), n)
		gw := toptest.NewServer(toptest.Options{AppKey: testAppKey, Secret: testSecret})
		u := New(j, newClient(b, gw.URL(), testSecret, 5*time.Second), cfg, nil)
		b.StartTimer()
		began := time.Now()
		res, err := Drain(context.Background(), u, 10*time.Minute, nil)
		took := time.Since(began)
		b.StopTimer()
		total += took
		if err != nil || res.Counts[model.StatusUploaded] != n {
			b.Fatalf("drain: %v %+v", err, res)
		}
		if check != nil {
			check(gw)
		}
		gw.Close()
		if err := j.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	mean := total / time.Duration(b.N)
	b.ReportMetric(float64(n)/mean.Seconds(), "orders/s")
	return mean
}
