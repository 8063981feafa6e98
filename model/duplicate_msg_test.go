package model

import (
	"strings"
	"testing"
)

// The journal's duplicate warnings carry codes model does not raise itself; each must read as a
// sentence naming the other order, not the catch-all "check it (duplicate.x)".
func TestDuplicateWarningsHaveSentences(t *testing.T) {
	for _, code := range []string{"duplicate.trace", "duplicate.ref", "duplicate.sequence"} {
		for _, l := range []Lang{ZH, EN} {
			msg := Issue{Field: FieldSequenceNo, Severity: SevWarning, Code: code, Args: []string{"HZ01202611260007"}}.Message(l)
			if strings.Contains(msg, code) || !strings.Contains(msg, "HZ01202611260007") {
				t.Errorf("%s in %s reads %q: want a sentence naming the other order", code, l, msg)
			}
		}
	}
}
