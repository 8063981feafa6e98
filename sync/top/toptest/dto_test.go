package toptest

import (
	"encoding/json"
	"testing"
)

// FuzzCheckDTO: the gateway's DTO check never panics, and what it accepts is one JSON object
// with a non-empty order_id and only the table's keys.
func FuzzCheckDTO(f *testing.F) {
	f.Add(`{"order_id":"HZ01202611260001","sequence_no":"12345678901","payment_channel":"002","trade_time":"2026-11-26 10:00:00","sale_type":"0","sub_sale_type":"001","trade_amount":1250,"pos_trace_no":"000123","trade_ref_no":"123456789012","pay_type_no":1,"store_no":"HZ01","operate_time":"2026-11-26 10:05:00"}`)
	f.Add(`{"order_id":"a","order_id":"b"}`)
	f.Add(`{"trade_amount":1e3}`)
	f.Add(`[]`)
	f.Add(``)
	f.Add(`{"rback":"00","remark":null}`)
	f.Fuzz(func(t *testing.T, text string) {
		id, derr := checkDTO(text)
		if derr != nil {
			if derr.field == "" || derr.Error() == "" {
				t.Fatalf("error without a field: %#v", derr)
			}
			return
		}
		if id == "" {
			t.Fatal("accepted without order_id")
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(text), &m); err != nil {
			t.Fatalf("accepted invalid JSON: %v", err)
		}
		for k := range m {
			if _, ok := fieldIndex[k]; !ok {
				t.Fatalf("accepted unknown key %q", k)
			}
		}
		if peekOrderID(text) != id {
			t.Fatalf("peekOrderID %q != %q", peekOrderID(text), id)
		}
	})
}
