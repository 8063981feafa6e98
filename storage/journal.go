// Package storage is banksale's journal: every order typed by a supervisor, its upload state,
// its attempts and its audit trail, in one SQLite file (modernc.org/sqlite, pure Go).
//
// Durability comes first: WAL with synchronous=FULL, so an Insert that returned survives a
// crash or a power cut. One process owns a journal at a time (an OS lock on path+".lock");
// inside it one writer connection takes every write in an immediate transaction, and a
// separate read-only pool serves the screens.
package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"banksale/model"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Journal is an open journal. Its methods are safe for concurrent use.
type Journal struct {
	path string
	log  *slog.Logger
	w    *sql.DB // one connection; every write, in BEGIN IMMEDIATE transactions
	r    *sql.DB // read-only pool for lists, counts and details
	lock *fileLock

	mu    sync.Mutex
	rules model.Rules
	now   func() time.Time

	// stmts caches the read pool's prepared listing statements by SQL text: a 18-arm UNION
	// costs more to compile than to run. The set of shapes is small and fixed by model.Filter.
	stmts sync.Map // string → *sql.Stmt
	// wstmts are the writer's everyday statements, compiled at Open on its one connection:
	// every write transaction used to compile its half-dozen afresh, which was a quarter to a
	// third of the uploader's CPU (it records one outcome per call). Read-only after Open.
	wstmts map[string]*sql.Stmt

	deskCode string
	// frozen: opened as a file nobody writes, in a folder this process may not write (openFrozen).
	frozen bool

	closeOnce sync.Once
	closeErr  error
}

// dsnParams are set on every pooled connection through the driver's checked shorthand keys
// (a typo fails the open instead of being ignored). synchronous=FULL: NORMAL can lose a
// committed sale on power loss in WAL mode.
// temp_store=MEMORY keeps statement journals off the disk: as a file it was 40% of an import's
// time. cache_size (the default is 2 MB): 8 MB keeps a million-order journal's index interiors
// in memory for each connection. Import raises the writer's to importCache for its transaction
// only, so its dirty pages do not spill. Kept on all the time, that and four 16 MB readers let
// the caches alone grow to 128 MB in a long session, past the screen's 80 MB budget; now 40 MB.
const (
	dsnParams    = "_journal_mode=WAL&_synchronous=FULL&_busy_timeout=5000&_foreign_keys=1&_pragma=temp_store(MEMORY)"
	writerParams = dsnParams + "&_txlock=immediate&_pragma=cache_size(" + writerCache + ")"
	readerParams = dsnParams + "&_query_only=1&_pragma=cache_size(-8000)"

	writerCache = "-8000"
	importCache = "-64000"
)

