package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"banksale/model"
)

// TestCatalog: every sentence the screen shows exists in both languages with the same
// placeholders, every key the code asks for is in the catalog, and the catalog holds nothing
// the code never asks for.
func TestCatalog(t *testing.T) {
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	for k, e := range catalog {
		if e[0] == "" || e[1] == "" {
			t.Errorf("%s: missing a language: %q", k, e)
		}
		if zh, en := verbs.FindAllString(e[0], -1), verbs.FindAllString(e[1], -1); strings.Join(zh, " ") != strings.Join(en, " ") {
			t.Errorf("%s: placeholders %v in Chinese, %v in English", k, zh, en)
		}
	}

	// Keys written out in the code: t("…"), tr(l, "…"), the key map's descriptions, the tabs
	// and the form's groups.
	files, _ := filepath.Glob("*.go")
	used := map[string]bool{}
	mentioned := map[string]bool{} // every string literal of the code: a key may be passed around
	literal := regexp.MustCompile(`"([a-z][a-z0-9_.]*)"`)
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`\.t\("([^"]+)"`),
		regexp.MustCompile(`\bbad\("([^"]+)"`),
		regexp.MustCompile(`\btr\([a-zA-Z.]+, "([^"]+)"`),
		regexp.MustCompile(`\bb\(\[\]string\{[^}]*\}, "[^"]*", "([^"]+)"\)`),
		regexp.MustCompile(`\{"(tab\.[a-z]+)", `),
		regexp.MustCompile(`"(grp\.[a-z]+)"`),
	}
	plural := regexp.MustCompile(`\b(?:\.tn|trn)\([a-zA-Z.]*,? ?"([^"]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				if !strings.HasSuffix(m[1], ".") { // "todo."+status: checked below
					used[m[1]] = true
				}
			}
		}
		// A count's sentence: the key, and its singular where the catalogue has one.
		for _, m := range plural.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
			if _, ok := catalog[m[1]+".1"]; ok {
				used[m[1]+".1"] = true
			}
		}
		if f == "text.go" {
			continue // the catalog itself
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			mentioned[m[1]] = true
		}
	}
	// Keys the code builds from the domain's values.
	for _, s := range model.Statuses {
		used["todo."+string(s)] = true
	}
	for _, o := range []string{"uploaded", "retrying", "rejected", "paused"} { // model.Attempt.Outcome
		used["out."+o] = true
	}
	for _, c := range []model.Channel{model.ChannelQuickPass, model.ChannelBankCard} {
		used["ch.short."+string(c)] = true
	}
	for _, id := range []string{"status", "order", "time", "type", "channel", "amount", "card", "attempts", "error"} {
		used["col."+id] = true
	}
	c := New(t.Context(), withDesk(testDeps(openJournal(t), model.EN))).c
	f, _ := newForm(c, modeNew, nil)
	for _, fl := range f.fields {
		used["f."+fl.name] = true
	}
	for _, name := range []string{model.FieldCashier, model.FieldOperateTime, model.FieldSaleType, model.FieldBankName,
		model.FieldEncrypteSummary, model.FieldIP, model.FieldMAC, model.FieldRback} {
		used["f."+name] = true // shown on the form's automatic line, in its problems and in the detail
	}

	for k := range used {
		if _, ok := catalog[k]; !ok {
			t.Errorf("the code asks for %q, which the catalog lacks", k)
		}
	}
	for k := range catalog {
		if !used[k] && !mentioned[k] {
			t.Errorf("the catalog holds %q, which nothing asks for", k)
		}
	}
}
