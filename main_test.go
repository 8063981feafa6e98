package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"banksale/model"
	"banksale/storage"
	"banksale/storage/storagetest"
	"banksale/sync/top/toptest"
)

// testNow is the clock of every test: orders are a day older.
var testNow = time.Date(2026, 11, 26, 15, 0, 0, 0, model.CST)

type testEnv struct {
	t      *testing.T
	dir    string
	config string
	env    map[string]string
}

func newTestEnv(t *testing.T, extra string) *testEnv {
	t.Helper()
	dir := t.TempDir()
	te := &testEnv{t: t, dir: dir, config: filepath.Join(dir, "config.toml"), env: map[string]string{"LANG": "C"}}
	text := fmt.Sprintf("[journal]\npath = %q\n[card]\ndigest_key = \"test-key\"\n%s", filepath.Join(dir, "banksale.db"), extra)
	if err := os.WriteFile(te.config, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return te
}

// run runs one command line in-process, with --config added, and returns its exit status
// and output.
func (te *testEnv) run(args ...string) (int, string, string) {
	te.t.Helper()
	var out, errb bytes.Buffer
	c := te.cli("", &out, &errb)
	if len(args) > 0 {
		args = append([]string{args[0], "--config", te.config}, args[1:]...)
	}
	code := run(context.Background(), args, c)
	return code, out.String(), errb.String()
}

// cli is the outside world of a command run in-process: the test's environment and clock.
func (te *testEnv) cli(stdin string, stdout, stderr io.Writer) *cli {
	return &cli{stdin: strings.NewReader(stdin), stdout: stdout, stderr: stderr,
		getenv: func(k string) string { return te.env[k] }, now: func() time.Time { return testNow }}
}

func (te *testEnv) write(name, text string) string {
	te.t.Helper()
	p := filepath.Join(te.dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		te.t.Fatal(err)
	}
	return p
}

// luhnCard makes a 16-digit UnionPay number that passes Luhn.
var luhnCard = storagetest.LuhnCard

// goodRow is a sale that passes every rule without a warning.
func goodRow(i int) map[string]string {
	tt := testNow.Add(-24*time.Hour + time.Duration(i)*time.Second)
	return map[string]string{
		"order_id":         fmt.Sprintf("T%08d", i),
		"sequence_no":      fmt.Sprintf("%011d", i),
		"payment_channel":  "002",
		"card_no":          luhnCard(i),
		"trade_time":       model.FormatTime(tt),
		"sub_sale_type":    "001",
		"trade_amount":     strconv.Itoa(100 + i),
		"bank_code":        "102",
		"terminal_no":      "T0000001",
		"bank_shop_no":     "123456789012345",
		"pos_trace_no":     fmt.Sprintf("%06d", i%1000000),
		"batch_no":         "000001",
		"trade_ref_no":     fmt.Sprintf("R%011d", i),
		"pay_type_no":      "1",
		"store_no":         "HZ01",
		"communicate_type": "001",
	}
}

// badKinds each break one rule; field is the field the refusal must name.
var badKinds = []struct {
	field string
	apply func(map[string]string)
}{
	{"trade_amount", func(m map[string]string) { m["trade_amount"] = "0" }},
	{"trade_amount", func(m map[string]string) { m["trade_amount"] = "12.5" }},
	{"trade_time", func(m map[string]string) { m["trade_time"] = "2027-01-01 10:00:00" }},
	{"order_id", func(m map[string]string) { m["order_id"] = "" }},
	{"payment_channel", func(m map[string]string) { m["payment_channel"] = "003" }},
	{"sub_sale_type", func(m map[string]string) { m["sub_sale_type"] = "009" }},
	{"pay_type_no", func(m map[string]string) { m["pay_type_no"] = "x" }},
	{"rback", func(m map[string]string) { m["rback"] = "01" }},
	{"remark", func(m map[string]string) { m["remark"] = "card 6222021234567890128" }},
	{"original_order_id", func(m map[string]string) { m["sub_sale_type"] = "006" }},
}

var csvColumns = []string{"order_id", "original_order_id", "sequence_no", "payment_channel", "card_no", "trade_time",
	"sub_sale_type", "trade_amount", "bank_code", "terminal_no", "bank_shop_no", "pos_trace_no", "batch_no",
	"trade_ref_no", "pay_type_no", "store_no", "communicate_type", "rback", "remark"}

func csvOf(t testing.TB, rows []map[string]string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(csvColumns)
	for _, r := range rows {
		rec := make([]string, len(csvColumns))
		for i, c := range csvColumns {
			rec[i] = r[c]
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return b.String()
}

func jsonlOf(rows []map[string]any) string {
	var b strings.Builder
	for _, r := range rows {
		j, _ := json.Marshal(r)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

var refusedLine = regexp.MustCompile(`^(.+):(\d+) ([a-z_]+): (.+)$`)

func TestImportThousandWithTenBad(t *testing.T) {
	te := newTestEnv(t, "")
	rows := make([]map[string]string, 1000)
	badAt := map[int]string{} // CSV line → field
	for i := range rows {
		rows[i] = goodRow(i)
		if i%100 == 37 {
			k := badKinds[i/100]
			k.apply(rows[i])
			badAt[i+2] = k.field // header is line 1
		}
	}
	file := te.write("sales.csv", csvOf(t, rows))

	code, out, errs := te.run("import", file)
	if code != exitRefused {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitRefused, errs)
	}
	// One line per problem: a row refused for two reasons (an invalid sub_sale_type leaves
	// sale_type unknown too) has two lines; exactly the 10 bad rows appear, each naming the
	// field that was broken.
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	named := map[int]map[string]bool{}
	for _, l := range lines {
		m := refusedLine.FindStringSubmatch(l)
		if m == nil || m[1] != file {
			t.Errorf("refusal %q is not FILE:ROW field: reason", l)
			continue
		}
		row, _ := strconv.Atoi(m[2])
		if _, ok := badAt[row]; !ok {
			t.Errorf("good row %d refused: %q", row, l)
		}
		if named[row] == nil {
			named[row] = map[string]bool{}
		}
		named[row][m[3]] = true
	}
	if len(named) != 10 {
		t.Errorf("%d rows refused, want 10:\n%s", len(named), errs)
	}
	for row, field := range badAt {
		if !named[row][field] {
			t.Errorf("row %d: no refusal naming %s", row, field)
		}
	}
	if !strings.Contains(out, "990 journaled") {
		t.Errorf("summary = %q", out)
	}
	if n := countOrders(t, te); n != 990 {
		t.Errorf("journal holds %d orders, want 990", n)
	}
	// Every row had a full card number: none of them may reach the journal, its WAL or the log.
	fullCard := regexp.MustCompile(`622202[0-9]{10}`)
	for _, name := range []string{"banksale.db", "banksale.db-wal", "banksale.log"} {
		b, err := os.ReadFile(filepath.Join(te.dir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if m := fullCard.Find(b); m != nil {
			t.Errorf("%s holds a full card number %s", name, m)
		}
	}

	// Importing the same file again adds nothing.
	code, out, _ = te.run("import", file)
	if code != exitRefused || !strings.Contains(out, "0 journaled, 990 already in the journal, 10 refused") {
		t.Errorf("re-import: exit %d, %q", code, out)
	}
	if n := countOrders(t, te); n != 990 {
		t.Errorf("after re-import the journal holds %d orders, want 990", n)
	}

	// The same order_id with different content is refused as a conflict; a new row beside it
	// is still journaled.
	changed := goodRow(5)
	changed["trade_amount"] = "99999"
	conflict := te.write("conflict.csv", csvOf(t, []map[string]string{changed, goodRow(5000)}))
	code, out, errs = te.run("import", conflict)
	if code != exitRefused || !strings.Contains(errs, conflict+":2 order_id: ") || !strings.Contains(errs, "different content") {
		t.Errorf("conflict: exit %d, stderr %q", code, errs)
	}
	if !strings.Contains(out, "1 journaled") || countOrders(t, te) != 991 {
		t.Errorf("conflict: %q, %d orders", out, countOrders(t, te))
	}
}

func TestImportJSONAndJSONLines(t *testing.T) {
	te := newTestEnv(t, "")
	var objs []map[string]any
	for i := range 5 {
		m := map[string]any{}
		for k, v := range goodRow(i) {
			m[k] = v
		}
		// Numbers as numbers, as the API has them.
		m["trade_amount"] = json.Number(strconv.Itoa(1000 + i))
		m["pay_type_no"] = 2
		delete(m, "store_no") // filled from the config
		objs = append(objs, m)
	}
	objs[3]["trade_amount"] = 12.75 // a float amount is refused, not rounded
	jl := te.write("a.jsonl", jsonlOf(objs[:4]))
	arr, _ := json.Marshal(objs[4:])
	ja := te.write("b.json", string(arr))
	code, out, errs := te.run("import", jl, ja)
	if code != exitRefused || strings.TrimSpace(errs) == "" || !strings.HasPrefix(errs, jl+":4 trade_amount: ") {
		t.Fatalf("exit %d stdout %q stderr %q", code, out, errs)
	}
	if !strings.Contains(out, "4 journaled") {
		t.Errorf("summary %q", out)
	}
	code, out, _ = te.run("show", "T00000004", "--json")
	var v showJSON
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v.Order.TradeAmount != 1004 || v.Order.PayTypeNo != 2 || v.Order.StoreNo != "HZ01" {
		t.Errorf("show: %d %s", code, out)
	}
	if v.Order.CardNo != "622202******"+luhnCard(4)[12:] || len(v.Order.EncrypteSummary) != 64 || v.Order.Cashier == "" || v.Order.OperateTime != model.FormatTime(testNow) {
		t.Errorf("card/cashier/operate_time: %+v", v.Order)
	}
}

func TestImportBrokenFileJournalsNothing(t *testing.T) {
	te := newTestEnv(t, "")
	// Enough good rows that the journal has written many of them, in its transaction, by the
	// time the reader finds the second file broken.
	var rows []map[string]string
	for i := range 2000 {
		rows = append(rows, goodRow(i))
	}
	good := te.write("good.csv", csvOf(t, rows))
	broken := te.write("broken.json", `[{"order_id":"X1"}, {"order_id": `)
	code, _, errs := te.run("import", good, broken, filepath.Join(te.dir, "missing.csv"))
	if code != exitRefused || strings.Contains(errs, good) || !strings.Contains(errs, broken+":2: ") || !strings.Contains(errs, "missing.csv: ") || !strings.Contains(errs, "nothing was journaled") {
		t.Errorf("exit %d stderr %q", code, errs)
	}
	if n := countOrders(t, te); n != 0 {
		t.Errorf("%d orders journaled from a failed import", n)
	}
}

func countOrders(t *testing.T, te *testEnv) int {
	t.Helper()
	code, out, errs := te.run("list", "--json")
	if code != 0 {
		t.Fatalf("list: %d %s", code, errs)
	}
	var v []orderJSON
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("list --json is not a JSON array: %v\n%s", err, out)
	}
	return len(v)
}

func importGood(t *testing.T, te *testEnv, n int) {
	t.Helper()
	rows := make([]map[string]string, n)
	for i := range rows {
		rows[i] = goodRow(i)
	}
	if code, _, errs := te.run("import", te.write("good.csv", csvOf(t, rows))); code != 0 {
		t.Fatalf("import: %d %s", code, errs)
	}
}

// The --json shapes are a promise to scripts: these keys, in this order.
var listKeys = []string{"order_id", "status", "original_order_id", "sequence_no", "payment_channel", "card_no",
	"trade_time", "sale_type", "sub_sale_type", "trade_amount", "bank_code", "bank_name", "terminal_no",
	"bank_shop_no", "pos_trace_no", "batch_no", "trade_ref_no", "pay_type_no", "store_no", "encrypte_summary",
	"communicate_type", "operate_time", "rback", "remark", "extend_param", "cashier", "ip", "mac",
	"attempts", "next_attempt_at", "last_code", "last_sub_code", "last_message", "request_id", "void_reason",
	"created_at", "created_by", "updated_at", "updated_by", "last_class"}

func keysInOrder(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, _ := dec.Token()
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		_ = dec.Decode(&skip)
	}
	return keys
}

func TestListAndShowJSON(t *testing.T) {
	te := newTestEnv(t, "")
	importGood(t, te, 1200)

	code, out, _ := te.run("list", "--json", "--limit", "3")
	var page []json.RawMessage
	if code != 0 || json.Unmarshal([]byte(out), &page) != nil || len(page) != 3 {
		t.Fatalf("list --limit 3: %d %s", code, out)
	}
	if got := keysInOrder(t, page[0]); !slices.Equal(got, listKeys) {
		t.Errorf("list keys:\n got %v\nwant %v", got, listKeys)
	}
	var first orderJSON
	_ = json.Unmarshal(page[0], &first)
	if first.OrderID != "T00001199" || first.Status != "pending" || first.TradeAmount != 1299 || first.SaleType != "0" {
		t.Errorf("newest first: %+v", first)
	}
	// Every order, across keyset pages, each once.
	code, out, _ = te.run("list", "--json")
	var all []orderJSON
	if code != 0 || json.Unmarshal([]byte(out), &all) != nil || len(all) != 1200 {
		t.Fatalf("list: %d, %d orders", code, len(all))
	}
	seen := map[string]bool{}
	for i, o := range all {
		if seen[o.OrderID] || (i > 0 && o.TradeTime > all[i-1].TradeTime) {
			t.Fatalf("order %d %s repeated or out of order", i, o.OrderID)
		}
		seen[o.OrderID] = true
	}
	// Filters.
	from := model.FormatTime(testNow.Add(-24*time.Hour + 100*time.Second))
	to := model.FormatTime(testNow.Add(-24*time.Hour + 110*time.Second))
	code, out, _ = te.run("list", "--json", "--from", from, "--to", to, "--status", "pending,rejected")
	if code != 0 || json.Unmarshal([]byte(out), &all) != nil || len(all) != 10 {
		t.Errorf("--from/--to: %d, %d orders", code, len(all))
	}
	if code, out, _ = te.run("list", "--json", "--status", "uploaded"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("no uploaded orders: %d %q", code, out)
	}
	if code, _, errs := te.run("list", "--status", "done"); code != exitUsage || !strings.Contains(errs, "unknown status") {
		t.Errorf("bad status: %d %s", code, errs)
	}
	// The text list has a header and a line per order.
	code, out, _ = te.run("list", "--limit", "2")
	if code != 0 || len(strings.Split(strings.TrimSpace(out), "\n")) != 3 || !strings.Contains(out, "T00001199") {
		t.Errorf("text list: %q", out)
	}

	code, out, _ = te.run("show", "T00000007", "--json")
	if code != 0 {
		t.Fatalf("show: %d", code)
	}
	if got := keysInOrder(t, json.RawMessage(out)); !slices.Equal(got, []string{"order", "attempts", "audit"}) {
		t.Errorf("show keys %v", got)
	}
	var v struct {
		Order    json.RawMessage
		Attempts []json.RawMessage
		Audit    []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if got := keysInOrder(t, v.Order); !slices.Equal(got, listKeys) {
		t.Errorf("show order keys %v", got)
	}
	if v.Attempts == nil || len(v.Audit) == 0 {
		t.Errorf("attempts %v (want [] not null), audit %v", v.Attempts, v.Audit)
	}
	for _, k := range []string{"at", "by", "action", "detail"} {
		if _, ok := v.Audit[0][k]; !ok {
			t.Errorf("audit entry lacks %q: %v", k, v.Audit[0])
		}
	}
	if code, out, _ = te.run("show", "T00000007"); code != 0 || !strings.Contains(out, "T00000007") || !strings.Contains(out, "¥1.07") {
		t.Errorf("show text: %q", out)
	}
	if code, _, errs := te.run("show", "NOPE"); code != exitRefused || !strings.Contains(errs, "no order NOPE") {
		t.Errorf("show unknown: %d %q", code, errs)
	}
}

func TestVoidReportExportBackup(t *testing.T) {
	te := newTestEnv(t, "")
	importGood(t, te, 20)

	if code, _, errs := te.run("void", "T00000003"); code != exitUsage || !strings.Contains(errs, "--reason") {
		t.Errorf("void without a reason: %d %q", code, errs)
	}
	// The flag may follow the id, as people type it.
	if code, out, errs := te.run("void", "T00000003", "--reason", "typed twice"); code != 0 || !strings.Contains(out, "cancelled") {
		t.Errorf("void: %d %q %q", code, out, errs)
	}
	if code, _, errs := te.run("void", "T00000003", "--reason", "again"); code != exitRefused || !strings.Contains(errs, "cannot be changed") {
		t.Errorf("void twice: %d %q", code, errs)
	}
	if code, _, _ := te.run("void", "NOPE", "--reason", "x"); code != exitRefused {
		t.Errorf("void unknown: %d", code)
	}
	// A reason with a card number is refused with the sentence the screen shows (the desk's),
	// and nothing is journaled.
	_, is := model.CleanReason("card 6222021234567890128")
	if code, _, errs := te.run("void", "T00000004", "--reason", "card 6222021234567890128"); code != exitUsage ||
		!strings.Contains(errs, is[0].Message(model.EN)) || strings.Contains(errs, "6222021234567890128") {
		t.Errorf("void with a card number in the reason: %d %q", code, errs)
	}
	if code, out, _ := te.run("show", "T00000004", "--json"); code != 0 || !strings.Contains(out, `"status":"pending"`) {
		t.Errorf("after a refused void: %s", out)
	}
	code, out, _ := te.run("show", "T00000003", "--json")
	var v showJSON
	_ = json.Unmarshal([]byte(out), &v)
	if code != 0 || v.Order.Status != "voided" || v.Order.VoidReason != "typed twice" {
		t.Errorf("after void: %+v", v.Order)
	}

	code, out, _ = te.run("report", "--day", "2026-11-25", "--json")
	var rep struct {
		Day  string
		Rows []struct {
			PaymentChannel string `json:"payment_channel"`
			SubSaleType    string `json:"sub_sale_type"`
			Count          int
			Amount         int64
		}
		Net      int64
		ByStatus map[string]int `json:"by_status"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("report: %d %s", code, out)
	}
	// 20 sales of 100+i fen, one voided: 2190 − 103.
	if rep.Day != "2026-11-25" || rep.Net != 2087 || rep.ByStatus["voided"] != 1 || rep.ByStatus["pending"] != 19 || len(rep.Rows) == 0 {
		t.Errorf("report: %+v", rep)
	}
	if code, out, _ = te.run("report", "--day", "2026-11-25"); code != 0 || !strings.Contains(out, "¥20.87") {
		t.Errorf("report text: %q", out)
	}

	// Export holds masked cards only and imports into another journal as the same orders.
	for _, format := range []string{"csv", "json"} {
		code, out, errs := te.run("export", "--format", format)
		if code != 0 {
			t.Fatalf("export %s: %d %s", format, code, errs)
		}
		for i := range 20 {
			if strings.Contains(out, luhnCard(i)) {
				t.Fatalf("export %s holds a full card number", format)
			}
		}
		other := newTestEnv(t, "")
		file := other.write("export."+format, out)
		if code, sum, errs := other.run("import", file); code != 0 || !strings.Contains(sum, "20 journaled") {
			t.Errorf("re-import of the %s export: %d %q %q", format, code, sum, errs)
		}
		a, b := listAll(t, te), listAll(t, other)
		for i := range a {
			if a[i].OrderID != b[i].OrderID || a[i].CardNo != b[i].CardNo || a[i].EncrypteSummary != b[i].EncrypteSummary ||
				a[i].TradeAmount != b[i].TradeAmount || a[i].OperateTime != b[i].OperateTime || a[i].Cashier != b[i].Cashier {
				t.Errorf("%s round trip: %+v\n!= %+v", format, a[i], b[i])
			}
		}
	}

	dest := filepath.Join(te.dir, "backup.db")
	if code, _, errs := te.run("backup", dest); code != 0 {
		t.Fatalf("backup: %d %s", code, errs)
	}
	if code, _, _ := te.run("backup", dest); code != exitRefused {
		t.Errorf("backup over an existing file: %d", code)
	}
	j, err := storage.Open(context.Background(), dest, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	counts, err := j.Counts(context.Background())
	if err != nil || counts[model.StatusPending] != 19 || counts[model.StatusVoided] != 1 {
		t.Errorf("backup counts %v %v", counts, err)
	}
}

func listAll(t *testing.T, te *testEnv) []orderJSON {
	t.Helper()
	_, out, _ := te.run("list", "--json")
	var v []orderJSON
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestExitCodes(t *testing.T) {
	te := newTestEnv(t, "")
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"frobnicate"}, exitUsage, "unknown command"},
		{[]string{"list", "--bogus"}, exitUsage, "flag provided but not defined"},
		{[]string{"list", "-h"}, exitOK, "usage: banksale list"},
		{[]string{"show"}, exitUsage, "ORDER_ID"},
		{[]string{"import"}, exitUsage, "at least one file"},
		{[]string{"retry"}, exitUsage, "--failed"},
		{[]string{"sync", "--max-wait", "1s"}, exitUsage, "--drain"},
		{[]string{"export", "--format", "xml"}, exitUsage, "csv or json"},
		{[]string{"report", "--day", "26/11"}, exitUsage, "2026-11-26"},
		{[]string{"list", "--from", "2026-11-29", "--to", "2026-11-28"}, exitUsage, "are they swapped?"},
		{[]string{"sync", "--drain"}, exitSetup, "gateway.app_key"},
	} {
		code, _, errs := te.run(c.args...)
		if code != c.code || !strings.Contains(errs, c.says) {
			t.Errorf("%v: exit %d (want %d), stderr %q (want %q)", c.args, code, c.code, errs, c.says)
		}
	}
	// help and version need no config at all.
	var out bytes.Buffer
	c := &cli{stdout: &out, stderr: &out, getenv: func(string) string { return "" }, now: time.Now}
	if code := run(context.Background(), []string{"help"}, c); code != 0 {
		t.Errorf("help: %d", code)
	}
	for _, cmd := range commands {
		if !strings.Contains(out.String(), "  "+cmd.name+" ") {
			t.Errorf("help does not list %s", cmd.name)
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"help", "void"}, c); code != 0 || !strings.Contains(out.String(), "--reason") {
		t.Errorf("help void: %d %q", code, out.String())
	}
	out.Reset()
	for _, v := range []string{"version", "-v", "--version"} {
		out.Reset()
		if code := run(context.Background(), []string{v}, c); code != 0 || !strings.HasPrefix(out.String(), "banksale ") {
			t.Errorf("%s: %d %q", v, code, out.String())
		}
	}

	// A broken config names its line; a missing --config file is an error.
	bad := newTestEnv(t, "[uploader]\nworkers = \"four\"\n")
	if code, _, errs := bad.run("list"); code != exitSetup || !strings.Contains(errs, "config.toml:6: uploader.workers") {
		t.Errorf("bad config: %d %q", code, errs)
	}
	te.config = filepath.Join(te.dir, "nope.toml")
	if code, _, _ := te.run("list"); code != exitSetup {
		t.Errorf("missing --config: %d", code)
	}
}

// TestJournalInUse: while another banksale owns the journal (here a plain Open, as the screen
// or sync hold it), commands that write are refused naming it, and commands that only read work,
// saying on stderr that the journal is in use.
func TestJournalInUse(t *testing.T) {
	te := newTestEnv(t, "")
	importGood(t, te, 3)
	j, err := storage.Open(context.Background(), filepath.Join(te.dir, "banksale.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	file := te.write("more.csv", csvOf(t, []map[string]string{goodRow(7)}))
	for _, args := range [][]string{{"import", file}, {"void", "T00000001", "--reason", "x"}, {"retry", "--failed"}} {
		code, _, errs := te.run(args...)
		if code != exitSetup || !strings.Contains(errs, "in use") || !strings.Contains(errs, fmt.Sprint(os.Getpid())) {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
	for _, args := range [][]string{{"list"}, {"show", "T00000001"}, {"report", "--day", "2026-11-25"},
		{"export"}, {"backup", filepath.Join(te.dir, "copy.db")}} {
		code, out, errs := te.run(args...)
		if code != exitOK || out == "" || !strings.Contains(errs, "in use") {
			t.Errorf("%v while the journal is in use: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
}

// TestListWhileSyncRuns: a scheduled report or list runs during opening hours, while
// `banksale sync` owns the journal and uploads.
func TestListWhileSyncRuns(t *testing.T) {
	srv := toptest.NewServer(toptest.Options{AppKey: "test-app", Secret: "s3cret"})
	defer srv.Close()
	te := newTestEnv(t, gatewayConfig(srv, "s3cret", "100ms"))
	importGood(t, te, 5)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		var out, errb bytes.Buffer
		done <- run(ctx, []string{"sync", "--config", te.config}, te.cli("", &out, &errb))
	}()
	defer func() { cancel(); <-done }()
	// Wait until sync owns the journal and has uploaded the five: the gateway holds them a
	// moment before the journal has recorded the answers.
	deadline := time.Now().Add(20 * time.Second)
	uploaded := func() int {
		_, out, _ := te.run("list", "--json", "--status", "uploaded")
		var l []orderJSON
		json.Unmarshal([]byte(out), &l)
		return len(l)
	}
	for len(srv.Orders()) < 5 || uploaded() < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("sync uploaded %d of 5", len(srv.Orders()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	code, out, errs := te.run("list", "--json")
	var l []orderJSON
	if code != exitOK || json.Unmarshal([]byte(out), &l) != nil || len(l) != 5 || !strings.Contains(errs, "in use") {
		t.Fatalf("list while sync runs: exit %d, %d orders, stderr %q", code, len(l), errs)
	}
	// Global flags may come before the command, as the usage line shows them.
	var out2, errb2 bytes.Buffer
	if code := run(context.Background(), []string{"--config", te.config, "list", "--json"}, te.cli("", &out2, &errb2)); code != exitOK || out2.String() != out {
		t.Fatalf("banksale --config F list --json: exit %d, stdout %q, stderr %q", code, out2.String(), errb2.String())
	}
}

func TestLogGoesToAFileBesideTheJournal(t *testing.T) {
	te := newTestEnv(t, "")
	importGood(t, te, 3)
	b, err := os.ReadFile(filepath.Join(te.dir, "banksale.log"))
	if err != nil || !strings.Contains(string(b), "msg=import") {
		t.Errorf("log: %v %q", err, b)
	}
	for i := range 3 {
		if bytes.Contains(b, []byte(luhnCard(i))) {
			t.Error("the log holds a full card number")
		}
	}
}

func TestParseInterleaved(t *testing.T) {
	c := &cli{stderr: &bytes.Buffer{}}
	fs, _ := c.flags("x", "", "")
	reason := fs.String("reason", "", "")
	pos, err := parse(fs, []string{"A", "--reason", "r", "B", "--", "--C"})
	if err != nil || *reason != "r" || !slices.Equal(pos, []string{"A", "B", "--C"}) {
		t.Errorf("pos %v reason %q err %v", pos, *reason, err)
	}
}

func TestImportFromStdin(t *testing.T) {
	te := newTestEnv(t, "")
	var out, errb bytes.Buffer
	c := te.cli(csvOf(t, []map[string]string{goodRow(1), goodRow(2)}), &out, &errb)
	if code := run(context.Background(), []string{"import", "--config", te.config, "-"}, c); code != 0 || !strings.Contains(out.String(), "2 journaled") {
		t.Errorf("import -: %d %q %q", code, out.String(), errb.String())
	}
}

func TestImportRefusalsAreSafeToPrint(t *testing.T) {
	te := newTestEnv(t, "")
	file := te.write("evil.jsonl", "{\"order_id\":\"A\",\"\\u001b[2Jx\":true}\n")
	code, _, errs := te.run("import", file)
	if code != exitRefused || strings.ContainsRune(errs, 0x1b) || !strings.Contains(errs, file+":1") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

// TestCheckFindsDamage: check says a sound journal and its checked backup are sound, and on a
// journal with one byte changed under a frozen payload names the order, says what to do and
// exits 1; backup refuses to copy it as if it were sound.
func TestCheckFindsDamage(t *testing.T) {
	te := newTestEnv(t, "")
	ctx := context.Background()
	path := filepath.Join(te.dir, "banksale.db")
	j, err := storage.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := model.DraftFromFields(goodRow(1))
	sale, is := s.Build(model.Rules{Now: testNow, AmountInFen: true, CardKey: []byte("k")})
	if is.HasErrors() {
		t.Fatal(is.Errors())
	}
	sale.TradeAmount = 1000
	if _, err := j.Insert(ctx, sale, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Claim(ctx, time.Now().Add(time.Hour), 10, time.Minute); err != nil { // freezes the payload
		t.Fatal(err)
	}
	j.Close()

	code, out, errs := te.run("check")
	if code != exitOK || !strings.Contains(out, "frozen payloads: 1, ok") || !strings.Contains(out, "The journal is sound.") {
		t.Fatalf("check of a sound journal: %d %q %q", code, out, errs)
	}
	backup := filepath.Join(te.dir, "copy.db")
	if code, _, errs := te.run("backup", backup); code != exitOK {
		t.Fatalf("backup: %s", errs)
	}
	if code, out, _ := te.run("check", "--file", backup, "--json"); code != exitOK || !strings.Contains(out, `"ok":true`) {
		t.Fatalf("check --file: %d %s", code, out)
	}

	storagetest.DamagePayload(t, path, 1000)

	code, out, errs = te.run("check")
	if code != exitRefused || !strings.Contains(out, "1 of 1 fail their checksum") || !strings.Contains(out, sale.OrderID) ||
		!strings.Contains(out, "save it again (e, then ctrl+s)") || !strings.Contains(errs, "damaged") {
		t.Errorf("check of a damaged journal: %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := te.run("backup", filepath.Join(te.dir, "copy2.db")); code == exitOK || !strings.Contains(errs, "the copy is damaged") {
		t.Errorf("backup of a damaged journal: %d %s", code, errs)
	}
	te.env["LANG"] = "zh_CN.UTF-8"
	if _, out, _ := te.run("check"); !strings.Contains(out, "日志已损坏") {
		t.Errorf("check in Chinese:\n%s", out)
	}
}

// TestLogIsBounded: whatever is logged, the log rotates at logMaxMB and keeps logBackups old
// files, all private, so no input can fill the disk through it.
func TestLogIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 45 MB")
	}
	dir := t.TempDir()
	log, closeLog, err := openLog(filepath.Join(dir, "banksale.db"))
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("x", 64<<10)
	for range (logMaxMB*(logBackups+1) + 5) << 4 { // 64 KiB lines: 16 a MB
		log.Info("big", "text", line)
	}
	closeLog()
	// lumberjack removes old files on a goroutine of its own: give it a moment.
	var files []os.DirEntry
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if files, _ = os.ReadDir(dir); len(files) <= logBackups+1 || time.Now().After(deadline) {
			break
		}
	}
	var total int64
	for _, f := range files {
		fi, _ := f.Info()
		total += fi.Size()
		if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v", f.Name(), fi.Mode().Perm())
		}
	}
	if len(files) != logBackups+1 || total > (logBackups+1)*logMaxMB<<20 {
		t.Errorf("%d log files, %d bytes in all; want %d files within %d MB", len(files), total, logBackups+1, (logBackups+1)*logMaxMB)
	}
}

// TestSlowOpenIsSaid: when opening the journal takes longer than slowOpen (once after an
// upgrade on a large journal), the terminal is told why before the command goes on; a quick
// open says nothing.
func TestSlowOpenIsSaid(t *testing.T) {
	te := newTestEnv(t, "")
	importGood(t, te, 1)
	if code, _, errs := te.run("list"); code != exitOK || strings.Contains(errs, "opening the journal takes a while") {
		t.Fatalf("a quick open: exit %d, stderr %q", code, errs)
	}
	defer func(d time.Duration, open func(context.Context, string, *slog.Logger) (*storage.Journal, error)) {
		slowOpen, openJournal = d, open
	}(slowOpen, openJournal)
	slowOpen = time.Millisecond
	openJournal = func(ctx context.Context, path string, log *slog.Logger) (*storage.Journal, error) {
		time.Sleep(200 * time.Millisecond) // an upgrade's preparation
		return storage.Open(ctx, path, log)
	}
	if code, _, errs := te.run("list"); code != exitOK || !strings.Contains(errs, "banksale list: opening the journal takes a while (after an upgrade") {
		t.Fatalf("a slow open: exit %d, stderr %q", code, errs)
	}
}

// TestReaderMakesNoJournal: a command that only reads, pointed at a journal that does not
// exist, says so and where it looked, instead of making an empty one and listing nothing.
func TestReaderMakesNoJournal(t *testing.T) {
	te := newTestEnv(t, "")
	for _, cmd := range []string{"list", "report", "show", "export", "reconcile", "check"} {
		args := []string{cmd}
		if cmd == "show" {
			args = append(args, "HZ0120261129001")
		}
		code, _, errs := te.run(args...)
		if code != exitSetup || !strings.Contains(errs, "there is no journal at "+filepath.Join(te.dir, "banksale.db")) {
			t.Errorf("%s: exit %d, stderr %q", cmd, code, errs)
		}
	}
	if entries, _ := os.ReadDir(te.dir); slices.ContainsFunc(entries, func(e os.DirEntry) bool { return strings.HasPrefix(e.Name(), "banksale.") }) {
		t.Errorf("a reader left files beside the journal: %v", entries)
	}
}

// TestExportNeverOverwrites: export --out onto a file that exists says so and what to do, and
// leaves the file as it was.
func TestExportNeverOverwrites(t *testing.T) {
	te := newTestEnv(t, "")
	importGood(t, te, 2)
	out := te.write("out.csv", "keep me\n")
	code, _, errs := te.run("export", "--out", out)
	if code == exitOK || !strings.Contains(errs, out+" already exists: name a new file") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if b, _ := os.ReadFile(out); string(b) != "keep me\n" {
		t.Errorf("the file was written over: %q", b)
	}
}

// TestNoConfigInTheLocalesLanguage: a Chinese PC's first start explains the missing config in
// Chinese, with the same paths and commands.
func TestNoConfigInTheLocalesLanguage(t *testing.T) {
	for lang, want := range map[string]string{"zh_CN.UTF-8": "banksale 还没有配置文件", "C": "banksale has no configuration yet"} {
		var errb bytes.Buffer
		c := &cli{stderr: &errb, getenv: func(k string) string { return map[string]string{"LANG": lang}[k] }}
		noConfig(c, "/home/u/.config/banksale/config.toml")
		if got := errb.String(); !strings.Contains(got, want) || !strings.Contains(got, "/home/u/.config/banksale/config.toml") || !strings.Contains(got, "banksale --demo") {
			t.Errorf("LANG=%s:\n%s", lang, got)
		}
	}
}
