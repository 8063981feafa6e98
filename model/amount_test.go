package model

import (
	"errors"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want Amount
		code string
	}{
		{"12.5", 1250, ""},
		{"12.50", 1250, ""},
		{"12", 1200, ""},
		{"0.01", 1, ""},
		{".5", 50, ""},
		{"12.", 1200, ""},
		{"007.10", 710, ""},
		{"1,234.56", 123456, ""},
		{"1,234,567", 123456700, ""},
		{"¥12", 1200, ""},
		{"￥12.34", 1234, ""},
		{"¥ 1,234.56", 123456, ""},
		{"12元", 1200, ""},
		{"RMB 12.30", 1230, ""},
		{"１２．５０", 1250, ""},
		{"￥１，２３４．５６", 123456, ""},
		{"  9.99  ", 999, ""},
		{"9999999999.99", MaxAmount, ""},
		{"9,999,999,999.99", MaxAmount, ""},
		{"0000000000009999999999.99", MaxAmount, ""},

		{"", 0, "amount.required"},
		{"   ", 0, "amount.required"},
		{"0", 0, "amount.zero"},
		{"0.00", 0, "amount.zero"},
		{"¥0", 0, "amount.zero"},
		{"-12", 0, "amount.negative"},
		{"-¥12", 0, "amount.negative"},
		{"¥-12.00", 0, "amount.negative"},
		{"－１２", 0, "amount.negative"},
		{"12.345", 0, "amount.decimals"},
		{"12.500", 0, "amount.decimals"},
		{"10000000000", 0, "amount.too_large"},
		{"10000000000.00", 0, "amount.too_large"},
		{"99999999999999999999999", 0, "amount.too_large"},
		{"12,50", 0, "amount.grouping"},
		{"1,23,456", 0, "amount.grouping"},
		{",123", 0, "amount.grouping"},
		{"1234,567.00", 0, "amount.grouping"},
		{"abc", 0, "amount.invalid"},
		{"-abc", 0, "amount.invalid"},
		{".", 0, "amount.invalid"},
		{"1.2.3", 0, "amount.invalid"},
		{"1e3", 0, "amount.invalid"},
		{"+12", 0, "amount.invalid"},
		{"12 34", 0, "amount.invalid"},
		{"0x10", 0, "amount.invalid"},
		{"NaN", 0, "amount.invalid"},
		{"¥", 0, "amount.invalid"},
		{"12.5.", 0, "amount.invalid"},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in)
		if tt.code == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseAmount(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		var is Issue
		if !errors.As(err, &is) || is.Code != tt.code || is.Field != FieldTradeAmount || is.Severity != SevError {
			t.Errorf("ParseAmount(%q) = %d, %#v; want code %s", tt.in, got, err, tt.code)
		}
		if got != 0 {
			t.Errorf("ParseAmount(%q) = %d with an error", tt.in, got)
		}
	}
}

func TestParseFen(t *testing.T) {
	tests := []struct {
		in   string
		want Amount
		code string
	}{
		{"1250", 1250, ""},
		{"1", 1, ""},
		{"0001", 1, ""},
		{" 999999999999 ", MaxAmount, ""},
		{"１２５０", 1250, ""},
		{"", 0, "amount.required"},
		{"0", 0, "amount.zero"},
		{"-5", 0, "amount.negative"},
		{"12.50", 0, "amount.fen_invalid"},
		{"1e3", 0, "amount.fen_invalid"},
		{"-", 0, "amount.fen_invalid"},
		{"1000000000000", 0, "amount.too_large"},
		{"99999999999999999999999999", 0, "amount.too_large"},
	}
	for _, tt := range tests {
		got, err := ParseFen(tt.in)
		if tt.code == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseFen(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		var is Issue
		if !errors.As(err, &is) || is.Code != tt.code {
			t.Errorf("ParseFen(%q) = %d, %v; want code %s", tt.in, got, err, tt.code)
		}
	}
}

func TestAmountFormat(t *testing.T) {
	tests := []struct {
		a         Amount
		str, yuan string
	}{
		{0, "¥0.00", "0.00"},
		{1, "¥0.01", "0.01"},
		{10, "¥0.10", "0.10"},
		{1250, "¥12.50", "12.50"},
		{100000, "¥1,000.00", "1000.00"},
		{123456, "¥1,234.56", "1234.56"},
		{12345678, "¥123,456.78", "123456.78"},
		{MaxAmount, "¥9,999,999,999.99", "9999999999.99"},
		{-123456, "-¥1,234.56", "-1234.56"},
		{-1, "-¥0.01", "-0.01"},
		{Amount(-9223372036854775808), "-¥92,233,720,368,547,758.08", "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.str {
			t.Errorf("Amount(%d).String() = %q, want %q", tt.a, got, tt.str)
		}
		if got := tt.a.Yuan(); got != tt.yuan {
			t.Errorf("Amount(%d).Yuan() = %q, want %q", tt.a, got, tt.yuan)
		}
	}
}

func TestAmountRoundTrip(t *testing.T) {
	for _, a := range []Amount{1, 9, 10, 99, 100, 101, 1250, 123456, 100000000, MaxAmount - 1, MaxAmount} {
		for _, s := range []string{a.Yuan(), a.String()} {
			got, err := ParseAmount(s)
			if err != nil || got != a {
				t.Errorf("ParseAmount(%q) = %d, %v; want %d", s, got, err, a)
			}
		}
	}
}
