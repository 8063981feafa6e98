//go:build unix

package storage

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFilesArePrivate: the journal, its -wal, -shm and lock, and a backup are readable by
// their owner alone, and a journal an older banksale left readable by all is made private.
func TestFilesArePrivate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "journal.db")
	old := syscall.Umask(0o022) // the usual umask: without care SQLite makes the file 0644
	defer syscall.Umask(old)
	j, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustInsert(t, j, testSale(1, t0))
	backup := filepath.Join(dir, "backup.db")
	if err := j.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm", path + ".lock", backup} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v, want -rw-------", filepath.Base(name), fi.Mode().Perm())
		}
	}
	j.Close()
	for _, name := range []string{path, path + ".lock"} {
		os.Chmod(name, 0o644)
	}
	j, err = Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	for _, name := range []string{path, path + ".lock"} {
		if fi, _ := os.Stat(name); fi.Mode().Perm() != 0o600 {
			t.Errorf("an older journal's %s stays %v", filepath.Base(name), fi.Mode().Perm())
		}
	}
}
