package ui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
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
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "banksale")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	s := &tmuxSession{t: t, name: fmt.Sprintf("banksale-e2e-%d", os.Getpid())}
	home := filepath.Join(tmp, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	// a clean HOME: no config of the machine's user is read
	cmd := fmt.Sprintf("env -u NO_COLOR HOME=%s XDG_CONFIG_HOME=%s/.config LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8 TERM=xterm-256color %s --demo; sleep 30", home, home, bin)
	s.tmux("new-session", "-d", "-s", s.name, "-x", "80", "-y", "24", cmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.name, "kill-server").Run() })

	s.waitText(20*time.Second, "Bank sales entry", "DEMO")
	// the demo's uploads settle: two rejections wait for a person
	s.waitText(60*time.Second, "rejected 2", "pending 0", "retrying 0", "uploading 0")

	// 1. a new sale from a bank slip
	s.keys("n")
	scr := s.waitText(5*time.Second, "New sale", "generated")
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
	s.keys("Tab", "Tab") // past the generated order number
	s.text("6222021234567890128")
	s.keys("Tab")
	scr = s.waitText(3*time.Second, "622202*********0128")
	if strings.Contains(scr, "6222021234567890128") {
		t.Fatal("the full card number is on the screen after leaving the field")
	}
	s.text("308")
	s.keys("Enter", "Tab", "Tab", "Tab", "Tab")
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

	// 2. a rejected order: open it, edit it, see it uploaded
	s.keys("2")
	scr = s.waitText(5*time.Second, "[2 Attention 2]")
	ids := regexp.MustCompile(`(?m)^rejected\s+(HZ01\d{8}[A-Z0-9]{1,4}\d{4})`).FindAllStringSubmatch(scr, -1)
	if len(ids) != 2 {
		t.Fatalf("want two rejected rows:\n%s", scr)
	}
	first, second := ids[0][1], ids[1][1]
	s.keys("Enter")
	s.waitText(5*time.Second, "Order "+first, "rejected", "What to do")
	s.keys("e")
	s.waitText(5*time.Second, "Edit order "+first, "Refused")
	s.keys("C-s")
	scr = s.waitFor(5*time.Second, "edit saved", func(scr string) bool {
		return strings.Contains(scr, "Saved "+first) || strings.Contains(scr, "ctrl+s again")
	})
	if strings.Contains(scr, "ctrl+s again") {
		s.keys("C-s")
	}
	s.waitFor(20*time.Second, first+" uploaded in its detail", func(scr string) bool {
		return strings.Contains(scr, "Order "+first) && regexp.MustCompile(`Status\s+uploaded`).MatchString(scr)
	})

	// 3. the other one: retry it as it is
	s.keys("Escape")
	s.waitText(5*time.Second, second)
	s.keys("1")
	s.waitText(5*time.Second, "[1 All]")
	s.keys("/")
	s.text(second)
	s.keys("Enter")
	s.waitText(5*time.Second, "Search: "+second)
	s.keys("r")
	s.waitFor(20*time.Second, second+" uploaded", func(scr string) bool {
		return strings.HasPrefix(strings.TrimSpace(rowOf(scr, second)), "uploaded")
	})
	s.keys("/", "Escape")
	s.waitText(5*time.Second, "rejected 0", "All")

	// 4. resize: wider shows more columns, too small says so, and back
	s.tmux("resize-window", "-t", s.name, "-x", "120", "-y", "40")
	s.waitText(5*time.Second, "Last error", "Trade time")
	s.tmux("resize-window", "-t", s.name, "-x", "60", "-y", "20")
	s.waitText(5*time.Second, "needs at least 80x24")
	s.tmux("resize-window", "-t", s.name, "-x", "80", "-y", "24")
	s.waitText(5*time.Second, "Bank sales entry", "Status")

	// 5. quit
	s.keys("q")
	scr = s.waitFor(5*time.Second, "quit", func(scr string) bool {
		return !strings.Contains(scr, "Bank sales entry") || strings.Contains(scr, "Quit? (y/n)")
	})
	if strings.Contains(scr, "Quit? (y/n)") {
		s.keys("y")
	}
	s.waitFor(5*time.Second, "the program gone", func(scr string) bool { return !strings.Contains(scr, "Bank sales entry") })
}