// Open opens (creating when missing) the journal at path and takes its lock for the life of
// the Journal. A journal owned by another process gives a *model.InUseError naming it.
func Open(ctx context.Context, path string, log *slog.Logger) (*Journal, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	abs, err := absPath(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	lk, err := acquireLock(abs)
	if err != nil {
		return nil, err
	}
	j := &Journal{path: abs, log: log, lock: lk, now: time.Now,
		rules: model.Rules{VoidSaleType: model.SaleTypeRefund, RefundWarnDays: 30}}
	fail := func(err error) (*Journal, error) {
		if j.r != nil {
			j.r.Close()
		}
		if j.w != nil {
			j.w.Close()
		}
		lk.release()
		return nil, err
	}
	if err := createPrivate(abs); err != nil {
		return fail(fmt.Errorf("storage: open %s: %w", path, err))
	}
	if err := tightenModes(abs); err != nil {
		log.Warn("journal files stay readable by others", "err", err)
	}

	j.w, err = sql.Open("sqlite", abs+"?"+writerParams)
	if err != nil {
		return fail(fmt.Errorf("storage: open %s: %w", path, err))
	}
	j.w.SetMaxOpenConns(1)
	j.w.SetMaxIdleConns(1)
	j.w.SetConnMaxLifetime(0)
	j.w.SetConnMaxIdleTime(0)
	if err := j.w.PingContext(ctx); err != nil {
		return fail(fmt.Errorf("storage: open %s: %w", path, err))
	}
	if err := migrate(ctx, j.w, log); err != nil {
		return fail(fmt.Errorf("storage: open %s: %w", path, err))
	}
	if err := j.prepareWriter(ctx); err != nil {
		return fail(fmt.Errorf("storage: open %s: %w", path, err))
	}
	if err := fillSearchTails(ctx, j.w, log); err != nil {
		j.Close()
		return nil, fmt.Errorf("storage: filling the search tails of older orders: %w", err)
	}
	if err := sumOlderPayloads(ctx, j.w, log); err != nil {
		return fail(fmt.Errorf("storage: open %s: payload checksums: %w", path, err))
	}
	if j.deskCode, err = ensureDeskCode(ctx, j.w); err != nil {
		return fail(fmt.Errorf("storage: open %s: desk code: %w", path, err))
	}
	// 0x10002: the analysis limit SQLite recommends for a connection that just opened.
	if _, err := j.w.ExecContext(ctx, "PRAGMA optimize=0x10002"); err != nil {
		return fail(fmt.Errorf("storage: open %s: optimize: %w", path, err))
	}

	if j.r, err = openReader(ctx, abs); err != nil {
		return fail(fmt.Errorf("storage: open %s: read pool: %w", path, err))
	}
	log.Info("journal opened", "path", abs)
	return j, nil
}

func absPath(path string) (string, error) {
	if path == "" {
		return "", errors.New("storage: open: empty journal path")
	}
	if strings.ContainsRune(path, '?') {
		// The driver cuts the DSN at the first '?': such a path would open another file.
		return "", fmt.Errorf("storage: open %s: a journal path may not contain '?'", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("storage: open %s: %w", path, err)
	}
	return abs, nil
}

func openReader(ctx context.Context, abs string) (*sql.DB, error) {
	r, err := sql.Open("sqlite", abs+"?"+readerParams)
	if err != nil {
		return nil, err
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// frozenDSN opens a journal in a folder this process may not write: immutable tells SQLite
// that nobody changes the file, so it needs neither the -shm file nor locks, which it cannot
// create there.
func frozenDSN(path string) string {
	// A file: URI, so that SQLite reads mode and immutable; %, ? and # would end its path.
	u := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path))
	if !strings.HasPrefix(u, "/") {
		u = "/" + u // C:/… on Windows
	}
	return "file://" + u + "?mode=ro&immutable=1&_busy_timeout=5000"
}

// dsn is how a connection of its own opens this journal: with params, or as a file nobody
// writes when the journal had to be opened so (see openFrozen).
func (j *Journal) dsn(params string) string {
	if j.frozen {
		return frozenDSN(j.path)
	}
	return j.path + "?" + params
}

// openFrozen opens, for reading, a journal that the ordinary reader could not open (why). That
// is safe only when the file holds every committed sale: with a -wal file that is not empty,
// sales may live only there, and an immutable reader would not see them.
func openFrozen(ctx context.Context, abs string, why error) (*sql.DB, error) {
	if fi, err := os.Stat(abs + "-wal"); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("%w; the newest sales are still in %s, which only a banksale that may write in that folder "+
			"folds in: open it once there, or copy the whole folder somewhere you may write", why, filepath.Base(abs)+"-wal")
	}
	r, err := sql.Open("sqlite", frozenDSN(abs)+"&_query_only=1&_pragma=cache_size(-8000)")
	if err != nil {
		return nil, errors.Join(why, err)
	}
	r.SetMaxOpenConns(4)
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		return nil, errors.Join(why, err)
	}
	return r, nil
}

// ErrReadOnly is the answer of every write to a journal opened with OpenReadOnly.
var ErrReadOnly = errors.New("storage: the journal is open for reading only")

