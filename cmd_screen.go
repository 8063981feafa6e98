package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"banksale/demo"
	"banksale/model"
	"banksale/ui"
)

// cmdScreen is banksale without a command: the screen on the configured journal with the
// uploader in the same process, or with --demo on a fresh journal against a fake gateway.
func cmdScreen(ctx context.Context, c *cli, args []string) error {
	fs, cfgPath := c.flags("", "[--config FILE] [--demo]",
		"The screen: key in sales, voids and refunds; watch them reach head office.")
	isDemo := fs.Bool("demo", false, "try everything against a built-in fake gateway on a throw-away journal (no account needed)")
	showVersion := fs.Bool("version", false, "print the version")
	fs.Usage = func() { usage(c.stderr) }
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *showVersion {
		return cmdVersion(ctx, c, nil)
	}
	if len(rest) > 0 {
		fmt.Fprintf(c.stderr, "banksale: unknown command %q\n\n", rest[0])
		usage(c.stderr)
		return &exitError{code: exitUsage}
	}
	if *isDemo {
		return runDemo(ctx, c, *cfgPath)
	}

	path := *cfgPath
	if path == "" {
		p, err := DefaultConfigPath()
		if err != nil {
			return setupError(err)
		}
		path = p
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			noConfig(c, p)
			return &exitError{code: exitSetup}
		}
	}
	cfg, err := c.loadConfig(path)
	if err != nil {
		return err
	}
	if err := cfg.RequireGateway(); err != nil {
		return setupError(fmt.Errorf("%w\n  Or try everything without an account:  banksale --demo", err))
	}
	e, err := c.openWith(ctx, cfg, "screen", owner)
	if err != nil {
		return err
	}
	defer e.close()
	return c.screen(ctx, e, false)
}

// noConfig tells a newcomer where the config belongs and how to start, in the locale's
// language (there is no config yet to say otherwise).
func noConfig(c *cli, path string) {
	steps := fmt.Sprintf("  mkdir -p %q\n  cp config.toml.example %q\n  chmod 600 %q\n", filepath.Dir(path), path, path)
	if runtime.GOOS == "windows" {
		steps = fmt.Sprintf("  mkdir \"%s\"\n  copy config.toml.example \"%s\"\n", filepath.Dir(path), path)
	}
	text := `banksale has no configuration yet. It belongs in
  %s

Start from the example that comes with banksale (config.toml.example):
%sthen set [gateway] app_key and app_secret (or the environment variable %s)
and [store] store_no. Or name another file: banksale --config FILE

To try everything first, without an account, against a built-in fake gateway:
  banksale --demo
`
	if (&Config{}).Lang(c.getenv) == model.ZH {
		text = `banksale 还没有配置文件. 它应放在
  %s

从 banksale 附带的示例 (config.toml.example) 开始:
%s然后填写 [gateway] 的 app_key 和 app_secret (或环境变量 %s),
以及 [store] 的 store_no. 也可以指定别的文件: banksale --config 文件

想先不用账号试一试全部功能 (内置的假网关):
  banksale --demo
`
	}
	fmt.Fprintf(c.stderr, text, path, steps, envAppSecret)
}

// screen runs the UI with the uploader beside it until the person quits.
func (c *cli) screen(ctx context.Context, e *env, isDemo bool) error {
	u, _, err := e.uploader()
	if err != nil {
		return setupError(err)
	}
	upCtx, stopUp := context.WithCancel(ctx)
	upDone := make(chan error, 1)
	go func() { upDone <- u.Run(upCtx) }()

	store := e.cfg.Store
	dk := e.desk(u)
	err = ui.Run(ctx, ui.Deps{
		Journal: e.j, Desk: dk, Uploader: u, Lang: e.lang, Rules: e.rules, DeskCode: dk.DeskCode(),
		StoreNo: store.StoreNo, TerminalNo: store.TerminalNo, BankShopNo: store.BankShopNo,
		CommType: model.CommType(store.CommunicateType),
		Store:    store.StoreNo, Demo: isDemo, Log: e.log.With("part", "ui"),
		Notices: c.warnings, // said on stderr too, where the screen at once hides them
	})
	// The uploader finishes the calls in flight and records their outcomes before the journal
	// closes; anything it had not started stays pending for next time.
	stopUp()
	select {
	case upErr := <-upDone:
		if upErr != nil && !errors.Is(upErr, context.Canceled) {
			e.log.Error("uploader", "err", upErr)
		}
	case <-time.After(e.cfg.Gateway.Timeout.Duration + 5*time.Second):
		e.log.Warn("uploader did not stop in time; its leases are released at the next start")
	}
	if err != nil {
		e.log.Error("screen", "err", err)
		return err
	}
	return nil
}

// runDemo starts the fake gateway and a sample journal in a temporary folder, then the same
// screen as a real start.
func runDemo(ctx context.Context, c *cli, cfgFlag string) error {
	// A config is not needed, but a present one still sets the language and the store defaults.
	cfg := DefaultConfig()
	if cfgFlag != "" {
		var err error
		if cfg, err = c.loadConfig(cfgFlag); err != nil {
			return err
		}
	} else if p, err := DefaultConfigPath(); err == nil {
		if loaded, _, err := LoadConfig(p, false, c.getenv); err == nil {
			cfg = loaded
		}
	}
	dir, err := os.MkdirTemp("", "banksale-demo-")
	if err != nil {
		return setupError(fmt.Errorf("--demo: %w", err))
	}
	defer os.RemoveAll(dir)
	log, closeLog, err := openLog(filepath.Join(dir, "banksale.db"))
	if err != nil {
		return setupError(fmt.Errorf("--demo: %w", err))
	}
	defer closeLog()
	d, err := demo.Start(ctx, dir, log.With("part", "demo"))
	if err != nil {
		return setupError(fmt.Errorf("--demo: starting the demo: %w", err))
	}
	defer d.Close()
	cfg.Gateway.URL = d.GatewayURL
	cfg.Gateway.AppKey = d.AppKey
	cfg.Gateway.AppSecret = d.Secret
	cfg.Gateway.Session = ""
	cfg.Journal.Path = d.JournalPath
	if cfg.Card.DigestKey == "" {
		cfg.Card.DigestKey = demo.CardKey
	}
	if cfg.Store.TerminalNo == "" && cfg.Store.BankShopNo == "" {
		cfg.Store.TerminalNo, cfg.Store.BankShopNo = demo.TerminalNo, demo.BankShopNo
	}
	e, err := c.openWith(ctx, cfg, "demo", owner)
	if err != nil {
		return err
	}
	defer e.close()
	return c.screen(ctx, e, true)
}
