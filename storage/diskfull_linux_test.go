//go:build linux

package storage

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"banksale/model"
)

// smallDisk mounts a file system of size bytes (tmpfs) for the test, or skips when this machine
// does not let the test mount one (not root, or in a container without the right).
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small file system here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes a file until the file system is full and returns its name.
func fill(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			return name
		}
	}
}

// TestRealDiskFull: on a file system that really fills up, the journal's writes fail as
// model.ErrDiskFull, what was journaled before stays readable, and once space is freed the same
// writes succeed: the words the uploader and the screen act on come from SQLite's own error.
func TestRealDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a file system")
	}
	ctx := context.Background()
	dir := smallDisk(t, "3m")
	j, err := Open(ctx, filepath.Join(dir, "journal.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	for i := range 20 {
		mustInsert(t, j, testSale(i, t0.Add(time.Duration(i)*time.Minute)))
	}
	filler := fill(t, dir)
	var full error
	for i := 20; i < 2000 && full == nil; i++ { // the WAL has room for a few: write until it has none
		_, full = j.Insert(ctx, testSale(i, t0.Add(time.Duration(i)*time.Minute)), "t")
	}
	if !errors.Is(full, model.ErrDiskFull) {
		t.Fatalf("insert on a full disk: %v, want model.ErrDiskFull", full)
	}
	if _, err := j.Claim(ctx, time.Now().Add(time.Hour), 10, time.Minute); !errors.Is(err, model.ErrDiskFull) {
		t.Errorf("claim on a full disk: %v", err)
	}
	if c, err := j.Counts(ctx); err != nil || c[model.StatusPending] < 20 {
		t.Errorf("reading on a full disk: %v %v", c, err)
	}
	os.Remove(filler)
	claimed, err := j.Claim(ctx, time.Now().Add(time.Hour), 10, time.Minute)
	if err != nil || len(claimed) != 10 {
		t.Fatalf("claim once space is back: %d %v", len(claimed), err)
	}
	if _, err := j.Record(ctx, model.Outcome{OrderID: claimed[0].OrderID, Status: model.StatusUploaded}); err != nil {
		t.Errorf("record once space is back: %v", err)
	}
	if h, err := j.Check(ctx, false); err != nil || !h.OK() {
		t.Errorf("the journal after a full disk: %+v %v", h, err)
	}
}
