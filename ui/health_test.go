package ui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"banksale/model"
	"banksale/storage"
	"banksale/storage/storagetest"
)

// TestDamagedJournalSaysSoAtStart: the screen looks the journal over at start; one byte changed
// under a frozen payload puts a banner in place of the uploader's state, on every screen, in
// both languages; a sound journal shows none.
func TestDamagedJournalSaysSoAtStart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := storage.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	j.SetRules(testRules())
	s := sale(t, "HZ01202611260001", "10:00:00", model.SubSale, model.ChannelBankCard, "10.00", "", "")
	if _, err := j.Insert(ctx, s, "张三"); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Claim(ctx, time.Now().Add(time.Hour), 10, time.Minute); err != nil {
		t.Fatal(err)
	}
	sound := newHarnessChecking(t, testDeps(fixedTimes{j}, model.EN), 80, 24, true)
	sound.lacks("DAMAGED")
	sound.m.Close()
	j.Close()

	storagetest.DamagePayload(t, path, 1000)

	for _, lang := range []model.Lang{model.EN, model.ZH} {
		j, err := storage.Open(ctx, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		j.SetRules(testRules())
		hs := newHarnessChecking(t, testDeps(fixedTimes{j}, lang), 80, 24, true)
		banner := lang.Pick("日志已损坏", "JOURNAL DAMAGED: run banksale check")
		hs.contains(banner)
		hs.press("enter") // the order's detail
		hs.contains(banner)
		hs.press("esc", "n") // a new sale's form
		hs.contains(banner)
		hs.m.Close()
		j.Close()
	}
}
