package sync

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"banksale/model"
	"banksale/sync/top/toptest"
)

// The crash test's child: the test binary re-executed with these variables set.
const (
	crashChildEnv   = "BANKSALE_SYNC_CRASH_JOURNAL"
	crashURLEnv     = "BANKSALE_SYNC_CRASH_URL"
	crashDrainEnv   = "BANKSALE_SYNC_CRASH_DRAIN"
	crashReadyLine  = "uploader running"
	crashChildLimit = 3 * time.Minute
)

// crashChild runs an uploader on the journal until it is killed, or, with crashDrainEnv set,
// drains it and exits with Drain's exit code.
func crashChild() int {
	ctx, cancel := context.WithTimeout(context.Background(), crashChildLimit)
	defer cancel()
	log := testLog(nil)
	j, err := openJournalPath(ctx, os.Getenv(crashChildEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open journal:", err)
		return 10
	}
	defer j.Close()
	c, err := clientFor(os.Getenv(crashURLEnv), testSecret, 2*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: client:", err)
		return 11
	}
	u := New(j, c, fastConfig(4), log)
	if os.Getenv(crashDrainEnv) != "" {
		res, err := Drain(ctx, u, 0, nil) // bounded by ctx: a loaded CI machine may be slow
		if err != nil {
			fmt.Fprintln(os.Stderr, "child: drain:", err)
			return 12
		}
		fmt.Fprintf(os.Stdout, "drained %v\n", res.Counts)
		if !res.AllUploaded() {
			return 1
		}
		return 0
	}
	fmt.Fprintln(os.Stdout, crashReadyLine)
	if err := u.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "child: run:", err)
		return 13
	}
	return 0
}

// TestCrashMidUpload is issue 3's crash test: a process uploading 1,000 orders is killed with
// SIGKILL at random moments (mid-call, mid-transaction) and restarted; in the end the gateway holds
// every order exactly once with one payload and the journal says uploaded for every one.
func TestCrashMidUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary 20+ times")
	}
	const orders, kills = 1000, 20
	startTime := time.Now()
	dir := t.TempDir()
	j := seedJournal(t, dir, orders)
	path := j.Path()
	// The child owns the journal (and its lock) while it runs: the parent lets go of it.
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	t.Logf("set-up: %s", time.Since(startTime).Round(time.Millisecond))
	// Mild gateway faults make outcomes ambiguous too; ExistsAnswer makes a re-send after a crash
	// come back as "already exists", which must count as uploaded.
	gw := newGateway(t, toptest.Options{
		Seed: 7, FaultRate: 0.1, ExistsAnswer: true,
		Mix: []toptest.FaultKind{toptest.FaultISP, toptest.FaultHTTP503, toptest.FaultResetBefore, toptest.FaultResetAfter, toptest.FaultMalformed},
	})
	rng := rand.New(rand.NewPCG(1, 2))
	env := append(os.Environ(), crashChildEnv+"="+path, crashURLEnv+"="+gw.URL())

	killed := 0
	for killed < kills {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		spawned := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatalf("start child: %v", err)
		}
		ready := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(out)
			ok := false
			for sc.Scan() {
				if sc.Text() == crashReadyLine && !ok {
					ok = true
					ready <- true
				}
			}
			if !ok {
				ready <- false
			}
		}()
		select {
		case ok := <-ready:
			if !ok {
				_ = cmd.Wait()
				t.Fatalf("child exited before running: %s", stderr.String())
			}
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatalf("child did not start: %s", stderr.String())
		}
		startup := time.Since(spawned)
		// Kill anywhere from before the first claim to well into the uploads: mid-call,
		// mid-transaction, between a call and its record.
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("kill child: %v", err)
		}
		killedAt := time.Now()
		err = cmd.Wait()
		reaped := time.Since(killedAt)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("child ended by itself (%v): %s", err, stderr.String())
		}
		killed++
		t.Logf("kill %d: child ran after %s, reaped in %s; gateway holds %d orders after %d requests", killed, startup.Round(time.Millisecond), reaped.Round(time.Millisecond), len(gw.Orders()), len(gw.Requests()))
	}

	killPhase := time.Since(startTime)
	// A last child drains what is left and exits.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(env, crashDrainEnv+"=1")
	outb, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("draining child: %v\n%s", err, outb)
	}

	got := gw.Orders()
	if len(got) != orders {
		t.Errorf("gateway holds %d orders, want %d", len(got), orders)
	}
	if n := gw.Conflicts(); n != 0 {
		t.Errorf("Conflicts() = %d: an order_id was sent with two payloads", n)
	}
	j = openJournal(t, path)
	defer j.Close()
	for i := 1; i <= orders; i++ {
		o := get(t, j, sale(i).OrderID)
		if g, ok := got[o.OrderID]; !ok {
			t.Errorf("gateway lacks %s", o.OrderID)
		} else if !bytes.Equal(g, o.Payload) {
			t.Errorf("gateway holds %s with other bytes than the journal's", o.OrderID)
		}
	}
	c := counts(t, j)
	if c[model.StatusUploaded] != orders {
		t.Errorf("journal counts %v, want %d uploaded", c, orders)
	}
	resent := len(gw.Requests()) - orders
	t.Logf("%d kills, %d requests (%d beyond one per order), wall %s (set-up and kills %s, final drain %s)", killed, len(gw.Requests()), resent,
		time.Since(startTime).Round(time.Millisecond), killPhase.Round(time.Millisecond), (time.Since(startTime) - killPhase).Round(time.Millisecond))
}
