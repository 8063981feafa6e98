package sync

import (
	"banksale/model"
	gosync "sync"
	"time"
)

// Event delivery. A screen that stops reading for a while (a modal dialog, a slow terminal) must
// never stall uploading, and when it reads again it must see where every order and the uploader
// stand now. So each subscriber has a pending queue that coalesces: a newer event for an order
// replaces the older one still waiting (keeping its place in line), and the state has one slot
// that always holds the latest state. A forwarder goroutine moves the queue into the subscriber's
// buffered channel at the subscriber's pace.
//
// The only loss: when more than maxPending different orders are waiting, the oldest waiting ORDER
// event is dropped (the screen reloads rows from the journal anyway when it pages). The latest
// state is never dropped.

const (
	subscriberBuffer = 64
	maxPending       = 4096
	stateKey         = "\x00state" // no order_id contains NUL
)

type subscriber struct {
	ch     chan model.Event
	done   chan struct{}
	signal chan struct{}

	mu      gosync.Mutex
	keys    []string // waiting events in order of first arrival
	pending map[string]model.Event
	orders  int // waiting order events (keys minus the state slot)
}

// Subscribe returns a channel of events, starting with the current state, and a function that
// ends the subscription (and closes the channel). A subscriber that reads slowly never blocks the
// uploader; see the coalescing rules above.
func (u *Uploader) Subscribe() (<-chan model.Event, func()) {
	s := &subscriber{
		ch:      make(chan model.Event, subscriberBuffer),
		done:    make(chan struct{}),
		signal:  make(chan struct{}, 1),
		pending: make(map[string]model.Event),
	}
	u.mu.Lock()
	u.subs[s] = struct{}{}
	s.push(model.Event{State: u.stateLocked(time.Now())})
	u.mu.Unlock()
	go s.forward()

	var once gosync.Once
	return s.ch, func() {
		once.Do(func() {
			u.mu.Lock()
			delete(u.subs, s)
			u.mu.Unlock()
			close(s.done)
		})
	}
}

// publishLocked hands ev to every subscriber; u.mu is held, and nothing here blocks.
func (u *Uploader) publishLocked(ev model.Event) {
	for s := range u.subs {
		s.push(ev)
	}
}

func (u *Uploader) publishOrder(o *model.Order) {
	u.mu.Lock()
	u.publishLocked(model.Event{Order: o})
	u.mu.Unlock()
}

func (s *subscriber) push(ev model.Event) {
	key := stateKey
	if ev.Order != nil {
		key = ev.Order.OrderID
	}
	s.mu.Lock()
	if _, ok := s.pending[key]; ok {
		s.pending[key] = ev
	} else {
		if key != stateKey {
			if s.orders >= maxPending {
				s.dropOldestOrder()
			}
			s.orders++
		}
		s.keys = append(s.keys, key)
		s.pending[key] = ev
	}
	s.mu.Unlock()
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

func (s *subscriber) dropOldestOrder() {
	for i, k := range s.keys {
		if k == stateKey {
			continue
		}
		s.keys = append(s.keys[:i:i], s.keys[i+1:]...)
		delete(s.pending, k)
		s.orders--
		return
	}
}

func (s *subscriber) pop() (model.Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.keys) == 0 {
		return model.Event{}, false
	}
	k := s.keys[0]
	s.keys[0] = ""
	s.keys = s.keys[1:]
	if len(s.keys) == 0 {
		s.keys = nil // let the backing array go
	}
	ev := s.pending[k]
	delete(s.pending, k)
	if k != stateKey {
		s.orders--
	}
	return ev, true
}

func (s *subscriber) forward() {
	defer close(s.ch)
	for {
		ev, ok := s.pop()
		if !ok {
			select {
			case <-s.signal:
				continue
			case <-s.done:
				return
			}
		}
		select {
		case s.ch <- ev:
		case <-s.done:
			return
		}
	}
}
