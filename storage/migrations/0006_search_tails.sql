-- The tails of the four numbers a person searches by, for `/` and `--search`: each column holds
-- its number upper-cased and reversed (HZ01202611290025 → 52009211620210ZH), so the tail a person
-- remembers ("0025", the last digits of a reference) is a prefix here and an index range finds
-- it, in either case. A person types the end of a number at least as often as its start.
-- banksale fills them when it writes a sale; rows from an older banksale are filled once when
-- this version first opens the journal, and only then are the indexes built (storage
-- fillSearchTails; meta search_tails marks it done): updating a million rows under four
-- indexes took 101 s, filling first and indexing after a fraction of that.
ALTER TABLE orders ADD COLUMN tail_order_id TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN tail_sequence_no TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN tail_pos_trace_no TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN tail_trade_ref_no TEXT NOT NULL DEFAULT '';
