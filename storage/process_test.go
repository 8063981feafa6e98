package storage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"banksale/model"

	"github.com/gofrs/flock"
)

// The test binary re-executes itself as a child process for the tests that need a second
// process: the child's role is in this variable, the journal path in childPathEnv.
const (
	childRoleEnv = "BANKSALE_STORAGE_TEST_CHILD"
	childPathEnv = "BANKSALE_STORAGE_TEST_JOURNAL"
)

func TestMain(m *testing.M) {
	switch os.Getenv(childRoleEnv) {
	case "":
		os.Exit(m.Run())
	case "insert":
		os.Exit(childInsert(os.Getenv(childPathEnv)))
	case "hold":
		os.Exit(childHold(os.Getenv(childPathEnv)))
	default:
		fmt.Fprintln(os.Stderr, "unknown child role")
		os.Exit(3)
	}
}

// childSale is the sale a child journals as number i of run r: the parent rebuilds it to
// check what came back.
func childSale(run, i int) model.Sale {
	s := testSale(i, t0.Add(time.Duration(i)*time.Second))
	s.OrderID = fmt.Sprintf("K%02d-%06d", run, i)
	s.Remark = fmt.Sprintf("run %d order %d", run, i)
	return s
}

// childInsert journals orders until killed, printing each order_id once Insert has returned.
func childInsert(path string) int {
	var run int
	fmt.Sscan(os.Getenv("BANKSALE_STORAGE_TEST_RUN"), &run)
	ctx := context.Background()
	j, err := Open(ctx, path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		s := childSale(run, i)
		if _, err := j.Insert(ctx, s, "child"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		out.WriteString(s.OrderID + "\n")
		out.Flush()
		// Some upload traffic too, so the kill also lands inside other transactions.
		if i%5 == 4 {
			if got, err := j.Claim(ctx, time.Now().Add(time.Hour), 2, time.Minute); err == nil {
				for _, o := range got {
					j.Record(ctx, model.Outcome{OrderID: o.OrderID, Status: model.StatusUploaded})
				}
			}
		}
	}
}

// childHold owns the journal until its stdin closes.
func childHold(path string) int {
	j, err := Open(context.Background(), path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer j.Close()
	fmt.Println("holding")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

func startChild(t *testing.T, role, path string, extraEnv ...string) (*exec.Cmd, *bufio.Reader, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childRoleEnv+"="+role, childPathEnv+"="+path), extraEnv...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewReader(stdout), stdin
}

// TestKill9LosesNothingAcknowledged SIGKILLs a child in the middle of inserting, several
// times, and finds every order whose Insert returned, intact, in a sound file.
func TestKill9LosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "journal.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	total := 0
	for run := 0; run < 4; run++ {
		cmd, out, _ := startChild(t, "insert", path, fmt.Sprintf("BANKSALE_STORAGE_TEST_RUN=%d", run))
		lines := make(chan string, 1<<16)
		go func() {
			defer close(lines)
			for {
				line, err := out.ReadString('\n')
				if err != nil {
					return // a line cut by the kill has no newline: not acknowledged
				}
				lines <- strings.TrimSuffix(line, "\n")
			}
		}()
		// Wait for the first acknowledgement, then kill at a random moment.
		var acked []string
		select {
		case id := <-lines:
			acked = append(acked, id)
		case <-time.After(30 * time.Second):
			t.Fatal("the child acknowledged nothing")
		}
		time.Sleep(time.Duration(50+rng.IntN(400)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		for id := range lines {
			acked = append(acked, id)
		}
		total += len(acked)

		ctx := context.Background()
		j, err := Open(ctx, path, nil)
		if err != nil {
			t.Fatalf("run %d: reopen: %v", run, err)
		}
		var ok string
		if err := j.r.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			t.Fatalf("run %d: integrity_check = %q %v", run, ok, err)
		}
		for i, id := range acked {
			o, err := j.Get(ctx, id)
			if err != nil {
				t.Fatalf("run %d: acknowledged order %s lost: %v", run, id, err)
			}
			want := childSale(run, i)
			if o.OrderID != want.OrderID || !sameContent(o.Sale, want) {
				t.Fatalf("run %d: order %s changed:\n got %+v\nwant %+v", run, id, o.Sale, want)
			}
		}
		// The trigger-kept counts agree with the rows.
		var rows, counted int
		j.r.QueryRow("SELECT count(*) FROM orders").Scan(&rows)
		j.r.QueryRow("SELECT sum(n) FROM status_counts").Scan(&counted)
		if rows != counted || rows < total {
			t.Fatalf("run %d: %d rows, counts say %d, %d acknowledged", run, rows, counted, total)
		}
		// A crash mid-upload: the leases come back.
		if _, err := j.ReleaseLeases(ctx); err != nil {
			t.Fatal(err)
		}
		j.Close()
		t.Logf("run %d: %d orders acknowledged before SIGKILL, all intact", run, len(acked))
	}
}

// TestSecondProcessCannotOwnJournal: a child holds the journal; the parent gets a
// *model.InUseError naming the child's pid; once the child is killed the OS frees the lock.
func TestSecondProcessCannotOwnJournal(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "journal.db")
	cmd, out, _ := startChild(t, "hold", path)
	line, err := out.ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "holding" {
		t.Fatalf("child: %q %v", line, err)
	}
	_, err = Open(context.Background(), path, nil)
	var le *model.InUseError
	if !errors.As(err, &le) {
		t.Fatalf("open while the child holds it: %v", err)
	}
	host, _ := os.Hostname()
	if le.PID != cmd.Process.Pid || le.Host != host || time.Since(le.Since) > time.Minute {
		t.Fatalf("locked error names %+v, child pid %d", le, cmd.Process.Pid)
	}
	if !strings.Contains(le.Error(), fmt.Sprint(cmd.Process.Pid)) || le.NotBanksale {
		t.Errorf("message does not name the pid, or takes the child for another program: %s", le.Error())
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	j, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatalf("open after the owner died: %v", err)
	}
	j.Close()
}

// luhnNumber makes a card number of n digits starting with prefix that passes Luhn.
func luhnNumber(rng *rand.Rand, prefix string, n int) string {
	b := []byte(prefix)
	for len(b) < n-1 {
		b = append(b, byte('0'+rng.IntN(10)))
	}
	sum := 0
	for i := len(b) - 1; i >= 0; i-- {
		d := int(b[i] - '0')
		if (len(b)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return string(append(b, byte('0'+(10-sum%10)%10)))
}

// TestFullCardNumbersNeverReachDisk types orders with full card numbers, journals them, and
// searches the database file and its WAL for any of the numbers.
func TestFullCardNumbersNeverReachDisk(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(42, 42))
	key := []byte("card digest key for the test")
	rules := model.Rules{Now: t0.Add(24 * time.Hour), CardKey: key, Operator: "li", IP: "10.0.0.9", MAC: "00:00:00:00:00:01"}
	var numbers []string
	for i := 0; i < 60; i++ {
		n := luhnNumber(rng, "62", 16+rng.IntN(4))
		typed := n
		if i%3 == 0 { // typed with spaces, as on the card
			typed = n[:4] + " " + n[4:8] + " " + n[8:12] + " " + n[12:]
		}
		numbers = append(numbers, n)
		d := model.DraftOf(testSale(i, t0.Add(time.Duration(i)*time.Minute)))
		d.CardNo = typed
		d.EncrypteSummary = ""
		d.PaymentChannel = string(model.ChannelBankCard)
		s, is := d.Build(rules)
		if is.HasErrors() {
			t.Fatalf("draft %d: %v", i, is.Errors())
		}
		card, _ := model.ParseCard(typed, key, model.ChannelBankCard)
		if s.EncrypteSummary == "" || !model.IsMaskedCard(s.CardNo) || card.Masked != s.CardNo || card.Digest != s.EncrypteSummary {
			t.Fatalf("draft %d built card %q digest %q (ParseCard: %+v)", i, s.CardNo, s.EncrypteSummary, card)
		}
		if i%2 == 0 {
			mustInsert(t, j, s)
		} else if _, err := j.Import(ctx, []model.Sale{s}, "importer"); err != nil {
			t.Fatal(err)
		}
	}
	// Edit a few, void a few: every write path.
	for i := 0; i < 10; i++ {
		o, _ := j.Get(ctx, testSale(i, t0).OrderID)
		o.Remark = "edited"
		if _, err := j.Edit(ctx, o.Sale, "li"); err != nil {
			t.Fatal(err)
		}
	}
	files := []string{j.Path(), j.Path() + "-wal"}
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		t.Logf("%s: %d bytes", filepath.Base(f), len(b))
		all = append(all, b...)
	}
	if !bytes.Contains(all, []byte(testSale(0, t0).OrderID)) {
		t.Fatal("the search found not even an order_id: it would find nothing")
	}
	for _, n := range numbers {
		if bytes.Contains(all, []byte(n)) {
			t.Fatalf("full card number %s found on disk", n)
		}
		// Nor its middle digits (the part masking hides), in case of a partial leak.
		if bytes.Contains(all, []byte(n[4:len(n)-2])) {
			t.Fatalf("the hidden digits of %s found on disk", n)
		}
	}
}

// TestLockHeldByAnotherProgram: when the banksale a lock file names has ended (or its pid now
// runs something else) and yet the lock is held, the error says another program holds it, not
// "banksale process N", which would send the supervisor looking for a process long gone.
func TestLockHeldByAnotherProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	ended := exec.Command("true")
	if err := ended.Run(); err != nil {
		t.Skip("no true(1):", err)
	}
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Skip("no sleep(1):", err)
	}
	t.Cleanup(func() { sleeper.Process.Kill(); sleeper.Wait() })
	for _, c := range []struct {
		name string
		pid  int
	}{{"ended", ended.Process.Pid}, {"other program", sleeper.Process.Pid}} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "journal.db")
			j, err := Open(context.Background(), path, nil)
			if err != nil {
				t.Fatal(err)
			}
			j.Close()
			host, _ := os.Hostname()
			info, _ := json.Marshal(lockInfo{PID: c.pid, Host: host, Since: time.Now()})
			if err := writeLockInfo(path+".lock", info); err != nil {
				t.Fatal(err)
			}
			other := flock.New(path + ".lock") // another open file: the kernel sees another holder
			if ok, err := other.TryLock(); !ok || err != nil {
				t.Fatalf("lock: %v %v", ok, err)
			}
			defer other.Unlock()
			_, err = Open(context.Background(), path, nil)
			var le *model.InUseError
			if !errors.As(err, &le) || !le.NotBanksale || !strings.Contains(err.Error(), "not banksale") {
				t.Fatalf("open: %v (%+v)", err, le)
			}
		})
	}
}
