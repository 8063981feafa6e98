package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"banksale/model"
)

// Config is config.toml. The key names are fixed: deployment scripts write them.
type Config struct {
	Gateway  GatewayConfig  `toml:"gateway"`
	Uploader UploaderConfig `toml:"uploader"`
	Store    StoreConfig    `toml:"store"`
	Journal  JournalConfig  `toml:"journal"`
	Card     CardConfig     `toml:"card"`
	UI       UIConfig       `toml:"ui"`

	// File is where the config came from ("" when no file exists and defaults are used).
	File string `toml:"-"`
}

type GatewayConfig struct {
	URL            string   `toml:"url"`
	AppKey         string   `toml:"app_key"`
	AppSecret      string   `toml:"app_secret"`
	Session        string   `toml:"session"`
	SignMethod     string   `toml:"sign_method"`
	ConnectTimeout Duration `toml:"connect_timeout"`
	Timeout        Duration `toml:"timeout"`
	Proxy          string   `toml:"proxy"`
	CAFile         string   `toml:"ca_file"`
	DuplicateCodes Codes    `toml:"duplicate_codes"`
	RetryCodes     Codes    `toml:"retry_codes"`
}

type UploaderConfig struct {
	Workers     int      `toml:"workers"`
	RateLimit   float64  `toml:"rate_limit"`
	BackoffBase Duration `toml:"backoff_base"`
	BackoffCap  Duration `toml:"backoff_cap"`
	GiveUpAfter Duration `toml:"give_up_after"`
}

type StoreConfig struct {
	StoreNo         string `toml:"store_no"`
	DeskCode        string `toml:"desk_code"`
	TerminalNo      string `toml:"terminal_no"`
	BankShopNo      string `toml:"bank_shop_no"`
	CommunicateType string `toml:"communicate_type"`
	VoidSaleType    string `toml:"void_sale_type"`
	// BanksFile is the store's own bank list, which extends the embedded one (model.LoadBanks
	// says its shape); its banks, read by Validate, are in banks.
	BanksFile string `toml:"banks_file"`
	banks     []model.Bank
}

type JournalConfig struct {
	Path string `toml:"path"`
}

type CardConfig struct {
	DigestKey string `toml:"digest_key"`
}

type UIConfig struct {
	Lang string `toml:"lang"`
}

// Duration is a time.Duration written as a string ("5s", "10m") in the file, so a bare
// number cannot be misread as nanoseconds.
type Duration struct{ time.Duration }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("%q is not a duration: write it like \"5s\", \"500ms\" or \"10m\"", b)
	}
	d.Duration = v
	return nil
}

func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Codes is a list of the gateway's err_code values, written as numbers or strings
// ([1001, "ORDER_EXISTS"]): the API types err_code as a number, some gateways send text.
type Codes []string

func (c *Codes) UnmarshalTOML(v any) error {
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("write a list of codes, like [1001, 1002]")
	}
	*c = nil
	for _, x := range list {
		switch x := x.(type) {
		case int64:
			*c = append(*c, strconv.FormatInt(x, 10))
		case string:
			if t := strings.TrimSpace(x); t != "" {
				*c = append(*c, t)
			}
		default:
			return fmt.Errorf("%v is not a code: write numbers or strings, like [1001, \"DUP\"]", x)
		}
	}
	return nil
}

// The environment variables that override secrets, so they need not sit in a file.
const (
	envAppSecret = "BANKSALE_APP_SECRET"
	envSession   = "BANKSALE_SESSION"
	envCardKey   = "BANKSALE_CARD_KEY"
)

// DefaultConfig is what banksale uses for every key the file leaves out.
func DefaultConfig() Config {
	var c Config
	c.Gateway.URL = "https://gw.api.taobao.com/router/rest"
	c.Gateway.SignMethod = "hmac-sha256"
	// The official Java SDK allows 15 s to connect and 30 s to read: a call cut short turns a
	// slow answer into an ambiguous one, which costs a re-send.
	c.Gateway.ConnectTimeout = Duration{10 * time.Second}
	c.Gateway.Timeout = Duration{30 * time.Second}
	c.Uploader.Workers = 4
	c.Uploader.RateLimit = 20
	c.Uploader.BackoffBase = Duration{2 * time.Second}
	c.Uploader.BackoffCap = Duration{10 * time.Minute}
	c.Uploader.GiveUpAfter = Duration{24 * time.Hour}
	c.Store.StoreNo = "HZ01"
	c.Store.CommunicateType = string(model.CommNetwork)
	c.Store.VoidSaleType = string(model.SaleTypeRefund)
	return c
}

