-- payload_sum: the SHA-256 of the frozen payload, taken when it is frozen and checked before
-- every send and by `banksale check`. One changed byte in a payload used to go unnoticed: the
-- gateway got ¥90.00 while the journal said ¥10.00, and SQLite's own integrity check passed
-- (the page was whole; only its content was wrong). NULL while nothing is frozen. Payloads
-- frozen by an older banksale are summed when this version first opens the journal.
ALTER TABLE orders ADD COLUMN payload_sum BLOB;
