package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"banksale/model"
	"banksale/statement"
	"banksale/termtext"
)

func cmdStatement(ctx context.Context, c *cli, args []string) error {
	fs, cfgPath := c.flags("statement import", "[--format auto|allinpay|leshua|wechat|map] [--map FILE] FILE…",
		"Keep the lines of each acquirer's statement (对账单) FILE in the journal, for `reconcile`: Allinpay\n"+
			"CSV, Leshua BT/BV records, WeChat-style bills with backtick cells; GBK or UTF-8 (with or without a\n"+
			"BOM). Columns are found by their header names; amounts in the format's unit. Reversals (冲正) and\n"+
			"refunds still under way are not sales and are skipped; summary rows too. A card number is kept\n"+
			"masked. Importing a file again changes nothing. Refused lines are listed on stderr as\n"+
			"FILE:ROW field: reason. Exit status 1 when any line was refused.")
	format := fs.String("format", "auto", "the statement's `FORMAT`: auto, allinpay, leshua, wechat or map (with --map)")
	mapFile := fs.String("map", "", "a mapping `FILE` (TOML) of another acquirer's columns, for --format map")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 || rest[0] != "import" {
		return usageError("statement takes a subcommand: banksale statement import FILE…")
	}
	files := rest[1:]
	if len(files) == 0 {
		fs.Usage()
		return usageError("name at least one statement file")
	}
	f := statement.Format(*format)
	if *mapFile != "" && f == statement.FormatAuto {
		f = statement.FormatMap
	}
	if !slices.Contains(statement.Formats, f) && f != statement.FormatMap {
		return usageError("--format %q: use auto, allinpay, leshua, wechat or map", *format)
	}
	var mapping *statement.Mapping
	if f == statement.FormatMap {
		if *mapFile == "" {
			return usageError("--format map needs --map FILE: the mapping of the acquirer's columns (README)")
		}
		mf, err := os.Open(*mapFile)
		if err != nil {
			return setupError(err)
		}
		mapping, err = statement.ReadMapping(mf)
		mf.Close()
		if err != nil {
			return setupError(fmt.Errorf("%s: %w", *mapFile, err))
		}
	}
	e, err := c.open(ctx, *cfgPath, "statement", owner)
	if err != nil {
		return err
	}
	defer e.close()
	errw := bufio.NewWriter(c.stderr)
	defer errw.Flush()
	var all []model.StatementLine
	refused, skipped := 0, 0
	for _, name := range files {
		file, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("%w\n  Nothing was imported: name a statement file that exists", err)
		}
		res, err := statement.ReadMapped(file, name, f, mapping)
		file.Close()
		if err != nil {
			return fmt.Errorf("%w\n  Nothing was imported", err)
		}
		for _, r := range res.Refused {
			fmt.Fprintln(errw, termtext.Line(r.Error(), 0))
		}
		refused += len(res.Refused)
		skipped += res.Skipped
		all = append(all, res.Lines...)
	}
	errw.Flush()
	n, err := e.j.ImportStatement(ctx, all, e.who)
	if err != nil {
		return err
	}
	e.log.Info("statement import", "files", len(files), "lines", len(all), "new", n, "refused", refused, "skipped", skipped)
	fmt.Fprintf(c.stdout, "%d statement lines: %d new, %d already imported, %d refused, %d skipped (reversals, refunds under way, totals)\n",
		len(all)+refused+skipped, n, len(all)-n, refused, skipped)
	if refused > 0 {
		return &exitError{code: exitRefused}
	}
	return nil
}

