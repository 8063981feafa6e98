package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"banksale/model"
	"banksale/storage"
	"banksale/termtext"
)

// errDamaged is check's finding that the journal needs a person: exit status 1.
var errDamaged = errors.New("the journal is damaged: see above for what to do")

func cmdCheck(ctx context.Context, c *cli, args []string) error {
	fs, cfgPath := c.flags("check", "[--quick] [--file FILE] [--json]",
		"Look the journal over for damage: SQLite's integrity check of every page and index, every\n"+
			"frozen payload against the checksum taken when it was frozen, each order's attempt count,\n"+
			"the per-status counts the screen shows, and rows that lost their order. Exit status 1 when\n"+
			"anything is wrong, with what to do. --file checks another journal file, a backup, instead.")
	quick := fs.Bool("quick", false, "SQLite's quick_check (pages, not index contents): what the screen runs at start")
	file := fs.String("file", "", "check this journal `FILE` (a backup) instead of the configured journal")
	asJSON := fs.Bool("json", false, "the findings as one JSON object")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("check takes no arguments: use --file FILE to check another journal file")
	}
	cfg, err := c.loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	lang := cfg.Lang(c.getenv)
	var h model.Health
	path := *file
	if path == "" {
		e, err := c.openWith(ctx, cfg, "check", reader)
		if err != nil {
			return err
		}
		defer e.close()
		path = e.j.Path()
		if h, err = e.j.Check(ctx, *quick); err != nil {
			e.log.Error("check", "err", err)
			return fmt.Errorf("%w\n  %s", err, lang.Pick("日志无法读完：从最近的备份恢复（见 README“出问题时”）。",
				"The journal could not be read through: restore it from the newest backup (README, \"When things fail\")."))
		}
		if !h.OK() {
			e.log.Error("check: journal damaged", "found", storage.HealthSummary(h))
		}
	} else if h, err = storage.CheckFile(ctx, path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	w := bufio.NewWriter(c.stdout)
	defer w.Flush()
	if *asJSON {
		if err := writeJSON(w, healthOf(path, h)); err != nil {
			return err
		}
	} else {
		writeHealth(w, lang, path, h)
	}
	if !h.OK() {
		return errDamaged
	}
	return nil
}

type healthJSON struct {
	Path         string   `json:"path"`
	OK           bool     `json:"ok"`
	Quick        bool     `json:"quick"`
	Orders       int      `json:"orders"`
	Attempts     int      `json:"attempts"`
	Audit        int      `json:"audit"`
	Frozen       int      `json:"frozen"`
	Problems     []string `json:"problems"`
	Damaged      []string `json:"damaged"`
	DamagedCount int      `json:"damaged_count"`
	Miscounted   []string `json:"miscounted"`
	StatusCounts bool     `json:"status_counts_wrong"`
	Orphans      int      `json:"orphans"`
}

func healthOf(path string, h model.Health) healthJSON {
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return healthJSON{Path: path, OK: h.OK(), Quick: h.Quick, Orders: h.Orders, Attempts: h.Attempts, Audit: h.Audit,
		Frozen: h.Frozen, Problems: nonNil(h.Problems), Damaged: nonNil(h.Damaged), DamagedCount: h.DamagedCount,
		Miscounted: nonNil(h.Miscounted), StatusCounts: h.StatusCounts, Orphans: h.Orphans}
}

