package main

import (
	"bufio"
	"context"
	"fmt"

	"banksale/desk"
	"banksale/termtext"
)

func cmdImport(ctx context.Context, c *cli, args []string) error {
	fs, cfgPath := c.flags("import", "[--warnings] FILE…",
		"Journal the orders in each FILE: CSV with a header row of the API's field names, a JSON array of\n"+
			"objects, or JSON Lines. Amounts (trade_amount) are in fen, as the API has them. card_no may be\n"+
			"full (only its masked form and digest are kept) or masked. Refused rows are listed on stderr as\n"+
			"FILE:ROW field: reason; the others are journaled together, all or none. An order already in the\n"+
			"journal is skipped; the same order_id with different content is refused.\n"+
			"Exit status 1 when any row was refused.")
	showWarn := fs.Bool("warnings", false, "also list the warnings of rows that were journaled")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return usageError("name at least one file")
	}
	e, err := c.open(ctx, *cfgPath, "import", owner)
	if err != nil {
		return err
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
	opts := desk.ImportOptions{Lang: e.lang, Refused: rep, Stdin: c.stdin}
	if *showWarn {
		opts.Warned = func(file string, row int, field, reason string) {
			rep(file, row, field, e.lang.Pick("警告: ", "warning: ")+reason)
		}
	}
	res, err := e.desk(nil).Import(ctx, files, opts)
	out.Flush()
	if err != nil {
		e.log.Error("import", "err", err)
		if res.Broken > 0 {
			return fmt.Errorf("nothing was journaled: %d file(s) could not be read to the end (see above)", res.Broken)
		}
		return err // it says nothing was journaled (desk.ErrNothingJournaled)
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
		// The summary line and the refusals on stderr have said it all; stderr stays FILE:ROW
		// lines only, for scripts that read them.
		return &exitError{code: exitRefused}
	}
	return nil
}