func cmdReconcile(ctx context.Context, c *cli, args []string) error {
	fs, cfgPath := c.flags("reconcile", "[--day YYYY-MM-DD] [--json | --format text|json|xlsx --out FILE]",
		"Match the day's journal orders (by trade_time, China time) with the imported statement lines:\n"+
			"on terminal, batch and trace number, else on reference number and date; then compare amount,\n"+
			"type and masked card. Lists what matched, what differs, orders the statement lacks (the likely\n"+
			"typo) and statement lines not keyed here (the POS may have sent them itself).\n"+
			"Exit status 0 when everything matches, 1 otherwise.")
	day := fs.String("day", "", "the day (default: today, China time)")
	of := addOutputFlags(fs, "one JSON object (see the README)")
	how, err := of.parse(fs, args)
	if err != nil {
		return err
	}
	d, err := dayFlag(*day, c.now())
	if err != nil {
		return err
	}
	e, err := c.open(ctx, *cfgPath, "reconcile", reader)
	if err != nil {
		return err
	}
	defer e.close()
	lines, err := e.j.StatementDay(ctx, d)
	if err != nil {
		return err
	}
	orders, err := e.j.DayOrders(ctx, d)
	if err != nil {
		return err
	}
	r := model.Reconcile(d, orders, lines)
	w := bufio.NewWriter(c.stdout)
	defer w.Flush()
	switch how {
	case "json":
		if err := writeJSON(w, r); err != nil {
			return err
		}
	case "xlsx":
		if err := writeXLSX(*of.out, reconciliationSheets(r, e.lang)); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: %d matched, %d differ, %d journal only, %d statement only\n", *of.out,
			len(r.Matched), len(r.Differ), len(r.JournalOnly), len(r.StatementOnly))
	default:
		writeReconciliation(w, e.lang, r, len(lines))
	}
	if !r.OK() {
		return &exitError{code: exitRefused}
	}
	return nil
}

func writeReconciliation(w *bufio.Writer, l model.Lang, r model.Reconciliation, lines int) {
	if lines == 0 {
		fmt.Fprintln(w, l.Pick("这一天没有导入对账单: 先运行 banksale statement import 文件", "No statement lines for this day: run banksale statement import FILE first"))
	}
	fmt.Fprintf(w, "%s  %s %d  %s %d  %s %d  %s %d\n", r.Day, l.Pick("相符", "matched"), len(r.Matched),
		l.Pick("不一致", "differ"), len(r.Differ), l.Pick("仅本机", "journal only"), len(r.JournalOnly),
		l.Pick("仅对账单", "statement only"), len(r.StatementOnly))
	for _, d := range r.Differ {
		var parts []string
		for _, field := range model.DTOFields {
			if v, ok := d.Fields[field]; ok {
				parts = append(parts, fmt.Sprintf("%s %v ≠ %v", model.FieldLabel(field, l), v.Journal, v.Statement))
			}
		}
		fmt.Fprintf(w, "%s %s %s: %s\n", l.Pick("不一致", "differs"), d.OrderID, d.StatementLine, strings.Join(parts, "; "))
	}
	for _, j := range r.JournalOnly {
		fmt.Fprintf(w, "%s %s: %s\n", l.Pick("仅本机", "journal only"), j.OrderID,
			l.Pick("对账单里没有对应的交易: 核对凭证号、参考号和金额是否录错", "no statement line matches it: check its trace, reference and amount for a typo"))
	}
	for _, s := range r.StatementOnly {
		fmt.Fprintf(w, "%s %s: %s %s %s %s %s %s\n", l.Pick("仅对账单", "statement only"), s.StatementLine,
			s.TerminalNo, s.BatchNo, s.PosTraceNo, s.TradeRefNo, model.Amount(s.TradeAmount).String(),
			l.Pick("(本机未录入; POS 可能已自行上送)", "(not keyed here; the POS may have sent it itself)"))
	}
}

// reconciliationSheets are reconcile's four lists as a workbook's sheets.
func reconciliationSheets(r model.Reconciliation, l model.Lang) []xlsxSheet {
	matched := xlsxSheet{name: "matched", head: []string{"order_id", "statement_line"}}
	for _, m := range r.Matched {
		matched.rows = append(matched.rows, []any{m.OrderID, m.StatementLine})
	}
	differ := xlsxSheet{name: "differ", head: []string{"order_id", "statement_line", "field", "journal", "statement"}}
	for _, d := range r.Differ {
		for _, field := range model.DTOFields {
			if v, ok := d.Fields[field]; ok {
				differ.rows = append(differ.rows, []any{d.OrderID, d.StatementLine, model.FieldLabel(field, l), v.Journal, v.Statement})
			}
		}
	}
	journal := xlsxSheet{name: "journal_only", head: []string{"order_id"}}
	for _, j := range r.JournalOnly {
		journal.rows = append(journal.rows, []any{j.OrderID})
	}
	stmt := xlsxSheet{name: "statement_only", head: []string{"statement_line", "terminal_no", "batch_no", "pos_trace_no", "trade_ref_no", "trade_amount"}}
	for _, s := range r.StatementOnly {
		stmt.rows = append(stmt.rows, []any{s.StatementLine, s.TerminalNo, s.BatchNo, s.PosTraceNo, s.TradeRefNo, model.Amount(s.TradeAmount)})
	}
	return []xlsxSheet{matched, differ, journal, stmt}
}
