package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"banksale/desk"
	"banksale/model"
	"banksale/orderfile"
	"banksale/termtext"
)

func cmdShow(ctx context.Context, c *cli, args []string) error {
	fs, cfgPath := c.flags("show", "ORDER_ID [--json]", "One order: every field, its upload attempts and its audit trail.")
	asJSON := fs.Bool("json", false, `one JSON object {"order":…, "attempts":[…], "audit":[…]} (see the README)`)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("name one ORDER_ID")
	}
	e, err := c.open(ctx, *cfgPath, "show", reader)
	if err != nil {
		return err
	}
	defer e.close()
	o, err := e.j.Get(ctx, rest[0])
	if err != nil {
		return orderErr(rest[0], err, e.lang)
	}
	atts, err := e.j.Attempts(ctx, o.OrderID)
	if err != nil {
		return err
	}
	audit, err := e.j.Audit(ctx, o.OrderID)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(c.stdout)
	defer w.Flush()
	if *asJSON {
		v := showJSON{Order: orderOf(o), Attempts: []attemptJSON{}, Audit: []auditJSON{}}
		for _, a := range atts {
			v.Attempts = append(v.Attempts, attemptJSON{N: a.N, StartedAt: fmtTime(a.StartedAt), LatencyMS: a.Latency.Milliseconds(),
				Outcome: a.Outcome, Class: a.Class, Code: a.Code, SubCode: a.SubCode, Message: a.Message, RequestID: a.RequestID,
				Answer: a.Answer})
		}
		for _, a := range audit {
			v.Audit = append(v.Audit, auditJSON{At: fmtTime(a.At), By: a.By, Action: a.Action, Detail: a.Detail})
		}
		return writeJSON(w, v)
	}
	l := e.lang
	fmt.Fprintf(w, "%s  %s  %s\n", o.OrderID, o.Status.Label(l), o.TradeAmount.String())
	vals := orderfile.Fields(o.Sale)
	for i, name := range orderfile.Columns {
		v := vals[i]
		if v == "" {
			continue
		}
		switch name {
		case model.FieldTradeAmount:
			v = o.TradeAmount.String()
		case model.FieldPaymentChannel:
			v += " " + o.PaymentChannel.Label(l)
		case model.FieldSubSaleType:
			v += " " + o.SubSaleType.Label(l)
		case model.FieldSaleType:
			v += " " + o.SaleType.Label(l)
		case model.FieldCommunicateType:
			v += " " + o.CommunicateType.Label(l)
		}
		fmt.Fprintf(w, "  %s %s\n", termtext.Pad(model.FieldLabel(name, l)+":", 20), termtext.Line(v, 0))
	}
	fmt.Fprintf(w, "  %s %d\n", termtext.Pad(l.Pick("上传次数:", "Attempts:"), 20), o.Attempts)
	if !o.NextAttemptAt.IsZero() && (o.Status == model.StatusRetrying || o.Status == model.StatusPending) {
		fmt.Fprintf(w, "  %s %s\n", termtext.Pad(l.Pick("下次上传:", "Next attempt:"), 20), fmtTime(o.NextAttemptAt))
	}
	if le := lastError(o); le != "" {
		fmt.Fprintf(w, "  %s %s\n", termtext.Pad(l.Pick("最近错误:", "Last error:"), 20), le)
	}
	if o.VoidReason != "" {
		fmt.Fprintf(w, "  %s %s\n", termtext.Pad(l.Pick("作废原因:", "Void reason:"), 20), termtext.Line(o.VoidReason, 0))
	}
	fmt.Fprintf(w, "\n%s\n", l.Pick("上传记录", "Attempts"))
	if len(atts) == 0 {
		fmt.Fprintf(w, "  %s\n", l.Pick("(无)", "(none)"))
	}
	for _, a := range atts {
		fmt.Fprintf(w, "  #%d %s %-9s %6dms", a.N, fmtTime(a.StartedAt), a.Outcome, a.Latency.Milliseconds())
		if a.Code != 0 || a.SubCode != "" {
			fmt.Fprintf(w, " code %d %s", a.Code, termtext.Line(a.SubCode, 0))
		}
		if a.Message != "" {
			fmt.Fprintf(w, " %s", termtext.Line(a.Message, 80))
		}
		if a.RequestID != "" {
			fmt.Fprintf(w, " request_id %s", termtext.Line(a.RequestID, 0))
		}
		if a.Class == "duplicate" && a.Outcome == "uploaded" {
			fmt.Fprint(w, l.Pick(" (总部已有: 早先一次已送达)", " (head office had it: an earlier attempt got through)"))
		}
		fmt.Fprintln(w)
		if a.Answer != "" {
			fmt.Fprintf(w, "      %s %s\n", l.Pick("应答:", "answer:"), termtext.Line(a.Answer, 120))
		}
	}
	fmt.Fprintf(w, "\n%s\n", l.Pick("操作记录", "Audit"))
	for _, a := range audit {
		fmt.Fprintf(w, "  %s %-8s %-8s %s\n", fmtTime(a.At), termtext.Line(a.By, 0), a.Action, termtext.Line(a.Detail, 100))
	}
	return nil
}

