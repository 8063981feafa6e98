package storage

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"banksale/model"
)

// damagePayload is storagetest.DamagePayload, which this package's own tests cannot import
// (storagetest imports storage).
func damagePayload(t *testing.T, path string, amount string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	needle := []byte(`"trade_amount":` + amount + `,`)
	if n := bytes.Count(b, needle); n != 1 {
		t.Fatalf("%s found %d times in the file, want once (the frozen payload)", needle, n)
	}
	b[bytes.Index(b, needle)+len(`"trade_amount":`)] = '9'
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// withFrozenPayload opens a new journal at path holding sale 1 for ¥10.00 (1000 fen), and the
// others given, all claimed once, so that their payloads are frozen.
func withFrozenPayload(t *testing.T, path string, others ...model.Sale) (*Journal, model.Sale, []model.Order) {
	t.Helper()
	ctx := context.Background()
	j, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := testSale(1, t0)
	s.TradeAmount = 1000
	for _, o := range append([]model.Sale{s}, others...) {
		mustInsert(t, j, o)
	}
	claimed, err := j.Claim(ctx, time.Now().Add(time.Hour), 10, time.Minute)
	if err != nil || len(claimed) != 1+len(others) {
		t.Fatalf("claim: %v %d", err, len(claimed))
	}
	return j, s, claimed
}

// TestDamagedPayloadIsNeverSent: one byte changed in the file under a frozen payload (which
// SQLite's integrity check does not see: the page is whole) is caught by Check and at the
// claim, which stops the order with a sentence instead of sending ¥90.00 for ¥10.00.
func TestDamagedPayloadIsNeverSent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "journal.db")
	j, s, claimed := withFrozenPayload(t, path, testSale(2, t0))
	now := time.Now()
	for _, o := range claimed {
		if _, err := j.Record(ctx, model.Outcome{OrderID: o.OrderID, Status: model.StatusRetrying, NextAttemptAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	if h, err := j.Check(ctx, false); err != nil || !h.OK() || h.Orders != 2 || h.Attempts != 2 {
		t.Fatalf("check of a sound journal: %+v %v", h, err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	damagePayload(t, path, "1000")

	j, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var ok string
	if err := j.r.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("SQLite's own check: %q %v (the test means a damage it cannot see)", ok, err)
	}
	for _, quick := range []bool{true, false} {
		h, err := j.Check(ctx, quick)
		if err != nil || h.OK() || h.DamagedCount != 1 || len(h.Damaged) != 1 || h.Damaged[0] != s.OrderID {
			t.Fatalf("check (quick %v) of the damaged journal: %+v %v", quick, h, err)
		}
	}
	claimed, err = j.Claim(ctx, now.Add(2*time.Hour), 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range claimed {
		if o.OrderID == s.OrderID {
			t.Fatalf("the damaged order was handed out for sending: %s", o.Payload)
		}
	}
	if len(claimed) != 1 {
		t.Fatalf("claimed %d orders, want the sound one", len(claimed))
	}
	o, err := j.Get(ctx, s.OrderID)
	if err != nil || o.Status != model.StatusRejected || o.LastClass != model.ClassDamaged || !o.PayloadDamaged {
		t.Fatalf("damaged order: %v %s %q damaged=%v", err, o.Status, o.LastClass, o.PayloadDamaged)
	}
	audit, _ := j.Audit(ctx, s.OrderID)
	if len(audit) == 0 || audit[len(audit)-1].Action != "damaged" {
		t.Errorf("audit: %+v", audit)
	}
	// Saved again by a person (an edit), it is frozen afresh from its fields and goes.
	if _, err := j.Edit(ctx, o.Sale, "li"); err != nil {
		t.Fatal(err)
	}
	claimed, err = j.Claim(ctx, now.Add(3*time.Hour), 10, time.Minute)
	if err != nil || len(claimed) != 1 || claimed[0].OrderID != s.OrderID || !bytes.Contains(claimed[0].Payload, []byte(`"trade_amount":1000,`)) {
		t.Fatalf("after the edit: %v %+v", err, claimed)
	}
}

// TestBackupIsChecked: a backup is checked before it counts; the copy of a damaged journal is
// refused and removed, and an existing file is never overwritten.
func TestBackupIsChecked(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "journal.db")
	j, _, _ := withFrozenPayload(t, path)
	j.Close()
	damagePayload(t, path, "1000")
	j, err := OpenReadOnly(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	backup := filepath.Join(dir, "backup.db")
	err = j.Backup(ctx, backup)
	if err == nil || !strings.Contains(err.Error(), "the copy is damaged") || !strings.Contains(err.Error(), "1 payloads fail their checksum") {
		t.Fatalf("backup of a damaged journal: %v", err)
	}
	if _, err := os.Stat(backup); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the failed copy stays: %v", err)
	}
	os.WriteFile(backup, []byte("keep me"), 0o600)
	if err := j.Backup(ctx, backup); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup over a file: %v", err)
	}
	if b, _ := os.ReadFile(backup); string(b) != "keep me" {
		t.Errorf("the existing file was changed")
	}
}

// TestOlderPayloadsAreSummedOnce: payloads frozen by a banksale before checksums get theirs when
// this version first opens the journal, and from then on a change to them is caught.
func TestOlderPayloadsAreSummedOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "journal.db")
	j, _, _ := withFrozenPayload(t, path)
	// As an older banksale left it: a frozen payload without a sum, never summed.
	if _, err := j.w.ExecContext(ctx, "UPDATE orders SET payload_sum = NULL"); err != nil {
		t.Fatal(err)
	}
	if _, err := j.w.ExecContext(ctx, "DELETE FROM meta WHERE key = 'payload_sums'"); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	j.r.QueryRowContext(ctx, "SELECT count(*) FROM orders WHERE payload_sum IS NOT NULL").Scan(&n)
	if h, err := j.Check(ctx, true); err != nil || !h.OK() || h.Frozen != 1 || n != 1 {
		t.Fatalf("after the upgrade: %d summed, %+v %v", n, h, err)
	}
	j.Close()
	damagePayload(t, path, "1000")
	j, err = Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if h, _ := j.Check(ctx, true); h.DamagedCount != 1 {
		t.Fatalf("a change after the upgrade went unseen: %+v", h)
	}
}
