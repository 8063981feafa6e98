package storagetest

import (
	"bytes"
	"os"
	"strconv"
	"testing"
)

// DamagePayload changes one byte of a closed journal file inside the frozen payload of the one
// order whose amount is fen: the first digit of "trade_amount":fen becomes 9, as a bad sector or
// a careless edit would. SQLite's own integrity check does not see it: the page stays whole.
func DamagePayload(tb testing.TB, path string, fen int64) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	needle := []byte(`"trade_amount":` + strconv.FormatInt(fen, 10) + `,`)
	if n := bytes.Count(b, needle); n != 1 {
		tb.Fatalf("%s found %d times in the file, want once (the frozen payload)", needle, n)
	}
	b[bytes.Index(b, needle)+len(`"trade_amount":`)] = '9'
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}
