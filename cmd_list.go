package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"

	"banksale/model"
	"banksale/orderfile"
	"banksale/storage"
	"banksale/termtext"
)

// pageSize is how many orders one keyset query reads while streaming a list or an export.
const pageSize = 500

// each streams every order matching f, newest first, page by page, so a list of a million
// orders costs the memory of one page.
func each(ctx context.Context, j *storage.Journal, f model.Filter, limit int, fn func(model.Order) error) error {
	var cur model.Cursor
	n := 0
	for {
		want := pageSize
		if limit > 0 && limit-n < want {
			want = limit - n
		}
		if want <= 0 {
			return nil
		}
		page, err := j.List(ctx, f, cur, want)
		if err != nil {
			return fmt.Errorf("listing orders: %w", err)
		}
		for _, o := range page {
			if err := fn(o); err != nil {
				return err
			}
		}
		n += len(page)
		if len(page) < want {
			return nil
		}
		cur = model.CursorOf(page[len(page)-1])
	}
}

// filterFlags are the flags list and export share.
type filterFlags struct {
	status, from, to, search *string
}

func (c *cli) filter(ff filterFlags) (model.Filter, error) {
	var f model.Filter
	var err error
	if f.Statuses, err = statusesOf(*ff.status); err != nil {
		return f, fmt.Errorf("--status: %w", err)
	}
	if f.From, f.To, err = rangeOf(*ff.from, *ff.to, c.now().In(model.CST)); err != nil {
		return f, err
	}
	if ff.search != nil {
		f.Search = *ff.search
	}
	return f, nil
}

func cmdList(ctx context.Context, c *cli, args []string) error {
	fs, cfgPath := c.flags("list", "[--status S] [--from D] [--to D] [--search TEXT] [--limit N] [--json | --format text|json|xlsx --out FILE]",
		"List orders, newest trade_time first: every matching order unless --limit.\n"+
			"D is a day (2026-11-26; --to includes that day) or a time (\"2026-11-26 14:30\"), China time.")
	ff := filterFlags{
		status: fs.String("status", "", "only these statuses, comma-separated: pending,uploading,retrying,rejected,uploaded,voided"),
		from:   fs.String("from", "", "trade_time from `D` (inclusive)"),
		to:     fs.String("to", "", "trade_time up to `D`"),
		search: fs.String("search", "", "order_id, sequence_no, pos_trace_no or trade_ref_no starting or ending with `TEXT` (any case)"),
	}
	limit := fs.Int("limit", 0, "at most `N` orders (0 = all)")
	of := addOutputFlags(fs, "a JSON array of orders (see the README for the fields)")
	how, err := of.parse(fs, args)
	if err != nil {
		return err
	}
	if *limit < 0 {
		return usageError("--limit must be 0 or more")
	}
	f, err := c.filter(ff)
	if err != nil {
		return usageError("%w", err)
	}
	e, err := c.open(ctx, *cfgPath, "list", reader)
	if err != nil {
		return err
	}
	defer e.close()

	w := bufio.NewWriterSize(c.stdout, 64<<10)
	defer w.Flush()
	n := 0
	if how == "xlsx" {
		l := e.lang
		sh := xlsxSheet{name: "orders", head: []string{"status", "order_id", "original_order_id", "trade_time", "sub_sale_type",
			"payment_channel", "trade_amount", "card_no", "terminal_no", "batch_no", "pos_trace_no", "trade_ref_no", "sequence_no", "attempts", "last_message"}}
		err = each(ctx, e.j, f, *limit, func(o model.Order) error {
			sh.rows = append(sh.rows, []any{o.Status.Label(l), o.OrderID, o.OriginalOrderID, o.TradeTime, o.SubSaleType.Label(l),
				o.PaymentChannel.Label(l), o.TradeAmount, o.CardNo, o.TerminalNo, o.BatchNo, o.PosTraceNo, o.TradeRefNo, o.SequenceNo,
				o.Attempts, termtext.Line(o.LastMessage, 0)})
			return nil
		})
		if err != nil {
			return err
		}
		if err := writeXLSX(*of.out, []xlsxSheet{sh}); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: %d orders\n", *of.out, len(sh.rows))
		return nil
	}
	if how == "json" {
		w.WriteString("[")
		err = each(ctx, e.j, f, *limit, func(o model.Order) error {
			if n > 0 {
				w.WriteString(",")
			}
			w.WriteString("\n")
			n++
			b, err := marshal(orderOf(o))
			if err != nil {
				return err
			}
			_, err = w.Write(b)
			return err
		})
		if n > 0 {
			w.WriteString("\n")
		}
		w.WriteString("]\n")
	} else {
		l := e.lang
		fmt.Fprintf(w, "%s %s %s %s %s %s %s %s %s\n",
			termtext.Pad(l.Pick("状态", "STATUS"), 10), termtext.Pad(l.Pick("订单号", "ORDER_ID"), 20), termtext.Pad(l.Pick("交易时间", "TRADE_TIME"), 19),
			termtext.Pad(l.Pick("类型", "TYPE"), 6), termtext.Pad(l.Pick("渠道", "CHANNEL"), 9), termtext.PadLeft(l.Pick("金额", "AMOUNT"), 14),
			termtext.Pad(l.Pick("卡号", "CARD"), 19), termtext.PadLeft(l.Pick("次数", "TRIES"), 5), l.Pick("最近错误", "LAST_ERROR"))
		err = each(ctx, e.j, f, *limit, func(o model.Order) error {
			n++
			_, err := fmt.Fprintf(w, "%s %s %s %s %s %s %s %s %s\n",
				termtext.Pad(o.Status.Label(l), 10), termtext.Pad(termtext.Line(o.OrderID, 0), 20), termtext.Pad(fmtTime(o.TradeTime), 19),
				termtext.Pad(o.SubSaleType.Label(l), 6), termtext.Pad(o.PaymentChannel.Label(l), 9), termtext.PadLeft(o.TradeAmount.Yuan(), 14),
				termtext.Pad(o.CardNo, 19), termtext.PadLeft(strconv.Itoa(o.Attempts), 5), lastError(o))
			return err
		})
	}
	if err != nil {
		w.Flush()
		return err
	}
	return nil
}