// ConfigError is a problem with the config file; Line is 0 when it is not about one line.
type ConfigError struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		fmt.Fprintf(&b, "%s: ", e.Key)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// DefaultConfigPath is where banksale looks for its config when --config is not given.
func DefaultConfigPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the config folder: %w", err)
	}
	return filepath.Join(dir, "banksale", "config.toml"), nil
}

// DataDir is the per-user folder for the journal and its log, following each OS's habit.
func DataDir(goos string, getenv func(string) string, home string) (string, error) {
	switch goos {
	case "windows":
		if d := getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "banksale"), nil
		}
		if home == "" {
			return "", errors.New("neither %LOCALAPPDATA% nor a home folder is set")
		}
		return filepath.Join(home, "AppData", "Local", "banksale"), nil
	case "darwin", "ios":
		if home == "" {
			return "", errors.New("$HOME is not set")
		}
		return filepath.Join(home, "Library", "Application Support", "banksale"), nil
	default:
		// XDG says a relative $XDG_DATA_HOME is invalid and must be ignored.
		if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
			return filepath.Join(d, "banksale"), nil
		}
		if home == "" {
			return "", errors.New("neither $XDG_DATA_HOME nor $HOME is set")
		}
		return filepath.Join(home, ".local", "share", "banksale"), nil
	}
}

// DefaultJournalPath is banksale.db in the per-user data folder.
func DefaultJournalPath() (string, error) {
	home, _ := os.UserHomeDir()
	dir, err := DataDir(runtime.GOOS, os.Getenv, home)
	if err != nil {
		return "", fmt.Errorf("finding the folder for the journal (set journal.path in the config): %w", err)
	}
	return filepath.Join(dir, "banksale.db"), nil
}

// LoadConfig reads the config at path. When must is false a missing file is not an error:
// the defaults are used (File stays ""). Environment overrides are applied, the result is
// validated, and warnings (things that work but should be fixed) are returned beside it.
func LoadConfig(path string, must bool, getenv func(string) string) (Config, []string, error) {
	c := DefaultConfig()
	var warnings []string
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		c.File = path
		if err := decodeConfig(path, data, &c); err != nil {
			return c, nil, err
		}
		if w := secretFileWarning(path, c, c.Lang(getenv)); w != "" {
			warnings = append(warnings, w)
		}
	case errors.Is(err, os.ErrNotExist) && !must:
	default:
		return c, nil, fmt.Errorf("reading the config: %w", err)
	}
	applyEnv(&c, getenv)
	if c.Journal.Path == "" {
		p, err := DefaultJournalPath()
		if err != nil {
			return c, warnings, err
		}
		c.Journal.Path = p
	} else if strings.HasPrefix(c.Journal.Path, "~"+string(filepath.Separator)) || strings.HasPrefix(c.Journal.Path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			c.Journal.Path = filepath.Join(home, c.Journal.Path[2:])
		}
	}
	if err := c.Validate(); err != nil {
		return c, warnings, err
	}
	return c, warnings, nil
}

// decodeConfig parses data into c, turning the library's errors into ones that name the
// line and the key, and refusing keys nobody reads: a typo must not silently drop a setting.
func decodeConfig(file string, data []byte, c *Config) error {
	md, err := toml.Decode(string(data), c)
	if err != nil {
		ce := &ConfigError{File: file, Msg: err.Error()}
		var pe toml.ParseError
		var ppe *toml.ParseError
		if errors.As(err, &ppe) && ppe != nil {
			pe = *ppe
		} else if !errors.As(err, &pe) {
			pe = toml.ParseError{}
		}
		if pe.Message != "" {
			ce.Line = pe.Position.Line
			ce.Key = pe.LastKey
			ce.Msg = pe.Message
		}
		if ce.Line == 0 {
			// Type mismatches come as plain errors "toml: line N (last key "k"): …".
			var line int
			var key string
			if n, _ := fmt.Sscanf(err.Error(), "toml: line %d (last key %q)", &line, &key); n >= 1 {
				ce.Line, ce.Key = line, key
				if i := strings.Index(ce.Msg, "): "); i >= 0 {
					ce.Msg = ce.Msg[i+3:]
				}
			}
		}
		ce.Msg = strings.TrimPrefix(ce.Msg, "toml: ")
		return ce
	}
	if und := md.Undecoded(); len(und) > 0 {
		key := und[0].String()
		return &ConfigError{File: file, Line: keyLine(data, und[0]), Key: key,
			Msg: fmt.Sprintf("unknown key (a typo?); the keys are listed in config.toml.example%s", suggest(key))}
	}
	return nil
}

