package model

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestIssuesFilters(t *testing.T) {
	is := Issues{
		errorOn(FieldTradeAmount, "amount.zero"),
		warnOn(FieldCardNo, "card.luhn"),
		warnOn(FieldTradeAmount, "x.y"),
		errorOn(FieldOrderID, "field.required"),
	}
	if !is.HasErrors() || (Issues{warnOn(FieldCardNo, "card.luhn")}).HasErrors() || Issues(nil).HasErrors() {
		t.Error("HasErrors")
	}
	if got := codes(is.Errors()); !slices.Equal(got, []string{"amount.zero", "field.required"}) {
		t.Errorf("Errors = %v", got)
	}
	if got := codes(is.Warnings()); !slices.Equal(got, []string{"card.luhn", "x.y"}) {
		t.Errorf("Warnings = %v", got)
	}
	if got := codes(is.For(FieldTradeAmount)); !slices.Equal(got, []string{"amount.zero", "x.y"}) {
		t.Errorf("For = %v", got)
	}
	if is.For(FieldMAC) != nil || !is.Has("card.luhn") || is.Has("nope") {
		t.Error("For/Has")
	}
	is.sort()
	if got := codes(is); !slices.Equal(got, []string{"field.required", "card.luhn", "amount.zero", "x.y"}) {
		t.Errorf("sorted = %v", got)
	}
	if SevError.String() != "error" || SevWarning.String() != "warning" || Severity(7).String() != "severity(7)" {
		t.Error("Severity.String")
	}
}

func TestIssueAsError(t *testing.T) {
	_, err := ParseAmount("12.345")
	wrapped := fmt.Errorf("row 7: %w", err)
	var is Issue
	if !errors.As(wrapped, &is) || is.Code != "amount.decimals" {
		t.Fatalf("errors.As: %v", wrapped)
	}
	if !strings.Contains(wrapped.Error(), "more than two decimals") {
		t.Errorf("Error() = %q", wrapped.Error())
	}
	_, err = ParseTime("x", testNow)
	if m := err.(Issue).Message(ZH); !strings.HasPrefix(m, "该项格式不对") {
		t.Errorf("field-less message %q", m)
	}
	if m := (Issue{Field: "odd", Severity: SevWarning, Code: "odd.code"}).Message(ZH); !strings.Contains(m, "odd") {
		t.Errorf("unknown field/code message %q", m)
	}
}

// TestMessagesNeverEchoCards: an order id or bank code that is really a card number typed into
// the wrong field must not be quoted back.
func TestMessagesNeverEchoCards(t *testing.T) {
	o := original()
	v := voidOf(o)
	v.OriginalOrderID = "6222021234567894"
	rel := Related{OriginalInJournal: true, Original: o, OriginalStatus: StatusVoided}
	for _, is := range []Issues{
		ValidateRelated(v, rel, testRules()),
		ValidateRelated(v, Related{}, testRules()),
		func() Issues { _, is := validDraft().withBank("6222021234567894", "").Build(testRules()); return is }(),
		func() Issues {
			_, is := validDraft().with(FieldSaleType, "6222021234567894").Build(testRules())
			return is
		}(),
	} {
		if len(is) == 0 {
			t.Fatal("expected issues")
		}
		for _, i := range is {
			for _, l := range []Lang{ZH, EN} {
				if strings.Contains(i.Message(l), "6222021234") {
					t.Errorf("%s echoes the card: %s", i.Code, i.Message(l))
				}
			}
		}
	}
}

func TestRulesDefaults(t *testing.T) {
	var r Rules
	if r.now().IsZero() || r.now().Location() != CST {
		t.Error("zero Rules.Now should be the clock, in CST")
	}
	if r.refundWarnDays() != DefaultRefundWarnDays {
		t.Error("refund window default")
	}
}
