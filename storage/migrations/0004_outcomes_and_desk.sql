-- What the answers of a real gateway need the journal to remember:
-- * maybe_at_gateway: an earlier attempt's outcome is unknown (no whole answer, a 5xx, an answer
--   that says nothing, banksale stopped mid-call), so head office may hold the order already. A
--   later "this order number exists" answer then confirms the upload; without it, that answer
--   means another sale holds the number. A definite refusal of the same bytes clears it.
-- * waiting_since: when the order last became due by a person's act (journaled, edited, retried
--   by hand). An order retrying longer than uploader.give_up_after is handed to a person.
-- * last_class: what the last failure was (an attempt's class, or gave-up), so the screen can say
--   what it means in its own language next to the gateway's own words in last_message.
-- * attempts.answer: an unreadable or unexpected answer, as it came (at most 2 KiB).
-- * meta: the journal's own settings; desk_code tells this PC's order numbers from another's.
ALTER TABLE orders ADD COLUMN maybe_at_gateway INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN waiting_since INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN last_class TEXT NOT NULL DEFAULT '';
UPDATE orders SET waiting_since = created_at;
ALTER TABLE attempts ADD COLUMN answer TEXT NOT NULL DEFAULT '';
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