// OpenReadOnly opens an existing journal for reading only, without its lock: another process
// (the screen, `banksale sync`) may own it and go on writing meanwhile, which SQLite's WAL mode
// allows, so what is read is a consistent snapshot of a journal that may move on. Every write
// fails with ErrReadOnly. The journal must exist and have this program's schema (the owner
// migrates; a reader cannot).
func OpenReadOnly(ctx context.Context, path string, log *slog.Logger) (*Journal, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	abs, err := absPath(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("storage: open %s for reading: %w", path, err)
	}
	j := &Journal{path: abs, log: log, now: time.Now,
		rules: model.Rules{VoidSaleType: model.SaleTypeRefund, RefundWarnDays: 30}}
	if j.r, err = openReader(ctx, abs); err != nil {
		if j.r, err = openFrozen(ctx, abs, err); err != nil {
			return nil, fmt.Errorf("storage: open %s for reading: %w", path, err)
		}
		j.frozen = true
		log.Info("journal opened as a file nobody writes", "path", abs)
	}
	var have int
	if err := j.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		j.r.Close()
		return nil, fmt.Errorf("storage: open %s for reading: %w", path, err)
	}
	if want := SchemaVersion(); have != want {
		j.r.Close()
		return nil, fmt.Errorf("storage: open %s for reading: the journal has schema version %d and this program reads %d: "+
			"use the banksale that owns it, or close that one so this one can upgrade the journal", path, have, want)
	}
	// A journal made by an older banksale may have no desk code yet: its owner draws one.
	_ = j.r.QueryRowContext(ctx, deskCodeSQL).Scan(&j.deskCode)
	log.Info("journal opened for reading", "path", abs)
	return j, nil
}

// sumOlderPayloads takes the checksum of every payload an older banksale froze without one,
// once per journal (meta payload_sums marks it done): from then on a change to any of them is
// caught. Damage done before the upgrade cannot be told from the payload itself.
func sumOlderPayloads(ctx context.Context, w *sql.DB, log *slog.Logger) error {
	var done string
	if err := w.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'payload_sums'").Scan(&done); err == nil {
		return nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT id, payload FROM orders WHERE payload_sum IS NULL AND length(payload) > 0")
	if err != nil {
		return err
	}
	type frozen struct {
		id  int64
		sum []byte
	}
	var todo []frozen
	for rows.Next() {
		var f frozen
		var p []byte
		if err := rows.Scan(&f.id, &p); err != nil {
			rows.Close()
			return err
		}
		f.sum = payloadSum(p)
		todo = append(todo, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range todo {
		if _, err := tx.ExecContext(ctx, "UPDATE orders SET payload_sum = ? WHERE id = ?", f.sum, f.id); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('payload_sums', 'taken')"); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if len(todo) > 0 {
		log.Info("payload checksums taken", "orders", len(todo))
	}
	return nil
}

const deskCodeSQL = "SELECT value FROM meta WHERE key = 'desk_code'"

// ensureDeskCode reads the journal's desk code, drawing one when it has none: the journal is
// new, or made by an older banksale. It is drawn once and kept, so it stays with the journal.
func ensureDeskCode(ctx context.Context, w *sql.DB) (string, error) {
	var code string
	err := w.QueryRowContext(ctx, deskCodeSQL).Scan(&code)
	if err == nil && model.ValidDeskCode(code) {
		return code, nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = model.DeskCodeLetters[int(b[i])%len(model.DeskCodeLetters)]
	}
	code = string(b)
	if _, err := w.ExecContext(ctx, "INSERT OR REPLACE INTO meta (key, value) VALUES ('desk_code', ?)", code); err != nil {
		return "", err
	}
	return code, nil
}

// DeskCode is the code this journal drew for its order numbers (see model.DeskCodeLetters): what
// numbers them when the config names no desk code of its own. "" on a journal opened for reading
// that has none yet.
func (j *Journal) DeskCode() string { return j.deskCode }

// ReadOnly reports whether the journal was opened with OpenReadOnly.
func (j *Journal) ReadOnly() bool { return j.w == nil }

// writer is the writing connection, or ErrReadOnly.
func (j *Journal) writer() (*sql.DB, error) {
	if j.w == nil {
		return nil, ErrReadOnly
	}
	return j.w, nil
}

// Path is the journal file's absolute path.
func (j *Journal) Path() string { return j.path }

// SetRules sets the rules the cross-order checks run with (void sale type, refund window).
// Rules.Now is ignored: the checks use the time of each write.
func (j *Journal) SetRules(r model.Rules) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.rules = r
}

func (j *Journal) currentRules() model.Rules {
	j.mu.Lock()
	defer j.mu.Unlock()
	r := j.rules
	r.Now = j.now().In(model.CST)
	return r
}

// Close closes the pools and releases the lock. It is safe to call more than once.
func (j *Journal) Close() error {
	j.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if j.w != nil {
			if _, err := j.w.ExecContext(ctx, "PRAGMA optimize"); err != nil {
				j.log.Warn("journal optimize at close", "err", err)
			}
		}
		j.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
		for _, st := range j.wstmts {
			st.Close()
		}
		errR := j.r.Close()
		var errW, errL error
		if j.w != nil {
			errW = j.w.Close()
			errL = j.lock.release()
		}
		j.closeErr = errors.Join(errR, errW, errL)
		if j.closeErr != nil {
			j.closeErr = fmt.Errorf("storage: close %s: %w", j.path, j.closeErr)
		}
		j.log.Info("journal closed", "path", j.path)
	})
	return j.closeErr
}