// orderErr says what an error about one order means for the person.
func orderErr(id string, err error, l model.Lang) error {
	var se *desk.StatusError
	switch {
	case errors.Is(err, model.ErrNotFound):
		return errors.New(l.Pick("日志中没有订单 "+id, "no order "+id+" in the journal"))
	case errors.Is(err, model.ErrBusy):
		return errors.New(l.Pick("订单 "+id+" 正在上传,请稍后再试", "order "+id+" is being uploaded right now: try again in a moment"))
	case errors.Is(err, model.ErrNotEditable):
		return errors.New(l.Pick("订单 "+id+" 已上传或已作废,不能再改;已上传的请做撤销或退款",
			"order "+id+" is already uploaded or voided and cannot be changed; correct an uploaded sale with a void or refund"))
	case errors.As(err, &se):
		return fmt.Errorf("order %s is %s: only orders waiting for a retry or rejected can be retried", id, se.Status.Label(l))
	}
	return fmt.Errorf("%s: %w", id, err)
}

func cmdVoid(ctx context.Context, c *cli, args []string) error {
	fs, cfgPath := c.flags("void", "ORDER_ID --reason TEXT",
		"Cancel an order that has not reached head office (pending, retrying or rejected). It stays in\n"+
			"the journal as voided, with the reason, and is never uploaded. An uploaded sale is corrected\n"+
			"with a void (002) or refund (006) order instead.")
	reason := fs.String("reason", "", "why it is cancelled (required; no card number; at most "+strconv.Itoa(model.MaxReason)+" characters)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("name one ORDER_ID")
	}
	if strings.TrimSpace(*reason) == "" {
		return usageError("--reason TEXT is required: say why the order is cancelled")
	}
	e, err := c.open(ctx, *cfgPath, "void", owner)
	if err != nil {
		return err
	}
	defer e.close()
	o, err := e.desk(nil).Cancel(ctx, rest[0], *reason)
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		// The reason is the command line's own argument: a wrong one is a wrong command line.
		return usageError("--reason: %s", ve.Message(e.lang))
	}
	if err != nil {
		return orderErr(rest[0], err, e.lang)
	}
	e.log.Info("void", "order_id", o.OrderID, "by", e.who)
	fmt.Fprintf(c.stdout, "%s %s\n", o.OrderID, o.Status.Label(e.lang))
	return nil
}

