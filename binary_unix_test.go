//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadOnlyFolderIsReadable: a journal in a folder the user may only read (a copy on a
// share, another user's folder) can still be listed, shown, exported, reported and checked;
// the log is skipped with a word. It used to fail at once, opening the log. Run as root, the
// test runs the binary as nobody, for whom root's folder is read-only.
func TestReadOnlyFolderIsReadable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	te := newTestEnv(t, "")
	importGood(t, te, 3)
	journal := filepath.Join(te.dir, "banksale.db")
	bin := builtBinary(t)

	var cred *syscall.Credential
	if os.Getuid() == 0 {
		// nobody reads the files (its own) in root's folder, where it may create nothing.
		const nobody = 65534
		cred = &syscall.Credential{Uid: nobody, Gid: nobody}
		for d := te.dir; d != filepath.Dir(os.TempDir()) && d != "/"; d = filepath.Dir(d) {
			if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o005 != 0o005 {
				os.Chmod(d, fi.Mode().Perm()|0o055)
			}
		}
		for _, f := range []string{journal, journal + ".lock", te.config} {
			if err := os.Chown(f, nobody, nobody); err != nil {
				t.Skip("cannot hand the journal to nobody:", err)
			}
		}
	} else {
		os.Chmod(te.dir, 0o555)
		t.Cleanup(func() { os.Chmod(te.dir, 0o700) })
	}
	before, _ := os.ReadDir(te.dir)
	exe := func(args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--config", te.config}, args...)...)
		cmd.Env = []string{"LANG=C", "HOME=" + te.dir, "PATH=/usr/bin:/bin"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		return runCmd(t, cmd)
	}
	if code, _, errs := exe("void", "T00000001", "--reason", "typed twice"); code != exitSetup || !strings.Contains(errs, "may not write the journal") {
		t.Errorf("void in a read-only folder: %d %q (it writes: it must refuse, saying why)", code, errs)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"list"}, "T00000002"},
		{[]string{"show", "T00000001"}, "T00000001"},
		{[]string{"export"}, "T00000000"},
		{[]string{"report", "--day", "2026-11-25"}, "3"},
		{[]string{"check"}, "The journal is sound."},
	} {
		code, out, errs := exe(c.args...)
		if code != exitOK || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, out, errs)
			continue
		}
		if !strings.Contains(errs, "going on without a log") || !strings.Contains(errs, "read-only for you") {
			t.Errorf("%v says nothing of the log or the folder: %q", c.args, errs)
		}
	}
	after, _ := os.ReadDir(te.dir)
	if len(after) != len(before) {
		t.Errorf("files appeared in the read-only folder: %v → %v", before, after)
	}
}