// lastError is an order's last failure on one line, with what it means when the class says
// more than the gateway's words (a duplicate that needs a new number; given up).
func lastError(o model.Order) string {
	if o.LastCode == 0 && o.LastSubCode == "" && o.LastMessage == "" {
		return ""
	}
	s := ""
	switch {
	case o.Status == model.StatusRejected && o.LastClass == "duplicate":
		s = "[order_id taken at head office: change it] "
	case o.Status == model.StatusRejected && o.LastClass == model.ClassGaveUp:
		s = "[gave up retrying: retry by hand] "
	case o.Status == model.StatusRejected && o.LastClass == model.ClassDamaged:
		s = "[damaged on disk, not sent: check it against the slip and save it again, or run banksale check] "
		return termtext.Line(s, 120)
	}
	if o.LastCode != 0 {
		s += strconv.Itoa(o.LastCode) + " "
	}
	if o.LastSubCode != "" {
		s += o.LastSubCode + " "
	}
	return termtext.Line(s+o.LastMessage, 90)
}

func cmdExport(ctx context.Context, c *cli, args []string) error {
	fs, cfgPath := c.flags("export", "[--from D] [--to D] [--status S] [--format csv|json] [--out FILE]",
		"Write orders with the API's field names, amounts in fen, cards masked (the journal holds no full\n"+
			"number), newest first. The output can be read back by `banksale import` on another journal.")
	ff := filterFlags{
		status: fs.String("status", "", "only these statuses, comma-separated"),
		from:   fs.String("from", "", "trade_time from `D` (inclusive)"),
		to:     fs.String("to", "", "trade_time up to `D` (a day includes that day)"),
	}
	format := fs.String("format", "csv", "csv (a header row of field names) or json (an array, the API's encoding)")
	outPath := fs.String("out", "", "write to `FILE` instead of standard output")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("unexpected argument %q", rest[0])
	}
	if *format != "csv" && *format != "json" {
		return usageError("--format %q: use csv or json", *format)
	}
	f, err := c.filter(ff)
	if err != nil {
		return usageError("%w", err)
	}
	e, err := c.open(ctx, *cfgPath, "export", reader)
	if err != nil {
		return err
	}
	defer e.close()

	var dst io.Writer = c.stdout
	var file *os.File
	if *outPath != "" {
		file, err = createNew(*outPath)
		if err != nil {
			return err
		}
		dst = file
	}
	out := orderfile.FormatCSV
	if *format == "json" {
		out = orderfile.FormatJSON
	}
	n := 0
	w, err := orderfile.NewWriter(dst, out)
	if err == nil {
		err = each(ctx, e.j, f, 0, func(o model.Order) error {
			n++
			return w.Write(o.Sale)
		})
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return err
	}
	e.log.Info("export", "orders", n, "format", *format)
	if *outPath != "" {
		fmt.Fprintf(c.stderr, "%d orders written to %s\n", n, *outPath)
	}
	return nil
}
