-- statement_lines: the acquirer's statement (对账单) lines imported with `banksale statement
-- import`, keyed by the file's name and the line, so importing a file again changes nothing.
-- A card number is kept only masked. reconcile reads a day's lines by trade_time.
CREATE TABLE statement_lines (
    file         TEXT    NOT NULL,
    row          INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    trade_time   INTEGER NOT NULL,
    amount       INTEGER NOT NULL,
    channel      TEXT    NOT NULL DEFAULT '',
    merchant     TEXT    NOT NULL DEFAULT '',
    terminal_no  TEXT    NOT NULL DEFAULT '',
    batch_no     TEXT    NOT NULL DEFAULT '',
    pos_trace_no TEXT    NOT NULL DEFAULT '',
    trade_ref_no TEXT    NOT NULL DEFAULT '',
    card_no      TEXT    NOT NULL DEFAULT '',
    order_no     TEXT    NOT NULL DEFAULT '',
    imported_at  INTEGER NOT NULL,
    imported_by  TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (file, row)
) STRICT, WITHOUT ROWID;
CREATE INDEX statement_lines_time ON statement_lines (trade_time);
-- An order not yet uploaded is compared with its statement line when it is listed: found by
-- its trace number or its reference number.
CREATE INDEX statement_lines_trace ON statement_lines (pos_trace_no);
CREATE INDEX statement_lines_ref ON statement_lines (trade_ref_no);
