package top

import "testing"

// The public test vector of top-protocol.md (taken from the official SDKs' documentation).
func vectorParams(signMethod string) map[string]string {
	return map[string]string{
		"method":      "taobao.user.seller.get",
		"timestamp":   "2013-05-06 13:52:03",
		"format":      "xml",
		"app_key":     "test",
		"v":           "2.0",
		"fields":      "nick",
		"session":     "test",
		"sign_method": signMethod,
	}
}

func TestSignPublicVector(t *testing.T) {
	for _, tc := range []struct{ method, want string }{
		{SignMD5, "72CB4D809B375A54502C09360D879C64"},
		{SignHMAC, "FA15A9D5B42AB2D6F3397843851ED09A"},
		{SignHMACSHA256, "267B9C1C7A2FE1CE413DBB95E596616D32107AE0992BE2C22143CFCE303E8E34"},
	} {
		t.Run(tc.method, func(t *testing.T) {
			p := vectorParams(tc.method)
			got, err := Sign(p, "test", tc.method)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Sign(%s) = %s, want %s", tc.method, got, tc.want)
			}
			// "sign" itself and empty parameters are not part of the signature.
			p["sign"] = "ANYTHING"
			p["empty"] = ""
			if got2, _ := Sign(p, "test", tc.method); got2 != tc.want {
				t.Fatalf("sign/empty params changed the signature: %s", got2)
			}
		})
	}
}

func TestSignUnknownMethod(t *testing.T) {
	if _, err := Sign(vectorParams("sha1"), "test", "sha1"); err == nil {
		t.Fatal("unknown sign method accepted")
	}
}

func TestSignIsOrderAndValueSensitive(t *testing.T) {
	a, _ := Sign(map[string]string{"ab": "c"}, "s", SignMD5)
	b, _ := Sign(map[string]string{"a": "bc"}, "s", SignMD5)
	// TOP's scheme cannot tell these apart (name+value concatenation); documenting the limit
	// keeps anyone from relying on it.
	if a != b {
		t.Fatalf("expected the documented concatenation ambiguity, got %s vs %s", a, b)
	}
	c, _ := Sign(map[string]string{"a": "bd"}, "s", SignMD5)
	if a == c {
		t.Fatal("different values, same signature")
	}
}

func BenchmarkSign(b *testing.B) {
	p := vectorParams(SignHMACSHA256)
	p["pos_bank_sale_info_dto"] = `{"order_id":"HZ01202611260001","sequence_no":"12345678901","payment_channel":"002","trade_time":"2026-11-26 10:00:00","sale_type":"0","sub_sale_type":"001","trade_amount":1250,"pos_trace_no":"000123","trade_ref_no":"123456789012","pay_type_no":1,"store_no":"HZ01","operate_time":"2026-11-26 10:05:00"}`
	for b.Loop() {
		if _, err := Sign(p, "secret", SignHMACSHA256); err != nil {
			b.Fatal(err)
		}
	}
}
