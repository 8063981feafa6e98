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
type Bank struct {
	Code, Name string
	// English is the bank's abbreviation and English name ("ICBC Industrial and Commercial
	// Bank of China"): the pick list shows the abbreviation and finds either.
	English string
	// Prefixes are leading digits of the bank's cards (622202): a card that starts so is
	// this bank's.
	Prefixes []string
}

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

// DefaultBanks is the embedded list (a copy), which a store's own file extends (ExtendBanks).
func DefaultBanks() []Bank { return append([]Bank(nil), defaultBanks...) }

// ExtendBanks is base with a store's own entries: an entry with a code base has replaces it
// in place, a new code is added at the end.
func ExtendBanks(base, store []Bank) []Bank {
	out := append([]Bank(nil), base...)
	at := map[string]int{}
	for i, b := range out {
		at[b.Code] = i
	}
	for _, b := range store {
		if i, ok := at[b.Code]; ok {
			out[i] = b
			continue
		}
		at[b.Code] = len(out)
		out = append(out, b)
	}
	return out
}

// BankOfCard is the bank whose card prefix the card number (full or masked, as typed: spaces
// and dashes aside) starts with, the longest prefix winning; not found when no prefix fits.
func BankOfCard(card string) (Bank, bool) {
	var digits strings.Builder
	for _, r := range toHalfWidth(card) {
		if r >= '0' && r <= '9' {
			digits.WriteRune(r)
		} else if r != ' ' && r != '-' {
			break // the masked part: the prefix is before it
		}
	}
	d := digits.String()
	var best Bank
	bestLen := 0
	for _, b := range currentBanks() {
		for _, p := range b.Prefixes {
			if len(p) > bestLen && strings.HasPrefix(d, p) {
				best, bestLen = b, len(p)
			}
		}
	}
	return best, bestLen > 0
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

// LoadBanks reads a bank list: one "code<TAB>name[<TAB>English[<TAB>card prefixes]]" per line
// (for code and name alone a run of spaces also separates), prefixes comma-separated digits;
// blank lines and lines starting with # ignored. A line without a name, a prefix that is not
// digits, or a code listed twice, is an error naming the line.
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
		var cols []string
		if strings.Contains(line, "\t") {
			cols = strings.Split(line, "\t")
		} else if code, name, ok := strings.Cut(line, " "); ok {
			cols = []string{code, name}
		}
		for i := range cols {
			cols[i] = Clean(cols[i])
		}
		if len(cols) < 2 || len(cols) > 4 || cols[0] == "" || cols[1] == "" {
			return nil, fmt.Errorf("bank list line %d: want \"code<TAB>name<TAB>English<TAB>card prefixes\" (the last two may be left out), got %q", n, line)
		}
		b := Bank{Code: cols[0], Name: cols[1]}
		if len(cols) > 2 {
			b.English = cols[2]
		}
		if len(cols) > 3 && cols[3] != "" {
			for _, p := range strings.Split(cols[3], ",") {
				p = strings.TrimSpace(p)
				if len(p) < 2 || len(p) > 12 || !allDigits(p) {
					return nil, fmt.Errorf("bank list line %d: card prefix %q: want 2 to 12 digits", n, p)
				}
				b.Prefixes = append(b.Prefixes, p)
			}
		}
		if prev, dup := seen[b.Code]; dup {
			return nil, fmt.Errorf("bank list line %d: code %s already on line %d", n, b.Code, prev)
		}
		seen[b.Code] = n
		list = append(list, b)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading bank list: %w", err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("bank list: no banks")
	}
	return list, nil
}
