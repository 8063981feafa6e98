package desk

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"banksale/model"
	"banksale/orderfile"
)

// ImportOptions say where an import's files come from and whom to tell about its rows.
type ImportOptions struct {
	Lang  model.Lang // the language of the reasons
	Stdin io.Reader  // read for the file name "-"
	// Refused is told about every refused row, once per problem (row 0: the whole file);
	// Warned (optional) about the warnings of rows that were journaled. The reasons may quote
	// the file: clean them before they reach a terminal.
	Refused, Warned func(file string, row int, field, reason string)
}

// ImportResult counts what an import did.
type ImportResult struct {
	Rows, Inserted, Skipped, Refused, Warnings int
	Broken                                     int // files that could not be read to the end
}

// ErrNothingJournaled says an import failed as a whole: no row of it was journaled.
var ErrNothingJournaled = errors.New("nothing journaled")

// Import reads every file (CSV, JSON or JSON Lines in the API's fields, amounts in fen),
// validates every row as the entry form does, voids and refunds against their originals, and
// journals the good ones in one transaction. Reading and validating run on one core while the
// journal writes on the other. A file that cannot be read to its end (broken quoting, a cut-off
// array) stops everything: journaling the rows before the break would leave a half-imported
// file, so the transaction is taken back (Broken counts such files, the error wraps
// ErrNothingJournaled). Rows with no store number or communication type get the configured ones.
func (d *Desk) Import(ctx context.Context, files []string, o ImportOptions) (ImportResult, error) {
	var res ImportResult
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
	rules := d.Rules()
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
					r.Draft.StoreNo = d.cfg.StoreNo
				}
				if r.Draft.CommunicateType == "" {
					r.Draft.CommunicateType = string(d.cfg.CommType)
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
	ir, err := d.j.ImportSeq(ctx, sales, d.By())
	if len(broken) > 0 {
		res.Broken = len(broken)
		return res, errors.Join(broken...)
	}
	if err != nil {
		if cerr := context.Cause(ctx); errors.Is(err, context.Canceled) && cerr != nil && cerr != err {
			err = cerr
		}
		return res, fmt.Errorf("journaling %d orders: %w (%w)", len(from), err, ErrNothingJournaled)
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
	return fmt.Sprintf(l.Pick("订单号 %s 已在日志中,但内容不同:换一个订单号,或改正文件",
		"order %s is already in the journal with different content: use another order_id or correct the file"), id)
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