// readStmt returns the cached prepared statement for q on the read pool.
func (j *Journal) readStmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := j.stmts.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := j.r.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := j.stmts.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// prepareWriter compiles the writer's everyday statements. It must run while no transaction
// holds the writer's one connection: preparing on the pool would wait for it forever.
func (j *Journal) prepareWriter(ctx context.Context) error {
	j.wstmts = make(map[string]*sql.Stmt, len(writerSQL))
	for _, q := range writerSQL {
		st, err := j.w.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		j.wstmts[q] = st
	}
	return nil
}

// ms stores an instant as Unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).In(model.CST) }

func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

// tailIndexSQL are the indexes of the tail columns, built once the columns are filled.
var tailIndexSQL = []string{
	"CREATE INDEX IF NOT EXISTS orders_tail_order_id ON orders (tail_order_id, trade_time)",
	"CREATE INDEX IF NOT EXISTS orders_tail_sequence ON orders (tail_sequence_no, trade_time)",
	"CREATE INDEX IF NOT EXISTS orders_tail_trace ON orders (tail_pos_trace_no, trade_time)",
	"CREATE INDEX IF NOT EXISTS orders_tail_ref ON orders (tail_trade_ref_no, trade_time)",
}

// fillSearchTails writes the tail columns of the orders an older banksale journaled, then
// builds their indexes, once per journal (meta search_tails marks it done), in batches so the
// file's WAL stays small. A crash before the mark only repeats the work.
func fillSearchTails(ctx context.Context, w *sql.DB, log *slog.Logger) error {
	var done string
	if err := w.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'search_tails'").Scan(&done); err == nil {
		return nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	start := time.Now()
	total := 0
	for last := int64(0); ; {
		rows, err := w.QueryContext(ctx, "SELECT id, order_id, sequence_no, pos_trace_no, trade_ref_no FROM orders WHERE id > ? ORDER BY id LIMIT 20000", last)
		if err != nil {
			return err
		}
		type row struct {
			id   int64
			tail [4]string
		}
		var batch []row
		for rows.Next() {
			var r row
			var v [4]string
			if err := rows.Scan(&r.id, &v[0], &v[1], &v[2], &v[3]); err != nil {
				rows.Close()
				return err
			}
			for i := range v {
				r.tail[i] = SearchTail(v[i])
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, "UPDATE orders SET tail_order_id = ?, tail_sequence_no = ?, tail_pos_trace_no = ?, tail_trade_ref_no = ? WHERE id = ?")
		if err != nil {
			tx.Rollback()
			return err
		}
		for _, r := range batch {
			if _, err := st.ExecContext(ctx, r.tail[0], r.tail[1], r.tail[2], r.tail[3], r.id); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		total += len(batch)
		last = batch[len(batch)-1].id
	}
	for _, q := range tailIndexSQL {
		if _, err := w.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if _, err := w.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('search_tails', 'filled')"); err != nil {
		return err
	}
	if total > 0 {
		log.Info("search tails filled for older orders", "orders", total, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}
