package ui

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"banksale/model"
	"banksale/sync/top/toptest"
)

// tmuxSession runs the real binary in a detached tmux window and reads its screen. It has a
// tmux server of its own (named by its session), so a person's tmux, or their kill-server,
// and the test leave each other alone.
type tmuxSession struct {
	t    *testing.T
	name string
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.name}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-t", s.name) }

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		s.tmux("send-keys", "-t", s.name, k)
		time.Sleep(30 * time.Millisecond)
	}
}

// text types literally, a key at a time.
func (s *tmuxSession) text(txt string) {
	s.t.Helper()
	for _, r := range txt {
		s.tmux("send-keys", "-t", s.name, "-l", string(r))
	}
	time.Sleep(50 * time.Millisecond)
}

func (s *tmuxSession) waitFor(within time.Duration, what string, cond func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for {
		scr := s.screen()
		if cond(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waiting for %s; the screen is:\n%s", what, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *tmuxSession) waitText(within time.Duration, want ...string) string {
	s.t.Helper()
	return s.waitFor(within, fmt.Sprintf("%q", want), func(scr string) bool {
		for _, w := range want {
			if !strings.Contains(scr, w) {
				return false
			}
		}
		return true
	})
}

// rowOf is the screen line of an order.
func rowOf(scr, id string) string {
	for _, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, id) && !strings.Contains(l, "Search:") {
			return l
		}
	}
	return ""
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// TestMain removes the binary the end-to-end tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinary builds the real program once for every end-to-end test.
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		root, err := filepath.Abs("..")
		if err != nil {
			binErr = err
			return
		}
		if binDir, err = os.MkdirTemp("", "banksale-e2e-"); err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(binDir, "banksale")
		build := exec.Command("go", "build", "-o", binPath, ".")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// e2eBinary skips an end-to-end test where it cannot run (no tmux, -short), else builds the
// real program and returns it.
func e2eBinary(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: the end-to-end test drives the real binary inside tmux")
	}
	if testing.Short() {
		t.Skip("end-to-end: builds the binary")
	}
	return buildBinary(t)
}

