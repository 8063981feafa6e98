package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"banksale/model"
	"banksale/orderfile"
	"banksale/storage"
	"banksale/termtext"
)

func cmdImport(ctx context.Context, c *cli, args []string) int {
	fs, cfgPath := c.flags("import", "[--config FILE] [--warnings] FILE…",
		"Journal the orders in each FILE: CSV with a header row of the API's field names, a JSON array of\n"+
			"objects, or JSON Lines. Amounts (trade_amount) are in fen, as the API has them. card_no may be\n"+
			"full (only its masked form and digest are kept) or masked. Refused rows are listed on stderr as\n"+
			"FILE:ROW field: reason; the others are journaled together, all or none. An order already in the\n"+
			"journal is skipped; the same order_id with different content is refused.\n"+
			"Exit status 1 when any row was refused.")
	showWarn := fs.Bool("warnings", false, "also list the warnings of rows that were journaled")
	files, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(files) == 0 {
		fmt.Fprintln(c.stderr, "banksale import: name at least one file")
		fs.Usage()
		return exitUsage
	}
	e, code := c.open(ctx, *cfgPath, "import")
	if e == nil {
		return code
	}
	defer e.close()

	out := bufio.NewWriter(c.stderr)
	defer out.Flush()
	rep := func(file string, row int, field, reason string) {
		// Reasons can quote the file (an unknown key): no escape sequence reaches the terminal.
		field, reason = termtext.Line(field, 0), termtext.Line(reason, 0)
		if row == 0 {
			fmt.Fprintf(out, "%s: %s\n", file, reason)
		} else if field != "" {
			fmt.Fprintf(out, "%s:%d %s: %s\n", file, row, field, reason)
		} else {
			fmt.Fprintf(out, "%s:%d: %s\n", file, row, reason)
		}
	}
	opts := importOptions{Rules: e.rules, Now: c.now(), Lang: e.lang, By: e.who, Refused: rep,
		StoreNo: e.cfg.Store.StoreNo, CommType: e.cfg.Store.CommunicateType, Stdin: c.stdin}
	if *showWarn {
		opts.Warned = func(file string, row int, field, reason string) {
			rep(file, row, field, hdr(e.lang, "警告: ", "warning: ")+reason)
		}
	}
	res, err := importFiles(ctx, e.j, files, opts)
	out.Flush()
	if err != nil {
		e.log.Error("import", "err", err)
		if res.Broken > 0 {
			fmt.Fprintf(c.stderr, "banksale import: nothing was journaled: %d file(s) could not be read to the end (see above)\n", res.Broken)
		} else {
			fmt.Fprintf(c.stderr, "banksale import: %v\n", err)
			if errors.Is(err, errNothingJournaled) {
				fmt.Fprintln(c.stderr, "banksale import: nothing was journaled")
			}
		}
		return exitRefused
	}
	e.log.Info("import", "files", len(files), "rows", res.Rows, "inserted", res.Inserted, "skipped", res.Skipped, "refused", res.Refused)
	fmt.Fprintf(c.stdout, "%d rows: %d journaled, %d already in the journal, %d refused", res.Rows, res.Inserted, res.Skipped, res.Refused)
	if res.Warnings > 0 {
		fmt.Fprintf(c.stdout, ", %d with warnings", res.Warnings)
		if !*showWarn {
			fmt.Fprint(c.stdout, " (--warnings lists them)")
		}
	}
	fmt.Fprintln(c.stdout)
	if res.Refused > 0 {
		return exitRefused
	}
	return exitOK
}

type importOptions struct {
	Rules model.Rules
	Now   time.Time // operate_time of rows that have none, and "now" for the future-time checks
	Lang  model.Lang
	By    string
	// StoreNo and CommType fill store_no and communicate_type of rows that leave them empty,
	// as the entry form does from the config.
	StoreNo, CommType string
	Stdin             io.Reader // read for the file name "-"
	// Refused is told about every refused row, once per problem; Warned (optional) about the
	// warnings of rows that were journaled.
	Refused, Warned func(file string, row int, field, reason string)
}

type importResult struct {
	Rows, Inserted, Skipped, Refused, Warnings int
	Broken                                     int // files that could not be read to the end
}

var errNothingJournaled = errors.New("nothing journaled")

