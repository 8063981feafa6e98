package model

import "testing"

// TestUndoneWaiting: a correction counts at head office only once uploaded; until then the
// sale must not read as voided or refunded there.
func TestUndoneWaiting(t *testing.T) {
	up := func(id string, a Amount) Correction {
		return Correction{OrderID: id, Amount: a, Status: StatusUploaded}
	}
	wait := func(id string, a Amount, s Status) Correction { return Correction{OrderID: id, Amount: a, Status: s} }
	for _, c := range []struct {
		name    string
		u       Undone
		waiting bool
		arrived Amount
	}{
		{"nothing", Undone{}, false, 0},
		{"void uploaded", Undone{Void: &Correction{OrderID: "V", Status: StatusUploaded}}, false, 0},
		{"void pending", Undone{Void: &Correction{OrderID: "V", Status: StatusPending}}, true, 0},
		{"void rejected", Undone{Void: &Correction{OrderID: "V", Status: StatusRejected}}, true, 0},
		{"refunds uploaded", Undone{Refunds: []Correction{up("A", 100), up("B", 250)}}, false, 350},
		{"one refund retrying", Undone{Refunds: []Correction{up("A", 100), wait("B", 250, StatusRetrying)}}, true, 100},
		{"one refund uploading", Undone{Refunds: []Correction{wait("A", 100, StatusUploading)}}, true, 0},
	} {
		if got := c.u.Waiting(); got != c.waiting {
			t.Errorf("%s: Waiting() = %v, want %v", c.name, got, c.waiting)
		}
		if got := c.u.Arrived(); got != c.arrived {
			t.Errorf("%s: Arrived() = %v, want %v", c.name, got, c.arrived)
		}
	}
}

// TestOwnWords: the uploader's own words are found at the start of a message, with the cause
// after them kept; the gateway's words, or words that only begin alike, are not taken for them.
func TestOwnWords(t *testing.T) {
	for _, c := range []struct{ msg, own, rest string }{
		{NotSentUnreachable, NotSentUnreachable, ""},
		{RequestNotSent + ": connection refused", RequestNotSent, ": connection refused"},
		{NoCompleteAnswer + ": context deadline exceeded", NoCompleteAnswer, ": context deadline exceeded"},
		{"request not sentence", "", "request not sentence"},
		{"后端服务不可用", "", "后端服务不可用"},
		{"", "", ""},
	} {
		if own, rest := OwnWords(c.msg); own != c.own || rest != c.rest {
			t.Errorf("OwnWords(%q) = %q, %q; want %q, %q", c.msg, own, rest, c.own, c.rest)
		}
	}
}
