package model

// Health is what a look over the journal file found: SQLite's own check of its pages and
// indexes, and banksale's checks of what it stored — every frozen payload against its checksum,
// each order's count of attempts against its attempt rows, the per-status counts the header
// shows against the orders, and rows whose order is gone.
type Health struct {
	Quick bool // SQLite's quick_check (pages, not index contents) instead of integrity_check
	// Problems are SQLite's findings in its own words (at most MaxHealthItems).
	Problems []string
	// Damaged are the orders whose frozen payload fails its checksum: the bytes that would be
	// sent are not the ones frozen (at most MaxHealthItems; DamagedCount counts them all).
	Damaged      []string
	DamagedCount int
	// Miscounted are orders whose attempts count disagrees with their attempt rows.
	Miscounted []string
	// StatusCounts: the per-status counts the header shows disagree with the orders.
	StatusCounts bool
	// Orphans are attempt and audit rows whose order is not in the journal.
	Orphans int

	Orders, Attempts, Audit int
	Frozen                  int // orders with a frozen payload (and a checksum to check it by)
}

// MaxHealthItems bounds each list in a Health: enough to act on, never a screenful of ids.
const MaxHealthItems = 20

// OK reports whether nothing was found wrong.
func (h Health) OK() bool {
	return len(h.Problems) == 0 && h.DamagedCount == 0 && len(h.Miscounted) == 0 && !h.StatusCounts && h.Orphans == 0
}
