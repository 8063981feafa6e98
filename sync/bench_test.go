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
		const limit = 50
		elapsed := benchDrain(b, 500, Config{Workers: 4, RateLimit: limit})
		achieved := float64(500) / elapsed.Seconds()
		b.ReportMetric(achieved/limit, "achieved/limit")
		if achieved/limit < 0.95 {
			b.Errorf("achieved %.1f/s of a %d/s limit", achieved, limit)
		}
	})
}

// benchDrain drains n orders b.N times and reports orders/s; it returns the mean drain time.
func benchDrain(b *testing.B, n int, cfg Config) time.Duration {
	cfg.BackoffBase, cfg.BackoffCap, cfg.Seed = 10*time.Millisecond, time.Second, 1
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		j := seedJournal(b, b.TempDir(), n)
		gw := toptest.NewServer(toptest.Options{AppKey: testAppKey, Secret: testSecret})
		u := New(j, newClient(b, gw.URL(), testSecret, 5*time.Second), cfg, nil)
		b.StartTimer()
		began := time.Now()
		res, err := Drain(context.Background(), u, j, 10*time.Minute, nil)
		took := time.Since(began)
		b.StopTimer()
		total += took
		if err != nil || res.Counts[model.StatusUploaded] != n {
			b.Fatalf("drain: %v %+v", err, res)
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
