-- The entry form offers the statement lines of the amount being typed: found by amount.
CREATE INDEX statement_lines_amount ON statement_lines (amount, trade_time);
