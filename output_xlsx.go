package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
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
	money, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("¥#,##0.00")})
	if err != nil {
		return err
	}
	when, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd hh:mm:ss")})
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
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists: name a new file", path)
	}
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

func ptr[T any](v T) *T { return &v }

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
