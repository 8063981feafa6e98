package model

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
)

// Bank is one entry of the bank picklist.
type Bank struct{ Code, Name string }

//go:embed banks.tsv
var banksTSV []byte

var defaultBanks = func() []Bank {
	b, err := LoadBanks(bytes.NewReader(banksTSV))
	if err != nil {
		panic("model: embedded banks.tsv: " + err.Error())
	}
	return b
}()

var banks atomic.Pointer[[]Bank]

// Banks is the picklist in use (a copy): the embedded PBOC list unless SetBanks replaced it.
func Banks() []Bank {
	return append([]Bank(nil), currentBanks()...)
}

func currentBanks() []Bank {
	if p := banks.Load(); p != nil {
		return *p
	}
	return defaultBanks
}

// SetBanks replaces the picklist for the whole process (a store's own file); nil or empty
// restores the embedded list. Safe to call while other goroutines validate.
func SetBanks(list []Bank) {
	if len(list) == 0 {
		banks.Store(nil)
		return
	}
	c := append([]Bank(nil), list...)
	banks.Store(&c)
}

// BankName is the name the picklist gives a code, or "" if the code is not listed.
func BankName(code string) string {
	for _, b := range currentBanks() {
		if b.Code == code {
			return b.Name
		}
	}
	return ""
}

// bankByName finds the one listed bank a typed name means: the exact name, or a short form
// the list's name contains ("建设银行" for 中国建设银行). Ambiguous or unknown: not found.
func bankByName(name string) (Bank, bool) {
	list := currentBanks()
	for _, b := range list {
		if b.Name == name {
			return b, true
		}
	}
	var found []Bank
	for _, b := range list {
		if len([]rune(name)) >= 2 && strings.Contains(b.Name, name) {
			found = append(found, b)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return Bank{}, false
}

// LoadBanks reads a bank list: one "code<TAB>name" per line (a run of spaces also separates),
// blank lines and lines starting with # ignored. A line without a name, or a code listed twice,
// is an error naming the line.
func LoadBanks(r io.Reader) ([]Bank, error) {
	var list []Bank
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		code, name, ok := strings.Cut(line, "\t")
		if !ok {
			code, name, ok = strings.Cut(line, " ")
		}
		code, name = Clean(code), Clean(name)
		if !ok || code == "" || name == "" {
			return nil, fmt.Errorf("bank list line %d: want \"code<TAB>name\", got %q", n, line)
		}
		if prev, dup := seen[code]; dup {
			return nil, fmt.Errorf("bank list line %d: code %s already on line %d", n, code, prev)
		}
		seen[code] = n
		list = append(list, Bank{Code: code, Name: name})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading bank list: %w", err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("bank list: no banks")
	}
	return list, nil
}