// writeHealth says what check found, a line per look, and what to do when something is wrong.
func writeHealth(w *bufio.Writer, l model.Lang, path string, h model.Health) {
	ok := l.Pick("正常", "ok")
	fmt.Fprintf(w, "%s %s\n", l.Pick("日志", "journal"), path)
	kind := l.Pick("完整检查（integrity_check）", "integrity_check")
	if h.Quick {
		kind = l.Pick("快速检查（quick_check）", "quick_check")
	}
	if len(h.Problems) > 0 {
		// The pages are damaged: Check read no further, so there is nothing more to say.
		fmt.Fprintf(w, "  SQLite %s: %s\n", kind, l.Pick("文件已损坏：", "the file is damaged:"))
		for _, p := range h.Problems {
			fmt.Fprintf(w, "    %s\n", termtext.Line(p, 120))
		}
	} else {
		fmt.Fprintf(w, "  SQLite %s: %s\n", kind, ok)
		fmt.Fprintf(w, "  %s %d, %s %d, %s %d\n", l.Pick("订单", "orders"), h.Orders, l.Pick("上传记录", "attempts"), h.Attempts,
			l.Pick("操作记录", "audit entries"), h.Audit)
		if h.DamagedCount == 0 {
			fmt.Fprintf(w, "  %s: %d, %s\n", l.Pick("已固定的上传内容", "frozen payloads"), h.Frozen, ok)
		} else {
			fmt.Fprintf(w, "  %s: %s\n", l.Pick("已固定的上传内容", "frozen payloads"),
				l.Pick(fmt.Sprintf("%d 个中 %d 个与校验和不符，不会上传：", h.Frozen, h.DamagedCount),
					fmt.Sprintf("%d of %d fail their checksum and will not be sent:", h.DamagedCount, h.Frozen)))
			fmt.Fprintf(w, "    %s\n", strings.Join(h.Damaged, " "))
		}
		if len(h.Miscounted) == 0 {
			fmt.Fprintf(w, "  %s: %s\n", l.Pick("上传次数", "attempt counts"), ok)
		} else {
			fmt.Fprintf(w, "  %s: %s\n", l.Pick("上传次数与上传记录不符", "attempt counts disagree with the attempts"), strings.Join(h.Miscounted, " "))
		}
		if !h.StatusCounts {
			fmt.Fprintf(w, "  %s: %s\n", l.Pick("各状态计数", "status counts"), ok)
		} else {
			fmt.Fprintf(w, "  %s\n", l.Pick("各状态计数与订单不符：屏幕顶部的数字不可信", "status counts disagree with the orders: the screen's header figures are wrong"))
		}
		if h.Orphans == 0 {
			fmt.Fprintf(w, "  %s: %s\n", l.Pick("无主记录", "orphan rows"), l.Pick("无", "none"))
		} else {
			fmt.Fprintf(w, "  %s: %d\n", l.Pick("找不到订单的上传或操作记录", "attempt or audit rows without their order"), h.Orphans)
		}
	}
	if h.OK() {
		fmt.Fprintln(w, l.Pick("日志完好。", "The journal is sound."))
		return
	}
	onlyPayloads := len(h.Problems) == 0 && len(h.Miscounted) == 0 && !h.StatusCounts && h.Orphans == 0
	if onlyPayloads {
		fmt.Fprintln(w, l.Pick(`日志已损坏：上面列出的订单的上传内容在磁盘上被改动过，不会上传。怎么办：
  在屏幕上逐一打开这些订单，对照签购单核对后按 e 再保存（ctrl+s），它会按字段重新上传。
  然后再运行 banksale check；如果还有别的损坏，用最近的备份恢复（见 README“出问题时”）。`,
			`The journal is damaged: the payloads of the orders named above were changed on disk and will not be sent.
What to do: open each on the screen, compare it with its slip and save it again (e, then ctrl+s): it is
then sent as its fields say. Then run banksale check again; should anything else be damaged, restore the
newest backup (README, "When things fail").`))
		return
	}
	fmt.Fprintln(w, l.Pick(`日志已损坏。怎么办：
  1. 先把日志所在的整个文件夹复制到别处保存，什么都别删。
  2. 用最近的备份恢复：banksale check --file 备份文件 确认备份完好后，关闭 banksale，用它替换日志文件。
  3. 备份之后录入的单据，请对照签购单重新录入；已上传的不会重复（订单号相同）。`,
		`The journal is damaged. What to do:
  1. First copy the journal's whole folder somewhere safe; delete nothing.
  2. Restore the newest backup: check it with banksale check --file BACKUP, close banksale, and put it in the
     journal's place.
  3. Key in again, from the slips, what was entered after that backup; uploaded orders are not sent twice
     (the order number is the same).`))
}
