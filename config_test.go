package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"banksale/model"
)

func noEnv(string) string { return "" }

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigExampleIsTheDefaults(t *testing.T) {
	cfg, warns, err := LoadConfig("config.toml.example", true, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	def := DefaultConfig()
	def.File = "config.toml.example"
	def.Journal.Path = cfg.Journal.Path
	if !reflect.DeepEqual(cfg, def) {
		t.Errorf("example = %+v\ndefaults = %+v", cfg, def)
	}
	// Every key the program reads appears in the example, so the example documents them all.
	data, _ := os.ReadFile("config.toml.example")
	for _, k := range knownKeys {
		name := k[strings.LastIndexByte(k, '.')+1:]
		if !strings.Contains(string(data), "\n"+name+" = ") {
			t.Errorf("config.toml.example lacks %s", k)
		}
	}
}

func TestConfigMissing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "none.toml")
	cfg, _, err := LoadConfig(p, false, noEnv)
	if err != nil || cfg.File != "" || cfg.Store.StoreNo != "HZ01" || cfg.Journal.Path == "" {
		t.Fatalf("cfg %+v err %v", cfg, err)
	}
	if _, _, err := LoadConfig(p, true, noEnv); err == nil {
		t.Fatal("an explicit --config that does not exist must be an error")
	}
}

func TestConfigValues(t *testing.T) {
	p := writeConfig(t, `
[gateway]
app_key = "12345678"
timeout = "30s"
sign_method = "md5"
[uploader]
workers = 2
rate_limit = 2.5
backoff_cap = "1h"
[store]
store_no = "SH02"
void_sale_type = "0"
[journal]
path = "/data/j.db"
[ui]
lang = "zh"
`)
	cfg, _, err := LoadConfig(p, true, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Gateway.AppKey != "12345678" || cfg.Gateway.Timeout.Duration != 30*time.Second || cfg.Gateway.SignMethod != "md5" ||
		cfg.Gateway.ConnectTimeout.Duration != 10*time.Second || cfg.Uploader.Workers != 2 || cfg.Uploader.RateLimit != 2.5 ||
		cfg.Uploader.BackoffCap.Duration != time.Hour || cfg.Store.StoreNo != "SH02" || cfg.Store.VoidSaleType != "0" ||
		cfg.Journal.Path != "/data/j.db" || cfg.Lang(noEnv) != model.ZH {
		t.Errorf("cfg = %+v", cfg)
	}
}

func TestConfigEnvOverrides(t *testing.T) {
	p := writeConfig(t, "[gateway]\napp_secret = \"file\"\n")
	env := map[string]string{envAppSecret: "env-secret", envSession: "env-session", envCardKey: "env-key"}
	cfg, _, err := LoadConfig(p, true, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Gateway.AppSecret != "env-secret" || cfg.Gateway.Session != "env-session" || cfg.Card.DigestKey != "env-key" {
		t.Errorf("cfg = %+v", cfg)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name, text string
		line       int
		key, says  string
	}{
		{"syntax", "[gateway]\nurl = \"x\nfoo\n", 2, "", ""},
		{"table", "[gateway\n", 0, "", "end table name"},
		{"type", "[uploader]\n\nworkers = \"four\"\n", 3, "uploader.workers", ""},
		{"duration", "[gateway]\ntimeout = \"15\"\n", 2, "gateway.timeout", "duration"},
		{"bare number duration", "[gateway]\ntimeout = 15\n", 2, "gateway.timeout", "duration"},
		{"unknown key", "[uploader]\nworkers = 2\nrate_limt = 5\n", 3, "uploader.rate_limit", "did you mean uploader.rate_limit"},
		{"unknown table", "[gateway]\n[stor]\nstore_no = \"A\"\n", 2, "stor", "unknown key"},
		{"sign method", "[gateway]\nsign_method = \"sha1\"\n", 0, "gateway.sign_method", "hmac-sha256"},
		{"url", "[gateway]\nurl = \"gw.api.taobao.com\"\n", 0, "gateway.url", "http"},
		{"workers", "[uploader]\nworkers = 0\n", 0, "uploader.workers", "1 to 64"},
		{"rate", "[uploader]\nrate_limit = -1\n", 0, "uploader.rate_limit", ""},
		{"cap", "[uploader]\nbackoff_base = \"1m\"\nbackoff_cap = \"1s\"\n", 0, "uploader.backoff_cap", "less than"},
		{"comm", "[store]\ncommunicate_type = \"003\"\n", 0, "store.communicate_type", "001"},
		{"void", "[store]\nvoid_sale_type = \"2\"\n", 0, "store.void_sale_type", ""},
		{"store", "[store]\nstore_no = \"\"\n", 0, "store.store_no", "empty"},
		{"lang", "[ui]\nlang = \"fr\"\n", 0, "ui.lang", ""},
		{"proxy", "[gateway]\nproxy = \"10.0.0.1:3128\"\n", 0, "gateway.proxy", "http://"},
		{"ca file", "[gateway]\nca_file = \"/nonexistent/root.pem\"\n", 0, "gateway.ca_file", "PEM"},
		{"codes", "[gateway]\nduplicate_codes = [1.5]\n", 2, "gateway.duplicate_codes", ""},
		{"desk code", "[store]\ndesk_code = \"A-1\"\n", 0, "store.desk_code", "letters or digits"},
		{"give up", "[uploader]\ngive_up_after = \"5s\"\n", 0, "uploader.give_up_after", "1m"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := writeConfig(t, c.text)
			_, _, err := LoadConfig(p, true, noEnv)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v (%T), want a *ConfigError", err, err)
			}
			if ce.File != p || (c.line != 0 && ce.Line != c.line) || (c.key != "" && !strings.Contains(ce.Key, strings.SplitN(c.key, ".", 2)[0])) {
				t.Errorf("err = %q: want line %d key %s", err, c.line, c.key)
			}
			if c.says != "" && !strings.Contains(err.Error(), c.says) {
				t.Errorf("err = %q, want it to say %q", err, c.says)
			}
			t.Log(err)
		})
	}
}

