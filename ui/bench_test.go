package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"banksale/model"
	"banksale/storage"
	"banksale/storage/storagetest"
)

const bigN = 1_000_000

// openBig opens the storage engineer's cached million-order journal (a copy when another
// process holds it).
func openBig(tb testing.TB) (*storage.Journal, string) {
	tb.Helper()
	path := storagetest.Big(tb, bigN)
	j, err := storage.Open(context.Background(), path, nil)
	var le *model.InUseError
	if errors.As(err, &le) {
		cp := filepath.Join(tb.TempDir(), "big.db")
		storagetest.Copy(tb, path, cp)
		path = cp
		j, err = storage.Open(context.Background(), path, nil)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { j.Close() })
	return j, path
}

func bigDeps(j testJournal) Deps {
	d := testDeps(j, model.ZH)
	d.Now = time.Now
	return d
}

// BenchmarkJournalView1M: drawing the journal screen with a million orders in the journal.
func BenchmarkJournalView1M(b *testing.B) {
	j, _ := openBig(b)
	hs := newHarness(b, bigDeps(j), 120, 40)
	if len(hs.m.jr.rows) == 0 {
		b.Fatal("no rows")
	}
	for b.Loop() {
		_ = hs.m.View()
	}
}

// BenchmarkCursorMove1M: one cursor move down (and the page reads it causes, amortised) and the
// frame drawn after it, walking deep into a million orders.
func BenchmarkCursorMove1M(b *testing.B) {
	j, _ := openBig(b)
	hs := newHarness(b, bigDeps(j), 120, 40)
	down := keyMsg("down")
	for b.Loop() {
		hs.send(down)
		_ = hs.m.View()
	}
	if len(hs.m.jr.rows) > hs.m.jr.window()+hs.m.jr.chunk() {
		b.Fatalf("window grew to %d", len(hs.m.jr.rows))
	}
}

// BenchmarkPageDown1M: a page down and its frame.
func BenchmarkPageDown1M(b *testing.B) {
	j, _ := openBig(b)
	hs := newHarness(b, bigDeps(j), 120, 40)
	pg := keyMsg("pgdown")
	for b.Loop() {
		hs.send(pg)
		_ = hs.m.View()
	}
}

// BenchmarkStartToFirstFrame1M: open the journal, build the screen, read the first page and
// the counts, draw the first frame.
func BenchmarkStartToFirstFrame1M(b *testing.B) {
	j0, path := openBig(b)
	j0.Close() // the benchmark opens the file itself each time
	for b.Loop() {
		j, err := storage.Open(context.Background(), path, nil)
		if err != nil {
			b.Fatal(err)
		}
		hs := newHarness(b, bigDeps(j), 120, 40)
		if !strings.Contains(hs.screen(), "HZ") {
			b.Fatalf("first frame has no orders:\n%s", hs.screen())
		}
		hs.m.Close()
		j.Close()
	}
}

// BenchmarkPeakMemory1M runs a child process that opens the million-order journal, scrolls
// through 20,000 orders, opens every screen, and reports its peak resident memory.
func BenchmarkPeakMemory1M(b *testing.B) {
	j, path := openBig(b)
	j.Close() // the child opens the journal as a real start does, not a copy of it
	var peak int64
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPeakMemoryChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "BANKSALE_PEAK_CHILD="+path)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		// Not the child's rusage: on Linux its ru_maxrss also holds the high-water mark of the
		// parent's memory at the fork (the exec inherits it), and this parent has a million-order
		// journal open, so it measured 52 to 165 MB depending on what ran before. The child reads
		// its own VmHWM, which starts again at exec.
		m := regexp.MustCompile(`peak-kib=(\d+)`).FindSubmatch(out)
		if m == nil {
			b.Fatalf("child did not report its peak:\n%s", out)
		}
		kib, _ := strconv.ParseInt(string(m[1]), 10, 64)
		peak = max(peak, kib)
	}
	b.ReportMetric(float64(peak)/1024, "peak-MB")
}

// TestPeakMemoryChild is the child of BenchmarkPeakMemory1M; it does nothing in a normal run.
func TestPeakMemoryChild(t *testing.T) {
	path := os.Getenv("BANKSALE_PEAK_CHILD")
	if path == "" {
		t.Skip("only run by BenchmarkPeakMemory1M")
	}
	j, err := storage.Open(context.Background(), path, nil)
	var le *model.InUseError
	if errors.As(err, &le) {
		cp := filepath.Join(t.TempDir(), "big.db")
		storagetest.Copy(t, path, cp)
		j, err = storage.Open(context.Background(), cp, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	hs := newHarness(t, bigDeps(j), 120, 40)
	for range 20_000 / hs.m.jr.pageRows() {
		hs.press("pgdown")
		_ = hs.m.View()
	}
	hs.press("enter", "esc", "s", "esc", "n", "esc", "G", "g", "3", "/")
	hs.typ("HZ01")
	hs.press("enter")
	_ = hs.m.View()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		t.Fatalf("no VmHWM in /proc/self/status")
	}
	fmt.Printf("peak-kib=%s\n", m[1])
}

// BenchmarkFormKeystroke1M: one key typed in the entry form, with the validation it runs and
// the journal checks (duplicates, the original sale of a refund) it asks for, a million orders in.
func BenchmarkFormKeystroke1M(b *testing.B) {
	j, _ := openBig(b)
	hs := newHarness(b, bigDeps(j), 80, 24)
	for i, o := range hs.m.jr.rows {
		if o.SubSaleType == model.SubSale {
			hs.selectOrderAt(i)
			break
		}
	}
	hs.press("f")
	if hs.form() == nil {
		b.Fatal("no refund form")
	} // a refund of the newest order: Related is read on every key too
	hs.form().focusField(model.FieldPosTraceNo)
	keys := []string{"1", "2", "3", "backspace", "backspace", "backspace"}
	i := 0
	for b.Loop() {
		hs.press(keys[i%len(keys)])
		_ = hs.m.View()
		i++
	}
}

func (h *harness) selectOrderAt(i int) {
	h.m.jr.cur = i
	h.m.jr.clampView()
}

// BenchmarkReconcileMove10k: one cursor move on the reconcile screen and the frame drawn after
// it, on a day with 10,000 statement lines (the busiest day), none of them keyed here.
func BenchmarkReconcileMove10k(b *testing.B) {
	j := openJournal(b)
	day := clock.Add(-15 * time.Hour) // 2026-11-26 00:00 CST
	lines := make([]model.StatementLine, 10_000)
	for i := range lines {
		lines[i] = model.StatementLine{File: "allinpay-20261126.csv", Row: i + 2, Kind: model.StatementSale,
			TradeTime: day.Add(time.Duration(i) * 8 * time.Second), Amount: model.Amount(100 + i), Channel: model.ChannelBankCard,
			Terminal: "10250011", Batch: "000009", Trace: fmt.Sprintf("%06d", i), Ref: fmt.Sprintf("33%010d", i), Card: "622202******0004"}
	}
	if _, err := j.ImportStatement(context.Background(), lines, "bench"); err != nil {
		b.Fatal(err)
	}
	hs := newHarness(b, testDeps(j, model.ZH), 120, 40)
	hs.press("b")
	if !strings.Contains(hs.screen(), "(10000)") {
		b.Fatalf("the day did not load:\n%s", hs.screen())
	}
	keys := []tea.KeyPressMsg{keyMsg("down"), keyMsg("up")}
	i := 0
	for b.Loop() {
		hs.send(keys[i%2])
		_ = hs.m.View()
		i++
	}
}