// importFiles reads every file, validates every row and journals the good ones in one
// transaction. Reading and validating run on one core while the journal writes on the other. A file that cannot be read to its end (broken quoting,
// a cut-off array) stops everything: journaling the rows before the break would leave a
// half-imported file, so the transaction is taken back.
func importFiles(ctx context.Context, j *storage.Journal, files []string, o importOptions) (importResult, error) {
	var res importResult
	type origin struct {
		file string
		row  int
		warn model.Issues
	}
	// Written by the sales iterator, on ImportSeq's goroutine.
	var (
		from   []origin
		broken []error
	)
	rules := o.Rules
	rules.Now = o.Now.In(model.CST)
	rules.AmountInFen = true
	type at struct {
		file string
		row  int
	}
	refusedRows := map[at]bool{}
	refuse := func(file string, row int, field, reason string) {
		k := at{file, row}
		if !refusedRows[k] {
			refusedRows[k] = true
			res.Refused++
		}
		o.Refused(file, row, field, reason)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	errBroken := errors.New("a file could not be read to the end")
	errStopped := errors.New("the journal stopped taking sales")
	// ImportSeq pulls the sales on a goroutine of its own, so reading and validating here run on
	// one core while the journal writes on the other.
	sales := func(yield func(model.Sale) bool) {
		for _, name := range files {
			if ctx.Err() != nil {
				return
			}
			err := readFile(name, o.Stdin, func(r orderfile.Row) error {
				res.Rows++
				if r.Err != nil {
					refuse(name, r.N, "", r.Err.Error())
					return nil
				}
				if r.Draft.StoreNo == "" {
					r.Draft.StoreNo = o.StoreNo
				}
				if r.Draft.CommunicateType == "" {
					r.Draft.CommunicateType = o.CommType
				}
				s, issues := r.Draft.Build(rules)
				if issues.HasErrors() {
					for _, is := range issues.Errors() {
						refuse(name, r.N, is.Field, is.Message(o.Lang))
					}
					return nil
				}
				from = append(from, origin{file: name, row: r.N, warn: issues.Warnings()})
				if !yield(s) {
					return errStopped
				}
				return nil
			})
			if errors.Is(err, errStopped) {
				return // the journal gave up first: its error is the one to report
			}
			if err != nil {
				var re *orderfile.RowError
				if errors.As(err, &re) {
					refuse(name, re.N, "", re.Err.Error())
				} else {
					o.Refused(name, 0, "", err.Error())
				}
				broken = append(broken, fmt.Errorf("%s: %w", name, err))
			}
		}
		if len(broken) > 0 {
			// Before the iterator ends, so the journal takes back what it wrote, not commits.
			cancel(errBroken)
		}
	}
	// ImportSeq returns only once it has stopped pulling sales: from, broken and res are ours.
	ir, err := j.ImportSeq(ctx, sales, o.By)
	if len(broken) > 0 {
		res.Broken = len(broken)
		return res, errors.Join(broken...)
	}
	if err != nil {
		if cerr := context.Cause(ctx); errors.Is(err, context.Canceled) && cerr != nil && cerr != err {
			err = cerr
		}
		return res, fmt.Errorf("journaling %d orders: %w (%w)", len(from), err, errNothingJournaled)
	}
	res.Inserted, res.Skipped = ir.Inserted, ir.Skipped
	refusedIdx := make(map[int]bool, len(ir.Refused))
	for _, rf := range ir.Refused {
		if rf.Index < 0 || rf.Index >= len(from) {
			continue
		}
		refusedIdx[rf.Index] = true
		o2 := from[rf.Index]
		var ve *model.ValidationError
		var ce *model.ConflictError
		switch {
		case errors.As(rf.Reason, &ve):
			for _, is := range ve.Issues.Errors() {
				refuse(o2.file, o2.row, is.Field, is.Message(o.Lang))
			}
		case errors.As(rf.Reason, &ce):
			refuse(o2.file, o2.row, model.FieldOrderID, conflictMessage(ce.OrderID, o.Lang))
		default:
			refuse(o2.file, o2.row, "", fmt.Sprint(rf.Reason))
		}
	}
	for i, w := range from {
		if len(w.warn) == 0 || refusedIdx[i] {
			continue
		}
		res.Warnings++
		if o.Warned != nil {
			for _, is := range w.warn {
				o.Warned(w.file, w.row, is.Field, is.Message(o.Lang))
			}
		}
	}
	return res, nil
}

func conflictMessage(id string, l model.Lang) string {
	if l == model.ZH {
		return fmt.Sprintf("订单号 %s 已在日志中,但内容不同:换一个订单号,或改正文件", id)
	}
	return fmt.Sprintf("order %s is already in the journal with different content: use another order_id or correct the file", id)
}

// readFile reads one file ("-" is standard input) in the format its name and first bytes say.
func readFile(name string, stdin io.Reader, fn func(orderfile.Row) error) error {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(512)
	return orderfile.Read(br, orderfile.Detect(name, head), fn)
}