// TestEndToEndUnreachable: the real program pointed at a gateway whose port is closed says in
// its header, within 30 seconds, that head office cannot be reached and why.
func TestEndToEndUnreachable(t *testing.T) {
	bin := e2eBinary(t)
	tmp := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	cfg := filepath.Join(tmp, "config.toml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`[gateway]
url = "http://%s/router/rest"
app_key = "12345678"
app_secret = "s3cret"
[journal]
path = %q
[store]
desk_code = "K7"
`, closed, filepath.Join(tmp, "j.db"))), 0o600); err != nil {
		t.Fatal(err)
	}
	orders := filepath.Join(tmp, "orders.csv")
	os.WriteFile(orders, []byte("order_id,sequence_no,payment_channel,trade_time,sub_sale_type,trade_amount,pos_trace_no,trade_ref_no,pay_type_no\n"+
		"U1,30012345678,001,2026-11-26 10:00:00,001,1250,000123,331000000001,1\n"+
		"U2,30012345679,001,2026-11-26 10:05:00,001,990,000124,331000000002,1\n"), 0o600)
	if out, err := exec.Command(bin, "--config", cfg, "import", orders).CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, lang := range []struct{ env, want string }{{"en_US.UTF-8", "Head office unreachable since"}, {"zh_CN.UTF-8", "无法连接总部"}} {
		s := &tmuxSession{t: t, name: fmt.Sprintf("banksale-e2e-unreach-%d-%s", os.Getpid(), lang.env[:2])}
		cmd := fmt.Sprintf("env -u NO_COLOR HOME=%s LANG=%s LC_ALL=%s TERM=xterm-256color %s --config %s; sleep 30", tmp, lang.env, lang.env, bin, cfg)
		s.tmux("new-session", "-d", "-s", s.name, "-x", "80", "-y", "24", cmd)
		t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.name, "kill-server").Run() })
		scr := s.waitText(30*time.Second, lang.want)
		if !strings.Contains(scr, "HZ01/K7") {
			t.Errorf("the header does not show the desk code:\n%s", scr)
		}
		t.Logf("%s:\n%s", lang.env, scr)
		s.keys("q")
		time.Sleep(200 * time.Millisecond)
		s.keys("y")
	}
}

// TestEndToEndDemo drives `banksale --demo` under tmux as a supervisor would: enters a sale
// from a slip and sees it uploaded, opens a rejected order, edits it and sees it uploaded,
// retries the other one, resizes the window, and quits.
func TestEndToEndDemo(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: the end-to-end test drives the real binary inside tmux")
	}
	if testing.Short() {
		t.Skip("end-to-end: builds the binary and waits for the demo's uploads")
	}
	tmp := t.TempDir()
	bin := buildBinary(t)
	s := &tmuxSession{t: t, name: fmt.Sprintf("banksale-e2e-%d", os.Getpid())}
	home := filepath.Join(tmp, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	// a clean HOME: no config of the machine's user is read
	cmd := fmt.Sprintf("env -u NO_COLOR HOME=%s XDG_CONFIG_HOME=%s/.config LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8 TERM=xterm-256color %s --demo; sleep 30", home, home, bin)
	s.tmux("new-session", "-d", "-s", s.name, "-x", "80", "-y", "24", cmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.name, "kill-server").Run() })

	s.waitText(20*time.Second, "banksale", "DEMO")
	// the demo's uploads settle: two rejections wait for a person
	s.waitText(90*time.Second, "rejected 2", "pending 0", "retrying 0", "uploading 0")

	// 1. a new sale from a bank slip
	s.keys("n")
	scr := s.waitText(5*time.Second, "New sale  HZ01")
	id := regexp.MustCompile(`HZ01\d{8}[A-Z0-9]{1,4}\d{4}`).FindString(scr)
	if id == "" {
		t.Fatalf("no generated order id:\n%s", scr)
	}
	s.keys("Enter") // the channel: bank card
	s.text("now")
	s.keys("Tab")
	s.text("88.00")
	s.keys("Tab")
	s.text("000777")
	s.keys("Tab")
	s.text("331000099777")
	s.keys("Tab")
	s.text("6222021234567890128")
	s.keys("Tab")
	scr = s.waitText(3*time.Second, "622202*********0128")
	if strings.Contains(scr, "6222021234567890128") {
		t.Fatal("the full card number is on the screen after leaving the field")
	}
	s.keys("Tab", "Tab", "Tab", "Tab") // the bank came from the card's first digits
	s.text("30012399999")
	s.keys("C-s")
	scr = s.waitFor(5*time.Second, "saved or asked", func(scr string) bool {
		return strings.Contains(scr, "Saved "+id) || strings.Contains(scr, "ctrl+s again")
	})
	if strings.Contains(scr, "ctrl+s again") {
		s.keys("C-s")
	}
	s.waitFor(20*time.Second, id+" uploaded", func(scr string) bool {
		return strings.HasPrefix(strings.TrimSpace(rowOf(scr, id)), "uploaded")
	})

	// 2. a rejected order: the screen names the refused field; resent as is (r) it is refused
	// again; corrected on the form, it uploads
	s.keys("2")
	scr = s.waitText(5*time.Second, "[2 Attention 2]")
	ids := regexp.MustCompile(`(?m)^rejected\s+(HZ01\d{8}[A-Z0-9]{1,4}\d{4})`).FindAllStringSubmatch(scr, -1)
	if len(ids) != 2 {
		t.Fatalf("want two rejected rows:\n%s", scr)
	}
	first, second := ids[0][1], ids[1][1] // the newer has a short reference number, the older an unknown store
	s.keys("Enter")
	s.waitText(5*time.Second, "Order "+first, "rejected", "does not accept its Reference no", "Refused        Reference no")
	s.keys("r")
	s.waitFor(20*time.Second, first+" refused again after r", func(scr string) bool {
		return strings.Count(scr, "rejected code 15") == 2 && regexp.MustCompile(`Status\s+rejected`).MatchString(scr)
	})
	s.keys("e")
	s.waitText(5*time.Second, "Edit order "+first, "Reference no from the slip", "> Reference no")
	s.text("331000012345") // replaces the refused value, which the form selected
	s.keys("C-s")
	s.waitFor(20*time.Second, first+" uploaded in its detail", func(scr string) bool {
		return strings.Contains(scr, "Order "+first) && regexp.MustCompile(`Status\s+uploaded`).MatchString(scr)
	})

	// 3. the other one, found by the tail of its number: the store number head office refused
	s.keys("Escape")
	s.waitText(5*time.Second, second)
	s.keys("1")
	s.waitText(5*time.Second, "[1 All]")
	s.keys("/")
	s.text(second)
	s.keys("Enter")
	// The filter line is cut at 80 columns; the one row that matches says the search is on.
	s.waitFor(5*time.Second, "the search for "+second, func(scr string) bool {
		return strings.Contains(scr, "Search: HZ01") && rowOf(scr, second) != "" && strings.Count(scr, "HZ0120") == 2
	})
	s.keys("e")
	s.waitText(5*time.Second, "Edit order "+second, "Store no from the slip", "> Store no")
	s.text("HZ01")
	s.keys("C-s")
	s.waitFor(20*time.Second, second+" uploaded", func(scr string) bool {
		return strings.HasPrefix(strings.TrimSpace(rowOf(scr, second)), "uploaded")
	})
	s.keys("/", "Escape")
	s.waitText(5*time.Second, "rejected 0", "All")

	// 4. resize: wider shows more columns, too small says so, and back
	s.tmux("resize-window", "-t", s.name, "-x", "120", "-y", "40")
	s.waitText(5*time.Second, "Note", "Trade time")
	s.tmux("resize-window", "-t", s.name, "-x", "60", "-y", "20")
	s.waitText(5*time.Second, "needs at least 80x24")
	s.tmux("resize-window", "-t", s.name, "-x", "80", "-y", "24")
	s.waitText(5*time.Second, "DEMO", "Status")

	// 5. quit
	s.keys("q")
	scr = s.waitFor(5*time.Second, "quit", func(scr string) bool {
		return !strings.Contains(scr, "DEMO") || strings.Contains(scr, "Quit? (y/n)")
	})
	if strings.Contains(scr, "Quit? (y/n)") {
		s.keys("y")
	}
	s.waitFor(5*time.Second, "the program gone", func(scr string) bool { return !strings.Contains(scr, "DEMO") })
}

// TestEndToEndDemoClosedTerminal: closing the terminal the demo runs in (SIGHUP) removes the
// demo's throw-away folder, as quitting does; it used to stay behind.
func TestEndToEndDemoClosedTerminal(t *testing.T) {
	bin := e2eBinary(t)
	tmp := t.TempDir()
	s := &tmuxSession{t: t, name: fmt.Sprintf("banksale-e2e-hup-%d", os.Getpid())}
	cmd := fmt.Sprintf("env -u NO_COLOR HOME=%s TMPDIR=%s LANG=C TERM=xterm-256color %s --demo", tmp, tmp, bin)
	s.tmux("new-session", "-d", "-s", s.name, "-x", "80", "-y", "24", cmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.name, "kill-server").Run() })
	s.waitText(30*time.Second, "DEMO")
	demoDirs := func() []string {
		m, _ := filepath.Glob(filepath.Join(tmp, "banksale-demo-*"))
		return m
	}
	if len(demoDirs()) != 1 {
		t.Fatalf("demo folders while it runs: %v", demoDirs())
	}
	if err := exec.Command("tmux", "-L", s.name, "kill-server").Run(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for len(demoDirs()) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if left := demoDirs(); len(left) > 0 {
		t.Errorf("closing the terminal left %v behind", left)
	}
}

// TestEndToEndSlipKeys types a bank-card sale from a reference slip into the real program and
// counts the keys beyond the slip's own characters: at most 12 (n, an enter per field passed,
// ctrl+s). The bank is not typed: it follows from the card's first digits (622202 is ICBC).
func TestEndToEndSlipKeys(t *testing.T) {
	bin := e2eBinary(t)
	now := time.Now().In(model.CST)
	slipAt := now.Add(-2 * time.Minute)
	if slipAt.Day() != now.Day() {
		t.Skip("two minutes after midnight: the slip's time would be yesterday's")
	}
	tmp := t.TempDir()
	s := &tmuxSession{t: t, name: fmt.Sprintf("banksale-e2e-slip-%d", os.Getpid())}
	cmd := fmt.Sprintf("env -u NO_COLOR HOME=%s XDG_CONFIG_HOME=%s/.config LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8 TERM=xterm-256color %s --demo; sleep 30", tmp, tmp, bin)
	s.tmux("new-session", "-d", "-s", s.name, "-x", "80", "-y", "24", cmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.name, "kill-server").Run() })
	s.waitText(20*time.Second, "banksale", "DEMO")

	const card = "6222021234000000004" // 19 digits of an ICBC card, Luhn-valid; not a real card
	slip := []string{slipAt.Format("15:04"), "1288.00", "000123", "123456789012", card, "", "10250011", "102330158120045", "000001", "20261129001"}
	extra, typed := 0, 0
	key := func(k string) { extra++; s.keys(k) }
	txt := func(v string) { typed += len(v); s.text(v) }

	key("n")
	scr := s.waitText(5*time.Second, "New sale  HZ01")
	id := regexp.MustCompile(`HZ01\d{8}[A-Z0-9]{1,4}\d{4}`).FindString(scr)
	key("Enter") // the channel: bank card, as it stands
	for i, v := range slip {
		txt(v) // the trade time, amount, trace, reference, card, (the bank), terminal, merchant, batch, receipt
		if i < len(slip)-1 {
			key("Enter")
		}
	}
	key("C-s")
	scr = s.waitFor(5*time.Second, "saved", func(scr string) bool {
		return strings.Contains(scr, "Saved "+id) || strings.Contains(scr, "ctrl+s again") || strings.Contains(scr, "Cannot save")
	})
	if !strings.Contains(scr, "Saved "+id) {
		t.Fatalf("not saved with one ctrl+s:\n%s", scr)
	}
	t.Logf("slip characters %d, keys beyond them %d", typed, extra)
	if extra > 12 {
		t.Errorf("%d keys beyond the slip's characters, want at most 12", extra)
	}
	// What was saved is the slip, with ICBC as its bank; and it reaches head office.
	s.waitFor(30*time.Second, id+" uploaded", func(scr string) bool {
		return strings.HasPrefix(strings.TrimSpace(rowOf(scr, id)), "uploaded")
	})
	s.keys("Enter")
	scr = s.waitText(5*time.Second, "Order "+id)
	s.keys("PgDn")
	scr += s.waitText(5*time.Second, "Receipt no")
	for _, want := range []string{"¥1,288.00", "000123", "123456789012", "622202*********0004", "102 中国工商银行", "10250011", "102330158120045", "000001", "20261129001", slipAt.Format("2006-01-02 15:04")} {
		if !strings.Contains(scr, want) {
			t.Errorf("the saved order lacks %q:\n%s", want, scr)
		}
	}
}

// TestEndToEndSaleFromStatement: with the acquirer's statement imported, a sale is entered by
// typing the start of its reference number, choosing the statement's line, and adding the
// receipt: it reaches head office (a real fake gateway on loopback) with the statement's
// fields. The keys are counted.
func TestEndToEndSaleFromStatement(t *testing.T) {
	bin := e2eBinary(t)
	now := time.Now().In(model.CST)
	at := now.Add(-10 * time.Minute)
	if at.Day() != now.Day() {
		t.Skip("ten minutes after midnight: the statement line would be yesterday's")
	}
	srv := toptest.NewServer(toptest.Options{AppKey: "e2e-app", Secret: "e2e-secret"})
	t.Cleanup(srv.Close)
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "config.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("[gateway]\nurl = %q\napp_key = \"e2e-app\"\napp_secret = \"e2e-secret\"\n"+
		"[journal]\npath = %q\n[store]\nstore_no = \"HZ01\"\ndesk_code = \"K7\"\n[card]\ndigest_key = \"k\"\n", srv.URL(), filepath.Join(tmp, "j.db"))), 0o600)
	stmt := filepath.Join(tmp, "allinpay.csv")
	os.WriteFile(stmt, []byte("商户号,终端号,交易时间,交易类型,交易批次号,凭证号,参考号,卡号,交易金额,交易日期\n"+
		fmt.Sprintf("102330158120045,10250011,%s,消费,000001,000123,123456789012,6222021234000000004,1288.00,%s\n",
			at.Format("15:04:05"), at.Format("2006-01-02"))), 0o600)
	if out, err := exec.Command(bin, "--config", cfg, "statement", "import", stmt).CombinedOutput(); err != nil {
		t.Fatalf("statement import: %v\n%s", err, out)
	}
	s := &tmuxSession{t: t, name: fmt.Sprintf("banksale-e2e-stmt-%d", os.Getpid())}
	s.tmux("new-session", "-d", "-s", s.name, "-x", "80", "-y", "24",
		fmt.Sprintf("env -u NO_COLOR HOME=%s LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8 TERM=xterm-256color %s --config %s; sleep 30", tmp, bin, cfg))
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.name, "kill-server").Run() })
	s.waitText(20*time.Second, "banksale", "Store: HZ01/K7")

	extra, typed := 0, 0
	key := func(k string) { extra++; s.keys(k) }
	txt := func(v string) { typed += len(v); s.text(v) }
	key("n")
	scr := s.waitText(5*time.Second, "New sale  HZ01")
	id := regexp.MustCompile(`HZ01\d{8}K7\d{4}`).FindString(scr)
	for range 4 { // channel, time, amount, trace: on to the reference
		key("Enter")
	}
	txt("1234")
	s.waitText(5*time.Second, "1 statement line matches: ctrl+o")
	key("C-o")
	s.waitText(5*time.Second, "¥1,288.00 10250011 000001 000123 123456789012")
	key("Enter")
	s.waitText(5*time.Second, "Filled from statement line allinpay.csv:2")
	txt("20261129001") // the receipt; the tender line stays 1
	key("C-s")
	s.waitFor(5*time.Second, "saved", func(scr string) bool { return strings.Contains(scr, "Saved "+id) })
	t.Logf("keys: %d typed characters and %d others", typed, extra)
	s.waitFor(30*time.Second, id+" uploaded", func(scr string) bool {
		return strings.HasPrefix(strings.TrimSpace(rowOf(scr, id)), "uploaded")
	})
	sent := string(srv.Orders()[id])
	for _, want := range []string{`"trade_amount":128800`, `"pos_trace_no":"000123"`, `"trade_ref_no":"123456789012"`,
		`"terminal_no":"10250011"`, `"bank_shop_no":"102330158120045"`, `"batch_no":"000001"`, `"card_no":"622202*********0004"`,
		`"bank_code":"102"`, `"sequence_no":"20261129001"`, `"trade_time":"` + at.Format("2006-01-02 15:04:05") + `"`} {
		if !strings.Contains(sent, want) {
			t.Errorf("head office got %s, without %s", sent, want)
		}
	}
}