var knownKeys = []string{
	"gateway.url", "gateway.app_key", "gateway.app_secret", "gateway.session", "gateway.sign_method",
	"gateway.connect_timeout", "gateway.timeout", "gateway.proxy", "gateway.ca_file", "gateway.duplicate_codes",
	"gateway.retry_codes",
	"uploader.workers", "uploader.rate_limit", "uploader.backoff_base", "uploader.backoff_cap", "uploader.give_up_after",
	"store.store_no", "store.desk_code", "store.terminal_no", "store.bank_shop_no", "store.communicate_type", "store.void_sale_type",
	"store.banks_file",
	"journal.path", "card.digest_key", "ui.lang",
}

// suggest names a known key the unknown one was probably meant to be.
func suggest(key string) string {
	short := key
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		short = key[i+1:]
	}
	best, bestD := "", 3 // more than two edits away is not a typo
	for _, k := range knownKeys {
		ks := k[strings.LastIndexByte(k, '.')+1:]
		if d := min(editDistance(strings.ToLower(short), ks), editDistance(strings.ToLower(key), k)); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(": did you mean %s?", best)
}

// editDistance is the Levenshtein distance of two short keys.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// keyLine finds the line that sets key, for the message; 0 when it cannot tell.
func keyLine(data []byte, key toml.Key) int {
	if len(key) == 0 {
		return 0
	}
	table := strings.Join(key[:len(key)-1], ".")
	name := key[len(key)-1]
	cur := ""
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "[") {
			h := strings.Trim(l, "[] \t")
			if i := strings.IndexByte(h, '#'); i >= 0 {
				h = strings.TrimSpace(strings.Trim(h[:i], "[] \t"))
			}
			cur = strings.ReplaceAll(h, " ", "")
			if cur == strings.Join(key, ".") {
				return n // the unknown key is a whole table
			}
			continue
		}
		k, _, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		k = strings.Trim(strings.TrimSpace(k), `"'`)
		if cur == table && k == name {
			return n
		}
		if cur == "" && k == strings.Join(key, ".") {
			return n
		}
	}
	return 0
}

func applyEnv(c *Config, getenv func(string) string) {
	if v := getenv(envAppSecret); v != "" {
		c.Gateway.AppSecret = v
	}
	if v := getenv(envSession); v != "" {
		c.Gateway.Session = v
	}
	if v := getenv(envCardKey); v != "" {
		c.Card.DigestKey = v
	}
}

