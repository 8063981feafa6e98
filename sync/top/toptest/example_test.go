package toptest_test

import (
	"context"
	"errors"
	"fmt"

	"banksale/sync/top"
	"banksale/sync/top/toptest"
)

// A gateway whose second request is reset after it recorded the order: the client cannot know
// whether the sale arrived, and re-sending the same bytes under the same order_id is safe.
func ExampleNewServer() {
	gw := toptest.NewServer(toptest.Options{AppKey: "app", Secret: "secret", Script: func(n int, _ string) toptest.Fault {
		if n == 1 {
			return toptest.Fault{Kind: toptest.FaultResetAfter}
		}
		return toptest.Fault{}
	}})
	defer gw.Close()
	c, err := top.New(top.Config{URL: gw.URL(), AppKey: "app", Secret: "secret"})
	if err != nil {
		panic(err)
	}
	dto := `{"order_id":"HZ01202611260001","sequence_no":"12345678901","payment_channel":"002","trade_time":"2026-11-26 10:00:00","sale_type":"0","sub_sale_type":"001","trade_amount":1250,"pos_trace_no":"000123","trade_ref_no":"123456789012","pay_type_no":1,"store_no":"HZ01","operate_time":"2026-11-26 10:05:00"}`
	params := map[string]string{toptest.DTOParam: dto}

	_, err = c.Call(context.Background(), toptest.DefaultMethod, params)
	var te *top.Error
	fmt.Println(errors.As(err, &te), te.Class)

	resp, err := c.Call(context.Background(), toptest.DefaultMethod, params)
	fmt.Println(err == nil, resp.RequestID != "", len(gw.Orders()), gw.Conflicts())
	// Output:
	// true ambiguous
	// true true 1 0
}
