package storagetest

import (
	"context"
	"testing"

	"banksale/model"
	"banksale/storage"
)

func TestBigSmall(t *testing.T) {
	path := Big(t, 2000)
	if again := Big(t, 2000); again != path {
		t.Fatalf("cache: %s then %s", path, again)
	}
	ctx := context.Background()
	j, err := storage.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	c, err := j.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range c {
		total += n
	}
	if total != 2000 || c[model.StatusUploaded] < 1500 || c[model.StatusRejected] == 0 {
		t.Fatalf("counts: %v", c)
	}
	o, err := j.Get(ctx, OrderID(1017))
	if err != nil || o.SubSaleType != model.SubVoid || o.OriginalOrderID != OrderID(1016) {
		t.Fatalf("order 1017: %+v %v", o, err)
	}
	// Every synthetic void and refund passes the cross-order rules.
	for _, i := range []int{17, 18, 19, 1017, 1999} {
		s := Sale(i)
		rel, err := j.Related(ctx, s.OriginalOrderID, s.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		if is := model.ValidateRelated(s, rel, model.Rules{RefundWarnDays: -1}); is.HasErrors() {
			t.Errorf("order %d: %v", i, is)
		}
	}
}