// Validate checks every key's value and says which key to fix and how.
func (c *Config) Validate() error {
	file := c.File
	if file == "" {
		file = "config"
	}
	bad := func(key, format string, args ...any) error {
		return &ConfigError{File: file, Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	u, err := url.Parse(c.Gateway.URL)
	if c.Gateway.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("gateway.url", "%q is not an http(s) address like \"https://gw.api.taobao.com/router/rest\"", c.Gateway.URL)
	}
	switch c.Gateway.SignMethod {
	case "md5", "hmac", "hmac-sha256":
	default:
		return bad("gateway.sign_method", "%q: use md5, hmac or hmac-sha256", c.Gateway.SignMethod)
	}
	if c.Gateway.ConnectTimeout.Duration <= 0 {
		return bad("gateway.connect_timeout", "must be more than zero, like \"5s\"")
	}
	if c.Gateway.Timeout.Duration <= 0 {
		return bad("gateway.timeout", "must be more than zero, like \"15s\"")
	}
	if c.Uploader.Workers < 1 || c.Uploader.Workers > 64 {
		return bad("uploader.workers", "%d: use 1 to 64", c.Uploader.Workers)
	}
	if c.Uploader.RateLimit < 0 || c.Uploader.RateLimit != c.Uploader.RateLimit {
		return bad("uploader.rate_limit", "%v: calls per second, 0 for no limit", c.Uploader.RateLimit)
	}
	if c.Uploader.BackoffBase.Duration <= 0 {
		return bad("uploader.backoff_base", "must be more than zero, like \"2s\"")
	}
	if c.Uploader.BackoffCap.Duration < c.Uploader.BackoffBase.Duration {
		return bad("uploader.backoff_cap", "%v is less than uploader.backoff_base (%v)", c.Uploader.BackoffCap.Duration, c.Uploader.BackoffBase.Duration)
	}
	if c.Uploader.GiveUpAfter.Duration < time.Minute {
		return bad("uploader.give_up_after", "%v: at least \"1m\" (the default is \"24h\")", c.Uploader.GiveUpAfter.Duration)
	}
	if p := strings.TrimSpace(c.Gateway.Proxy); p != "" {
		u, err := url.Parse(p)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
			return bad("gateway.proxy", "is not a proxy address: write it like \"http://10.0.0.1:8080\" or \"http://user:password@proxy:3128\"")
		}
	}
	if c.Gateway.CAFile != "" {
		if _, err := os.Stat(c.Gateway.CAFile); err != nil {
			return bad("gateway.ca_file", "cannot be read (%v): name the PEM file of the firewall's root certificate", err)
		}
	}
	c.Store.DeskCode = strings.ToUpper(strings.TrimSpace(c.Store.DeskCode))
	if c.Store.DeskCode != "" && !model.ValidDeskCode(c.Store.DeskCode) {
		return bad("store.desk_code", "%q: 1 to %d letters or digits, different on each PC of the store (or empty: banksale draws one)",
			c.Store.DeskCode, model.MaxDeskCode)
	}
	if strings.TrimSpace(c.Store.StoreNo) == "" {
		return bad("store.store_no", "is empty: every order carries the store's number, like \"HZ01\"")
	}
	for _, f := range []struct{ key, v string }{
		{"store.store_no", c.Store.StoreNo}, {"store.terminal_no", c.Store.TerminalNo}, {"store.bank_shop_no", c.Store.BankShopNo},
		{"gateway.app_key", c.Gateway.AppKey},
	} {
		if strings.ContainsFunc(f.v, func(r rune) bool { return r < 0x20 || r == 0x7f }) || f.v != strings.TrimSpace(f.v) {
			return bad(f.key, "%q has spaces or control characters", f.v)
		}
	}
	if !model.CommType(c.Store.CommunicateType).Valid() {
		return bad("store.communicate_type", "%q: use \"001\" (network) or \"002\" (phone line)", c.Store.CommunicateType)
	}
	switch model.SaleType(c.Store.VoidSaleType) {
	case model.SaleTypeSale, model.SaleTypeRefund:
	default:
		return bad("store.void_sale_type", "%q: use \"0\" or \"1\" (the sale_type sent with a void)", c.Store.VoidSaleType)
	}
	if c.Store.BanksFile != "" {
		list, err := readBanks(c.Store.BanksFile)
		if err != nil {
			return bad("store.banks_file", "%v: fix the file (one bank per line: code<TAB>name<TAB>English<TAB>card prefixes) or leave the key empty", err)
		}
		c.Store.banks = list
	}
	switch c.UI.Lang {
	case "", "zh", "en":
	default:
		return bad("ui.lang", "%q: use \"zh\", \"en\" or leave it empty to follow the locale", c.UI.Lang)
	}
	return nil
}

// RequireGateway is checked by the commands that upload: they cannot work without an account.
func (c *Config) RequireGateway() error {
	file := c.File
	if file == "" {
		file = "config"
	}
	if c.Gateway.AppKey == "" {
		return &ConfigError{File: file, Key: "gateway.app_key", Msg: "is empty: set the app key head office gave you"}
	}
	if c.Gateway.AppSecret == "" {
		return &ConfigError{File: file, Key: "gateway.app_secret", Msg: "is empty: set it, or the environment variable " + envAppSecret}
	}
	return nil
}

// secretFileWarning warns when a file holding a secret can be read by other users, in the
// language of the screen it will be shown on.
func secretFileWarning(path string, c Config, l model.Lang) string {
	if runtime.GOOS == "windows" {
		return "" // permissions there are ACLs, which a mode cannot describe
	}
	if c.Gateway.AppSecret == "" && c.Gateway.Session == "" && c.Card.DigestKey == "" {
		return ""
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf(l.Pick("%s 含有密钥, 而其他用户也能读取 (权限 %04o): 请运行  chmod 600 %s",
		"%s holds a secret and other users can read it (mode %04o): run  chmod 600 %s"), path, fi.Mode().Perm(), path)
}

// Lang is the language for messages: ui.lang when set, else Chinese when the locale is
// Chinese (LC_ALL, LC_MESSAGES, LANG, in POSIX precedence), else English.
func (c *Config) Lang(getenv func(string) string) model.Lang {
	switch c.UI.Lang {
	case "zh":
		return model.ZH
	case "en":
		return model.EN
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			return model.ParseLang(v, model.EN)
		}
	}
	return model.EN
}

// maxBanksFile bounds a store's bank list: a few hundred banks fit in a tenth of it.
const maxBanksFile = 1 << 20

// readBanks reads a store's bank list file, bounded.
func readBanks(path string) ([]model.Bank, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxBanksFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxBanksFile {
		return nil, fmt.Errorf("%s is over %d bytes: not a bank list", path, maxBanksFile)
	}
	list, err := model.LoadBanks(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return list, nil
}
