package toptest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

type fieldKind int

const (
	kString fieldKind = iota
	kNumber
)

type fieldRule struct {
	name     string
	kind     fieldKind
	required bool
	enum     []string // allowed values when non-nil
	time     bool     // yyyy-MM-dd HH:mm:ss
	positive bool     // number > 0
}

// dtoFields is the API's field table of pos_bank_sale_info_dto (syncbanksale.txt), in its order.
var dtoFields = []fieldRule{
	{name: "order_id", required: true},
	{name: "original_order_id"},
	{name: "sequence_no", required: true},
	{name: "payment_channel", required: true, enum: []string{"001", "002"}},
	{name: "card_no"},
	{name: "trade_time", required: true, time: true},
	{name: "sale_type", required: true, enum: []string{"0", "1"}},
	{name: "sub_sale_type", required: true, enum: []string{"001", "002", "006"}},
	{name: "trade_amount", kind: kNumber, required: true, positive: true},
	{name: "bank_code"},
	{name: "bank_name"},
	{name: "terminal_no"},
	{name: "bank_shop_no"},
	{name: "pos_trace_no", required: true},
	{name: "batch_no"},
	{name: "trade_ref_no", required: true},
	{name: "pay_type_no", kind: kNumber, required: true},
	{name: "store_no", required: true},
	{name: "encrypte_summary"},
	{name: "communicate_type", enum: []string{"001", "002"}},
	{name: "operate_time", required: true, time: true},
	{name: "rback", enum: []string{"00"}},
	{name: "remark"},
	{name: "extend_param"},
	{name: "cashier"},
	{name: "ip"},
	{name: "mac"},
}

var fieldIndex = func() map[string]int {
	m := make(map[string]int, len(dtoFields))
	for i, f := range dtoFields {
		m[f.name] = i
	}
	return m
}()

var cst = time.FixedZone("GMT+8", 8*60*60)

const timeLayout = "2006-01-02 15:04:05"

// dtoError names the field that broke the table; it becomes sub_msg "非法参数: <field>".
type dtoError struct{ field, why string }

func (e *dtoError) Error() string { return "非法参数: " + e.field }

// checkDTO checks one pos_bank_sale_info_dto against the API's field table and returns its
// order_id. A field given twice, an unknown key, a wrong JSON type, an empty required field,
// a value outside an enum, a badly formed time or a non-positive amount are refused.
func checkDTO(text string) (string, *dtoError) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	bad := func(field, why string) (string, *dtoError) { return "", &dtoError{field: field, why: why} }
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return bad("pos_bank_sale_info_dto", "not a JSON object")
	}
	seen := make(map[string]json.RawMessage, len(dtoFields))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return bad("pos_bank_sale_info_dto", "broken JSON")
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return bad("pos_bank_sale_info_dto", "broken JSON")
		}
		if _, ok := fieldIndex[key]; !ok {
			if key == "" {
				key = `""` // sub_msg must still name something a person can find
			}
			return bad(key, "unknown field")
		}
		if _, dup := seen[key]; dup {
			return bad(key, "given twice")
		}
		seen[key] = val
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return bad("pos_bank_sale_info_dto", "broken JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return bad("pos_bank_sale_info_dto", "data after the object")
	}
	var orderID string
	for _, f := range dtoFields {
		raw, ok := seen[f.name]
		if ok && bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			ok = false // a null is an absent field, as the Java gateway reads it
		}
		if !ok {
			if f.required {
				return bad(f.name, "required")
			}
			continue
		}
		switch f.kind {
		case kNumber:
			var n json.Number
			if json.Unmarshal(raw, &n) != nil || bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`)) {
				return bad(f.name, "not a JSON number")
			}
			v, err := strconv.ParseInt(n.String(), 10, 64)
			if err != nil {
				return bad(f.name, "not an integer")
			}
			if v < 0 || (f.positive && v == 0) {
				return bad(f.name, "not positive")
			}
		default:
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return bad(f.name, "not a JSON string")
			}
			if s == "" {
				if f.required {
					return bad(f.name, "required")
				}
				continue
			}
			if f.enum != nil && !contains(f.enum, s) {
				return bad(f.name, "not one of "+strings.Join(f.enum, "/"))
			}
			if f.time {
				t, err := time.ParseInLocation(timeLayout, s, cst)
				if err != nil || t.Format(timeLayout) != s {
					return bad(f.name, "not yyyy-MM-dd HH:mm:ss")
				}
			}
			if f.name == "order_id" {
				orderID = s
			}
		}
	}
	return orderID, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// peekOrderID reads order_id from a DTO without judging the rest, so a Script sees it even for
// requests that will be refused.
func peekOrderID(text string) string {
	var v struct {
		OrderID any `json:"order_id"`
	}
	if json.Unmarshal([]byte(text), &v) != nil {
		return ""
	}
	if s, ok := v.OrderID.(string); ok {
		return s
	}
	return ""
}
