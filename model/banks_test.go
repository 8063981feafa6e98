package model

import (
	"strings"
	"testing"
)

func TestBanksDefault(t *testing.T) {
	list := Banks()
	if len(list) != 19 {
		t.Fatalf("embedded list has %d banks, want the 19 of domain.md", len(list))
	}
	for code, name := range map[string]string{"102": "中国工商银行", "105": "中国建设银行", "310": "上海浦东发展银行", "403": "中国邮政储蓄银行"} {
		if got := BankName(code); got != name {
			t.Errorf("BankName(%s) = %q, want %q", code, got, name)
		}
	}
	if BankName("999") != "" {
		t.Error("unknown code has a name")
	}
	list[0].Name = "changed"
	if BankName("102") != "中国工商银行" {
		t.Error("Banks() does not return a copy")
	}
	for name, code := range map[string]string{"中国银行": "104", "建设银行": "105", "工商银行": "102", "招商银行": "308"} {
		if b, ok := bankByName(name); !ok || b.Code != code {
			t.Errorf("bankByName(%s) = %v, %v; want %s", name, b, ok, code)
		}
	}
	for _, name := range []string{"银行", "花旗银行", "中"} {
		if b, ok := bankByName(name); ok {
			t.Errorf("bankByName(%s) = %v, want none", name, b)
		}
	}
}

func TestLoadAndSetBanks(t *testing.T) {
	list, err := LoadBanks(strings.NewReader("\ufeff# store list\n\n0102\tICBC Hangzhou\n0105  CCB\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[1].Code != "0105" || list[1].Name != "CCB" {
		t.Fatalf("LoadBanks = %v", list)
	}
	SetBanks(list)
	t.Cleanup(func() { SetBanks(nil) })
	if BankName("0102") != "ICBC Hangzhou" || BankName("102") != "" {
		t.Errorf("SetBanks did not replace the list: %v", Banks())
	}
	s, is := validDraft().withBank("0105", "").Build(testRules())
	if s.BankName != "CCB" || is.HasErrors() {
		t.Errorf("override not used by Build: %q %v", s.BankName, codes(is))
	}
	SetBanks(nil)
	if BankName("102") != "中国工商银行" {
		t.Error("SetBanks(nil) did not restore the embedded list")
	}

	for _, bad := range []string{"", "# only comments\n", "102\n", "102\tA\n102\tB\n", "\tname\n"} {
		if _, err := LoadBanks(strings.NewReader(bad)); err == nil {
			t.Errorf("LoadBanks(%q) accepted", bad)
		}
	}
	_, err = LoadBanks(strings.NewReader("102\tA\n\n103\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("error does not name the line: %v", err)
	}
}

func TestBankOfCardAndStoreList(t *testing.T) {
	for card, code := range map[string]string{
		"6222021234567890128": "102", "622202******0128": "102", "6222 0212 3456 7890 128": "102",
		"６２２８４８0000000000": "103", "6217001234567890": "105", "622588*******1234": "308",
	} {
		if b, ok := BankOfCard(card); !ok || b.Code != code {
			t.Errorf("BankOfCard(%s) = %v %v, want %s", card, b, ok, code)
		}
	}
	for _, card := range []string{"", "4111111111111111", "62*2021234567890", "999"} {
		if b, ok := BankOfCard(card); ok {
			t.Errorf("BankOfCard(%q) = %v, want none", card, b)
		}
	}
	// A store's file: one bank corrected (its prefix longer), one added; both found.
	store, err := LoadBanks(strings.NewReader("102\t中国工商银行\tICBC\t622202,6222021\n999\t杭州银行\tHZB Bank of Hangzhou\t603367\n"))
	if err != nil {
		t.Fatal(err)
	}
	list := ExtendBanks(DefaultBanks(), store)
	if len(list) != 20 || list[0].English != "ICBC" || list[19].Code != "999" {
		t.Fatalf("ExtendBanks = %v", list)
	}
	SetBanks(list)
	t.Cleanup(func() { SetBanks(nil) })
	if b, ok := BankOfCard("6033671234567890"); !ok || b.Name != "杭州银行" {
		t.Errorf("the store's bank is not found by its card: %v %v", b, ok)
	}
	if _, err := LoadBanks(strings.NewReader("102\tICBC\t\t62x2\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("a bad prefix: %v", err)
	}
}

func TestBankCardMismatchWarns(t *testing.T) {
	d := validDraft().withBank("302", "")
	d.PaymentChannel, d.CardNo = "002", "622202******0128"
	_, is := d.Build(testRules())
	if !is.Has("bank.card_mismatch") || is.HasErrors() {
		t.Errorf("a 622202 card with 中信银行: %v", codes(is))
	}
	d = d.withBank("102", "")
	if _, is := d.Build(testRules()); is.Has("bank.card_mismatch") {
		t.Errorf("a 622202 card with 工商银行 warned: %v", codes(is))
	}
}
