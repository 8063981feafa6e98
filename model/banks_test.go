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
	if len(list) != 2 || list[1] != (Bank{"0105", "CCB"}) {
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
