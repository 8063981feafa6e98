package main

import (
	"flag"
	"os"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"banksale/model"
)

// xlsxSheet is one list of a workbook: a header row and its rows. A cell is text, a number,
// a model.Amount (written as yuan, shown as ¥#,##0.00) or a time.Time (a date-time, China time).
type xlsxSheet struct {
	name string
	head []string
	rows [][]any
}

// writeXLSX writes a workbook with one sheet per list to path, which must not exist yet; the
// file is private to this user (0600), as every file banksale writes. The rows go through
// excelize's stream writer, which does not build its own cell model on top of them.
func writeXLSX(path string, sheets []xlsxSheet) (err error) {
	f := excelize.NewFile()
	defer f.Close()
	money, err := f.NewStyle(&excelize.Style{CustomNumFmt: new("¥#,##0.00")})
	if err != nil {
		return err
	}
	when, err := f.NewStyle(&excelize.Style{CustomNumFmt: new("yyyy-mm-dd hh:mm:ss")})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sh.name)
		if err != nil {
			return err
		}
		head := make([]any, len(sh.head))
		for k, h := range sh.head {
			head[k] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for r, row := range sh.rows {
			cells := make([]any, len(row))
			for k, v := range row {
				switch v := v.(type) {
				case model.Amount:
					cells[k] = excelize.Cell{StyleID: money, Value: float64(v) / 100}
				case time.Time:
					if v.IsZero() {
						cells[k] = ""
						continue
					}
					// Excel has no zones: the China time a person reads on the slip.
					t := v.In(model.CST)
					cells[k] = excelize.Cell{StyleID: when, Value: time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)}
				default:
					cells[k] = v
				}
			}
			cell, err := excelize.CoordinatesToCellName(1, r+2)
			if err != nil {
				return err
			}
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	out, err := createNew(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	_, err = f.WriteTo(out)
	return err
}

// outputFlags are a listing command's --json, --format and --out.
type outputFlags struct {
	asJSON      *bool
	format, out *string
}

func addOutputFlags(fs *flag.FlagSet, jsonHelp string) outputFlags {
	return outputFlags{
		asJSON: fs.Bool("json", false, jsonHelp),
		format: fs.String("format", "text", "text, json or xlsx (a workbook, one sheet per list; with --out)"),
		out:    fs.String("out", "", "the workbook `FILE` to write (--format xlsx)"),
	}
}

// how is the output the flags ask for: text, json or xlsx.
func (o outputFlags) how() (string, error) { return outputFormat(*o.format, *o.out, *o.asJSON) }

// parse parses a listing command's arguments, which take flags only, and says the output
// they ask for.
func (o outputFlags) parse(fs *flag.FlagSet, args []string) (string, error) {
	rest, err := parse(fs, args)
	if err != nil {
		return "", err
	}
	if len(rest) > 0 {
		return "", usageError("unexpected argument %q", rest[0])
	}
	return o.how()
}

// dayFlag reads --day: a day like 2026-11-26, China time; today when not given.
func dayFlag(v string, now time.Time) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		n := now.In(model.CST)
		return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, model.CST), nil
	}
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(v), model.CST)
	if err != nil {
		return time.Time{}, usageError("--day %q: write the day like 2026-11-26", v)
	}
	return d, nil
}

// outputFormat reads --format and --out: text or json to stdout, or xlsx to FILE.
func outputFormat(format, out string, asJSON bool) (string, error) {
	if asJSON {
		format = "json"
	}
	switch format {
	case "", "text":
		format = "text"
	case "json":
	case "xlsx":
		if out == "" {
			return "", usageError("--format xlsx writes a workbook: name it with --out FILE")
		}
		return format, nil
	default:
		return "", usageError("--format %q: use text, json or xlsx", format)
	}
	if out != "" {
		return "", usageError("--out is for --format xlsx; text and json go to standard output")
	}
	return format, nil
}
