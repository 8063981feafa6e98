package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// builtBinary builds the program once for every test that runs it.
func builtBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "banksale-bin-"); buildErr != nil {
			return
		}
		os.Chmod(buildDir, 0o755) // a test runs it as another user
		bin := filepath.Join(buildDir, "banksale")
		if runtime.GOOS == "windows" {
			bin += ".exe"
		}
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	bin := filepath.Join(buildDir, "banksale")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	return bin
}

// runCmd runs the program as cmd says and returns its exit status and output; only a program
// that could not be run at all fails the test.
func runCmd(t *testing.T, cmd *exec.Cmd) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

// TestBinary drives the real program: what main adds to run (the process's environment,
// exit statuses, the default config place) only shows there.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := builtBinary(t)
	home := filepath.Join(dir, "home")
	exe := func(args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
			"XDG_DATA_HOME="+filepath.Join(home, "data"), "LANG=C", "LC_ALL=", "LC_MESSAGES=", "BANKSALE_APP_SECRET=")
		return runCmd(t, cmd)
	}

	if code, out, _ := exe("version"); code != 0 || !strings.HasPrefix(out, "banksale ") {
		t.Errorf("version: %d %q", code, out)
	}
	if runtime.GOOS == "linux" {
		// No config yet: say where it belongs, how to start, and that --demo needs none.
		code, out, errs := exe()
		want := filepath.Join(home, ".config", "banksale", "config.toml")
		if code != exitSetup || out != "" || !strings.Contains(errs, want) || !strings.Contains(errs, "config.toml.example") || !strings.Contains(errs, "banksale --demo") {
			t.Errorf("no config: %d %q %q", code, out, errs)
		}
		// Commands run on the defaults: the journal goes to the per-user data folder.
		bad := filepath.Join(dir, "bad.jsonl")
		os.WriteFile(bad, []byte("{\"order_id\":\"A\",\"trade_amount\":0}\n"), 0o600)
		if code, _, errs := exe("import", bad); code != exitRefused || !strings.Contains(errs, bad+":1 ") {
			t.Errorf("import: %d %q", code, errs)
		}
		if _, err := os.Stat(filepath.Join(home, "data", "banksale", "banksale.log")); err != nil {
			t.Errorf("log beside the default journal: %v", err)
		}
	}
	if code, _, _ := exe("nonsense"); code != exitUsage {
		t.Errorf("unknown command: %d", code)
	}
}