func cmdReport(ctx context.Context, c *cli, args []string) error {
	fs, cfgPath := c.flags("report", "[--day YYYY-MM-DD] [--json | --format text|json|xlsx --out FILE]",
		"A day's orders by trade_time (China time): count and amount per channel and type, the net\n"+
			"amount (sales − voids − refunds, voided orders left out), and how many are in each status.")
	day := fs.String("day", "", "the day (default: today, China time)")
	of := addOutputFlags(fs, "a JSON object (see the README)")
	how, err := of.parse(fs, args)
	if err != nil {
		return err
	}
	d, err := dayFlag(*day, c.now())
	if err != nil {
		return err
	}
	e, err := c.open(ctx, *cfgPath, "report", reader)
	if err != nil {
		return err
	}
	defer e.close()
	sum, err := e.j.DaySummary(ctx, d)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(c.stdout)
	defer w.Flush()
	if how == "xlsx" {
		l := e.lang
		rows := xlsxSheet{name: "summary", head: []string{l.Pick("渠道", "channel"), l.Pick("类型", "type"), l.Pick("笔数", "count"), l.Pick("金额", "amount")}}
		for _, r := range sum.Rows {
			rows.rows = append(rows.rows, []any{r.Channel.Label(l), r.SubType.Label(l), r.Count, r.Amount})
		}
		rows.rows = append(rows.rows, []any{l.Pick("净额", "net"), "", "", sum.Net})
		by := xlsxSheet{name: "by_status", head: []string{l.Pick("状态", "status"), l.Pick("笔数", "count")}}
		for _, st := range model.Statuses {
			by.rows = append(by.rows, []any{st.Label(l), sum.ByStatus[st]})
		}
		if err := writeXLSX(*of.out, []xlsxSheet{rows, by}); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: %s\n", *of.out, d.Format("2006-01-02"))
		return nil
	}
	if how == "json" {
		type rowJSON struct {
			PaymentChannel string `json:"payment_channel"`
			SubSaleType    string `json:"sub_sale_type"`
			Count          int    `json:"count"`
			Amount         int64  `json:"amount"`
		}
		v := struct {
			Day      string         `json:"day"`
			Rows     []rowJSON      `json:"rows"`
			Net      int64          `json:"net"`
			ByStatus map[string]int `json:"by_status"`
		}{Day: d.Format("2006-01-02"), Rows: []rowJSON{}, Net: int64(sum.Net), ByStatus: map[string]int{}}
		for _, r := range sum.Rows {
			v.Rows = append(v.Rows, rowJSON{string(r.Channel), string(r.SubType), r.Count, int64(r.Amount)})
		}
		for _, st := range model.Statuses {
			v.ByStatus[string(st)] = sum.ByStatus[st]
		}
		return writeJSON(w, v)
	}
	l := e.lang
	fmt.Fprintf(w, "%s %s\n\n", l.Pick("日报", "Day summary"), d.Format("2006-01-02"))
	fmt.Fprintf(w, "%s %s %s %s\n", termtext.Pad(l.Pick("渠道", "Channel"), 10), termtext.Pad(l.Pick("类型", "Type"), 8),
		termtext.PadLeft(l.Pick("笔数", "Count"), 7), termtext.PadLeft(l.Pick("金额", "Amount"), 18))
	for _, r := range sum.Rows {
		fmt.Fprintf(w, "%s %s %s %s\n", termtext.Pad(r.Channel.Label(l), 10), termtext.Pad(r.SubType.Label(l), 8),
			termtext.PadLeft(strconv.Itoa(r.Count), 7), termtext.PadLeft(r.Amount.String(), 18))
	}
	fmt.Fprintf(w, "%s %s\n\n", termtext.Pad(l.Pick("净额", "Net"), 27), termtext.PadLeft(sum.Net.String(), 18))
	for _, st := range model.Statuses {
		fmt.Fprintf(w, "%s %s\n", termtext.Pad(st.Label(l), 10), termtext.PadLeft(strconv.Itoa(sum.ByStatus[st]), 7))
	}
	return nil
}

func cmdBackup(ctx context.Context, c *cli, args []string) error {
	fs, cfgPath := c.flags("backup", "FILE",
		"Write a consistent copy of the journal to FILE with SQLite's VACUUM INTO, also while the\n"+
			"screen or `banksale sync` has the journal open. Never copy the live banksale.db (or its\n"+
			"-wal file) by hand: a copy taken while it is written can be torn. FILE must not exist yet.")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("name one FILE to write")
	}
	dest := rest[0]
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s already exists: name a new file", dest)
	}
	e, err := c.open(ctx, *cfgPath, "backup", reader)
	if err != nil {
		return err
	}
	defer e.close()
	start := time.Now()
	if err := e.j.Backup(ctx, dest); err != nil {
		e.log.Error("backup", "dest", dest, "err", err)
		return err
	}
	e.log.Info("backup", "dest", dest, "took", time.Since(start))
	fmt.Fprintf(c.stdout, "journal %s backed up to %s\n", e.j.Path(), dest)
	return nil
}

func cmdVersion(_ context.Context, c *cli, args []string) error {
	fs, _ := c.flags("version", "", "Print banksale's version.")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	fmt.Fprintf(c.stdout, "banksale %s (%s, %s/%s)\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
