-- The journal. Times are integer Unix milliseconds (UTC instants; shown in CST by the program):
-- compact, exact, and ordered the same way as the instants they stand for.
-- Money is integer fen. A full card number never reaches these tables: card_no holds the
-- masked form only, and the CHECK below refuses anything else as a last line of defence.

CREATE TABLE orders (
    id                INTEGER PRIMARY KEY,
    order_id          TEXT    NOT NULL,
    original_order_id TEXT    NOT NULL DEFAULT '',
    sequence_no       TEXT    NOT NULL DEFAULT '',
    payment_channel   TEXT    NOT NULL CHECK (payment_channel IN ('001', '002')),
    card_no           TEXT    NOT NULL DEFAULT '' CHECK (card_no = '' OR instr(card_no, '*') > 0),
    trade_time        INTEGER NOT NULL,
    sale_type         TEXT    NOT NULL DEFAULT '',
    sub_sale_type     TEXT    NOT NULL CHECK (sub_sale_type IN ('001', '002', '006')),
    trade_amount      INTEGER NOT NULL CHECK (trade_amount > 0),
    bank_code         TEXT    NOT NULL DEFAULT '',
    bank_name         TEXT    NOT NULL DEFAULT '',
    terminal_no       TEXT    NOT NULL DEFAULT '',
    bank_shop_no      TEXT    NOT NULL DEFAULT '',
    pos_trace_no      TEXT    NOT NULL DEFAULT '',
    batch_no          TEXT    NOT NULL DEFAULT '',
    trade_ref_no      TEXT    NOT NULL DEFAULT '',
    pay_type_no       INTEGER NOT NULL DEFAULT 0,
    store_no          TEXT    NOT NULL DEFAULT '',
    encrypte_summary  TEXT    NOT NULL DEFAULT '',
    communicate_type  TEXT    NOT NULL DEFAULT '',
    operate_time      INTEGER NOT NULL DEFAULT 0,
    rback             TEXT    NOT NULL DEFAULT '' CHECK (rback IN ('', '00')),
    remark            TEXT    NOT NULL DEFAULT '',
    extend_param      TEXT    NOT NULL DEFAULT '',
    cashier           TEXT    NOT NULL DEFAULT '',
    ip                TEXT    NOT NULL DEFAULT '',
    mac               TEXT    NOT NULL DEFAULT '',

    status            TEXT    NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'uploading', 'uploaded', 'retrying', 'rejected', 'voided')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER,          -- NULL: not scheduled
    lease_until       INTEGER,          -- NULL: not claimed
    last_code         INTEGER NOT NULL DEFAULT 0,
    last_sub_code     TEXT    NOT NULL DEFAULT '',
    last_message      TEXT    NOT NULL DEFAULT '',
    request_id        TEXT    NOT NULL DEFAULT '',
    void_reason       TEXT    NOT NULL DEFAULT '',
    payload           BLOB    NOT NULL, -- the DTO frozen at insert/edit: every attempt sends these bytes
    created_at        INTEGER NOT NULL,
    created_by        TEXT    NOT NULL DEFAULT '',
    updated_at        INTEGER NOT NULL,
    updated_by        TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE UNIQUE INDEX orders_order_id ON orders (order_id);
-- Newest first with no filter; the rowid is the implicit last column, so
-- ORDER BY trade_time DESC, id DESC is read straight off the index.
CREATE INDEX orders_time ON orders (trade_time);
-- Every status/channel/sub-type filter is a UNION ALL of equality arms on this index, each
-- already in trade_time, id order, merged by SQLite: no sort, cost independent of size.
CREATE INDEX orders_facets ON orders (status, payment_channel, sub_sale_type, trade_time);
CREATE INDEX orders_original ON orders (original_order_id);
-- Prefix search and the duplicate checks; trade_time makes the search candidates covering.
CREATE INDEX orders_sequence ON orders (sequence_no, trade_time);
CREATE INDEX orders_trace ON orders (pos_trace_no, trade_time);
CREATE INDEX orders_ref ON orders (trade_ref_no, trade_time);
-- The uploader's claim: only the due-able rows, oldest due first.
CREATE INDEX orders_due ON orders (next_attempt_at) WHERE status IN ('pending', 'retrying');

-- Counts per status kept by triggers, so the header and "all uploaded" cost nothing at a million rows.
CREATE TABLE status_counts (
    status TEXT PRIMARY KEY,
    n      INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
INSERT INTO status_counts (status) VALUES
    ('pending'), ('uploading'), ('uploaded'), ('retrying'), ('rejected'), ('voided');

CREATE TRIGGER orders_count_insert AFTER INSERT ON orders BEGIN
    UPDATE status_counts SET n = n + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER orders_count_delete AFTER DELETE ON orders BEGIN
    UPDATE status_counts SET n = n - 1 WHERE status = OLD.status;
END;
CREATE TRIGGER orders_count_update AFTER UPDATE OF status ON orders WHEN OLD.status <> NEW.status BEGIN
    UPDATE status_counts SET n = n - 1 WHERE status = OLD.status;
    UPDATE status_counts SET n = n + 1 WHERE status = NEW.status;
END;

CREATE TABLE attempts (
    id          INTEGER PRIMARY KEY,
    order_ref   INTEGER NOT NULL REFERENCES orders (id),
    n           INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    latency_us  INTEGER NOT NULL DEFAULT 0,
    outcome     TEXT    NOT NULL,
    class       TEXT    NOT NULL DEFAULT '',
    code        INTEGER NOT NULL DEFAULT 0,
    sub_code    TEXT    NOT NULL DEFAULT '',
    message     TEXT    NOT NULL DEFAULT '',
    request_id  TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX attempts_order ON attempts (order_ref, id);

CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    order_ref INTEGER NOT NULL REFERENCES orders (id),
    at        INTEGER NOT NULL,
    by        TEXT    NOT NULL DEFAULT '',
    action    TEXT    NOT NULL,
    detail    TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_order ON audit (order_ref, id);