func TestConfigSecretReadableByOthers(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	p := writeConfig(t, "[card]\ndigest_key = \"k\"\n")
	if _, warns, _ := LoadConfig(p, true, noEnv); len(warns) != 0 {
		t.Errorf("0600 file: warnings %v", warns)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	_, warns, err := LoadConfig(p, true, noEnv)
	if err != nil || len(warns) != 1 || !strings.Contains(warns[0], "chmod 600") {
		t.Errorf("0644 file with a secret: warnings %v err %v", warns, err)
	}
	// said in the screen's language: a Chinese desk reads it in Chinese
	_, warns, _ = LoadConfig(p, true, func(k string) string { return map[string]string{"LANG": "zh_CN.UTF-8"}[k] })
	if len(warns) != 1 || !strings.Contains(warns[0], "含有密钥") || !strings.Contains(warns[0], "chmod 600") {
		t.Errorf("0644 file with a secret, zh: warnings %v", warns)
	}
	// No secret in the file (it comes from the environment): nothing to warn about.
	p2 := writeConfig(t, "[store]\nstore_no = \"X\"\n")
	_ = os.Chmod(p2, 0o644)
	if _, warns, _ := LoadConfig(p2, true, func(k string) string { return map[string]string{envAppSecret: "s"}[k] }); len(warns) != 0 {
		t.Errorf("no secret in the file: warnings %v", warns)
	}
}

func TestDataDir(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, c := range []struct {
		goos string
		env  map[string]string
		home string
		want string
	}{
		{"linux", map[string]string{"XDG_DATA_HOME": "/x/data"}, "/home/a", "/x/data/banksale"},
		{"linux", map[string]string{"XDG_DATA_HOME": "relative"}, "/home/a", "/home/a/.local/share/banksale"},
		{"linux", nil, "/home/a", "/home/a/.local/share/banksale"},
		{"windows", map[string]string{"LOCALAPPDATA": `C:\Users\a\AppData\Local`}, `C:\Users\a`, filepath.Join(`C:\Users\a\AppData\Local`, "banksale")},
		{"darwin", nil, "/Users/a", "/Users/a/Library/Application Support/banksale"},
	} {
		got, err := DataDir(c.goos, env(c.env), c.home)
		if err != nil || got != c.want {
			t.Errorf("%s %v: %q %v, want %q", c.goos, c.env, got, err, c.want)
		}
	}
	if _, err := DataDir("linux", noEnv, ""); err == nil {
		t.Error("no home: want an error")
	}
}

func TestLang(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	var c Config
	for _, tc := range []struct {
		env  map[string]string
		want model.Lang
	}{
		{nil, model.EN},
		{map[string]string{"LANG": "zh_CN.UTF-8"}, model.ZH},
		{map[string]string{"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, model.EN},
		{map[string]string{"LC_ALL": "zh_TW.UTF-8"}, model.ZH},
	} {
		if got := c.Lang(env(tc.env)); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.env, got, tc.want)
		}
	}
	c.UI.Lang = "en"
	if c.Lang(env(map[string]string{"LANG": "zh_CN"})) != model.EN {
		t.Error("ui.lang must override the locale")
	}
}

func FuzzConfig(f *testing.F) {
	data, _ := os.ReadFile("config.toml.example")
	f.Add(data)
	f.Add([]byte("[gateway]\ntimeout = \"5x\"\n[nope]\na=1\n"))
	f.Add([]byte("[uploader]\nworkers = 1e9\nrate_limit = nan\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		var c = DefaultConfig()
		c.File = "f.toml"
		err := decodeConfig("f.toml", text, &c)
		if err == nil {
			c.Journal.Path = "/j.db"
			err = c.Validate()
		}
		if err != nil && !strings.HasPrefix(err.Error(), "f.toml") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

func TestConfigNetworkAndDesk(t *testing.T) {
	p := writeConfig(t, `
[gateway]
proxy = "http://shop:secret@10.0.0.1:3128"
duplicate_codes = [1001, "ORDER_EXISTS"]
retry_codes = [503]
[uploader]
give_up_after = "12h"
[store]
desk_code = "b2"
`)
	cfg, _, err := LoadConfig(p, true, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Gateway.Proxy != "http://shop:secret@10.0.0.1:3128" || !reflect.DeepEqual(cfg.Gateway.DuplicateCodes, Codes{"1001", "ORDER_EXISTS"}) ||
		!reflect.DeepEqual(cfg.Gateway.RetryCodes, Codes{"503"}) || cfg.Uploader.GiveUpAfter.Duration != 12*time.Hour || cfg.Store.DeskCode != "B2" {
		t.Errorf("cfg = %+v", cfg)
	}
}

// TestConfigBanksFile: a store's bank list is read at start, its faults named by key and line.
func TestConfigBanksFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "banks.tsv")
	os.WriteFile(good, []byte("999\t杭州银行\tHZB Bank of Hangzhou\t603367\n"), 0o600)
	bad := filepath.Join(dir, "bad.tsv")
	os.WriteFile(bad, []byte("# ok\n999\t杭州银行\t\t60x\n"), 0o600)
	for _, c := range []struct{ file, wantErr string }{
		{good, ""}, {bad, "line 2"}, {filepath.Join(dir, "none.tsv"), "no such file"},
	} {
		p := writeConfig(t, fmt.Sprintf("[gateway]\napp_key = \"1\"\n[store]\nstore_no = \"HZ01\"\nbanks_file = %q\n", c.file))
		cfg, _, err := LoadConfig(p, true, noEnv)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.file, err)
		case c.wantErr == "" && (len(cfg.Store.banks) != 1 || cfg.Store.banks[0].Prefixes[0] != "603367"):
			t.Errorf("%s: banks %+v", c.file, cfg.Store.banks)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), "store.banks_file") || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: err %v, want one naming store.banks_file and %q", c.file, err, c.wantErr)
		}
	}
}
