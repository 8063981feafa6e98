package model

import "testing"

// The importer builds and encodes every row (target ≥ 50,000 orders/s overall), and the form
// rebuilds the draft on every keystroke: both must stay far below that budget.

func BenchmarkBuild(b *testing.B) {
	d := validDraft()
	d.TradeAmount = "123456"
	r := testRules()
	r.AmountInFen = true
	b.ReportAllocs()
	for b.Loop() {
		if _, is := d.Build(r); is.HasErrors() {
			b.Fatal(is)
		}
	}
}

func BenchmarkMarshalDTO(b *testing.B) {
	s := fullSale()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.MarshalDTO(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAmount(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseAmount("¥1,234.56"); err != nil {
			b.Fatal(err)
		}
	}
}
