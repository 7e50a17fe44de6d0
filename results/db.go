// Package results keeps runs and samples in a SQLite file (modernc.org/sqlite,
// pure Go). The file is in WAL mode so reports can read while a run writes;
// every batch of samples is one transaction, so a run killed at any moment
// keeps every batch it committed and nothing of the one it was writing.
package results

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/parity-bench/parity"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// appID marks a SQLite file as a parity results database ("PRTY"), so that
// a stray SQLite file from another program is refused instead of migrated.
const appID = 0x50525459

// readers is how many connections may read at once. Reads never block the
// writer in WAL mode; a few are enough for a report beside a running run.
const readers = 4

// Connection settings. The writer takes the write lock at BEGIN
// (_txlock=immediate): a deferred transaction that reads first and upgrades
// later fails with SQLITE_BUSY instead of waiting. synchronous=NORMAL is
// durable across process crashes in WAL mode; only a power loss may drop
// the last commits.
const (
	writerParams = "_busy_timeout=10000&_foreign_keys=1&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate"
	readerParams = "_busy_timeout=10000&_foreign_keys=1&_query_only=1"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is a parity results database. It implements parity.Store and the
// queries that commands and reports need. It is safe for concurrent use.
type DB struct {
	path string
	// w holds the single writing connection: SQLite allows one writer at a
	// time, and queueing writers in the pool is cheaper than having them
	// spin on the file lock. It is nil when the database was opened
	// read-only.
	w *sql.DB
	// r holds read-only connections, separate from w so a caller may
	// stream samples and write scores back at the same time.
	r *sql.DB
	// upsert and groups are the sample writes, prepared once on w's single
	// connection: preparing them per batch cost as much as the inserts when
	// group commit makes batches of one or two samples.
	upsert, groups *sql.Stmt
	// schema is the schema version this build writes; shards to merge must
	// have the same.
	schema int
	// fileSchema is the file's schema version: schema, unless a read-only
	// open found an older file, which it reads as it is, never upgrading.
	fileSchema int
}

var _ parity.Store = (*DB)(nil)

// absPath is the absolute form of a database path, which must be given.
func absPath(path string) (string, error) {
	if path == "" {
		return "", parity.Errorf(parity.ErrUsage, "no results database given: pass the path of a results file")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("open results %s: %w", path, err)
	}
	return abs, nil
}

// Open opens the results database at path, creating the file and its parent
// directory when missing and bringing its schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	abs, err := absPath(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("open results %s: %w", path, err)
	}
	migrations, err := loadMigrations()
	if err != nil {
		return nil, err
	}

	w, err := sql.Open("sqlite", dsn(abs, writerParams))
	if err != nil {
		return nil, fmt.Errorf("open results %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, openError(path, err)
	}
	if err := migrate(ctx, w, path, migrations); err != nil {
		w.Close()
		return nil, err
	}
	upsert, err := w.PrepareContext(ctx, upsertSampleSQL)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open results %s: %w", path, err)
	}
	groups, err := w.PrepareContext(ctx, insertGroupSQL)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open results %s: %w", path, err)
	}

	r, err := sql.Open("sqlite", dsn(abs, readerParams))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open results %s: %w", path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		w.Close()
		return nil, openError(path, err)
	}
	return &DB{path: path, w: w, r: r, upsert: upsert, groups: groups, schema: len(migrations), fileSchema: len(migrations)}, nil
}

// OpenReadOnly opens an existing results database for reading only: the
// file is never created, migrated or written, so listing and reporting
// work on a copy someone published, in a directory or on a drive this user
// may not write, or while another process runs. Writing methods return an
// error.
//
// A database whose write-ahead log (the -wal file) exists is read through
// it, sharing its index (-shm) with any writer at work, so a report beside
// a running run sees every committed sample. Without a -wal file the main
// file is the whole database, and it is opened immutable: SQLite then takes
// no lock and creates no -wal or -shm file, which it otherwise would even
// for a read, and which a read-only directory does not allow. The one thing
// an immutable read cannot see is a writer that starts on the file while
// the read is under way; rerun a read that overlapped one.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	abs, err := absPath(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, parity.Errorf(parity.ErrConfig, "results database %s does not exist: check the path", path)
	}
	if fi.IsDir() {
		return nil, parity.Errorf(parity.ErrConfig,
			"cannot open results database %s: it is a directory; name a results file", path)
	}
	migrations, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	params := "mode=ro&immutable=1&"
	_, werr := os.Stat(abs + "-wal")
	if werr == nil {
		params = "mode=ro&"
	} else if !errors.Is(werr, fs.ErrNotExist) {
		return nil, fmt.Errorf("open results %s: %w", path, werr)
	}
	r, version, err := openReader(ctx, path, abs, params, len(migrations))
	if err != nil && werr == nil && cannotShareWAL(err) {
		return nil, parity.Errorf(parity.ErrConfig,
			"cannot read %s: its write-ahead log %s-wal needs a shared-memory index (-shm) that this user may not create in %s; "+
				"copy the database together with its -wal file into a directory you may write and read it there",
			path, filepath.Base(abs), filepath.Dir(abs))
	}
	if err != nil {
		if sqliteCode(err) != 0 {
			return nil, openError(path, err)
		}
		return nil, err
	}
	if version == 0 {
		// checkHeader accepts an empty file because Open initialises one;
		// reading has nothing to read in it.
		r.Close()
		return nil, parity.Errorf(parity.ErrConfig,
			"%s is empty: it holds no parity results yet; record runs into it with 'parity run' or give the path of a results database", path)
	}
	// An older file is read as it is: the read queries handle every schema
	// since the first (see fileSchema), so a published database stays
	// readable where it cannot be upgraded.
	return &DB{path: path, r: r, schema: len(migrations), fileSchema: version}, nil
}

// openReader opens the read-only pool with the given URI parameters and
// reads the file's header. An error from the first access to the file is
// returned as the driver gave it, for the caller to classify.
func openReader(ctx context.Context, path, abs, params string, known int) (*sql.DB, int, error) {
	r, err := sql.Open("sqlite", dsn(abs, params+readerParams))
	if err != nil {
		return nil, 0, fmt.Errorf("open results %s: %w", path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	var v int
	if err := r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		r.Close()
		return nil, 0, err
	}
	version, err := checkHeader(ctx, r, "main", path, known)
	if err != nil {
		r.Close()
		return nil, 0, err
	}
	return r, version, nil
}

// cannotShareWAL reports whether err is SQLite failing to set up the
// shared-memory index of a WAL database it may only read.
func cannotShareWAL(err error) bool {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN:
		return true
	}
	return false
}

// writer returns the writing connection, or an error for a database opened
// read-only.
func (db *DB) writer() (*sql.DB, error) {
	if db.w == nil {
		return nil, parity.Errorf(parity.ErrUsage, "%s was opened read-only: this command cannot change it", db.path)
	}
	return db.w, nil
}

// Path returns the path the database was opened with, for messages.
func (db *DB) Path() string { return db.path }

// Close closes the database. The last connection to close checkpoints the
// WAL back into the main file.
func (db *DB) Close() error {
	if db.w == nil {
		return db.r.Close()
	}
	return errors.Join(db.r.Close(), db.upsert.Close(), db.groups.Close(), db.w.Close())
}

// dsn builds a SQLite URI for the driver. The URI form is used because the
// driver cuts a plain file name at its first '?', so a path containing one
// would open the wrong file.
func dsn(abs, params string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + esc.Replace(p) + "?" + params
}

// openError turns the driver's complaint about a file that is not SQLite
// into a message a person can act on.
func openError(path string, err error) error {
	if sqliteCode(err) == sqlite3.SQLITE_NOTADB {
		return notParity(path, "it is not an SQLite file")
	}
	if sqliteCode(err) == sqlite3.SQLITE_READONLY {
		return parity.Errorf(parity.ErrConfig,
			"results database %s is read-only for this user, and this command writes to it: make it and its folder writable, or copy it somewhere writable (commands that only read, like report, work on it as it is)", path)
	}
	if sqliteCode(err) == sqlite3.SQLITE_CANTOPEN {
		return parity.Errorf(parity.ErrConfig,
			"cannot open results database %s: check that it names a file (not a directory) in a directory you may write", path)
	}
	return fmt.Errorf("open results %s: %w", path, err)
}

func notParity(path, why string) error {
	return parity.Errorf(parity.ErrConfig,
		"%s is not a parity database: %s; give the path of a parity results file or of a new file", path, why)
}

func tooNew(path string, have, known int) error {
	return parity.Errorf(parity.ErrConfig,
		"%s was written by a newer parity (schema %d, this parity knows up to %d): upgrade parity to use it", path, have, known)
}

// sqliteCode returns the primary SQLite result code in err's chain, or 0.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code() & 0xff
	}
	return 0
}

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded migrations. File names start with their
// schema version ("0002_add_x.sql"); the versions must run 1, 2, 3 … without
// gaps, because PRAGMA user_version records how many have been applied.
func loadMigrations() ([]migration, error) {
	names, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range names {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its version, like 0001_init.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// querier is what *sql.DB, *sql.Conn and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// header reads the schema version and application id of an attached
// database ("main" or an ATTACH name).
func header(ctx context.Context, q querier, schema string) (version, app int, err error) {
	if err := q.QueryRowContext(ctx, "PRAGMA "+schema+".user_version").Scan(&version); err != nil {
		return 0, 0, err
	}
	if err := q.QueryRowContext(ctx, "PRAGMA "+schema+".application_id").Scan(&app); err != nil {
		return 0, 0, err
	}
	return version, app, nil
}

// checkHeader refuses files that are not parity databases or were written
// by a newer parity. An empty file (version 0, no tables) is acceptable and
// will be initialised.
func checkHeader(ctx context.Context, q querier, schema, path string, known int) (int, error) {
	version, app, err := header(ctx, q, schema)
	if err != nil {
		return 0, openError(path, err)
	}
	switch {
	case version == 0:
		var tables int
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+schema+".sqlite_master").Scan(&tables); err != nil {
			return 0, openError(path, err)
		}
		if tables > 0 {
			return 0, notParity(path, "it holds tables of another program")
		}
	case app != appID:
		return 0, notParity(path, "it belongs to another program")
	case version > known:
		return 0, tooNew(path, version, known)
	}
	return version, nil
}

// migrate applies the missing migrations, each in its own transaction
// together with the version bump, so a crash mid-way leaves a consistent
// schema. The version is read again under the write lock because another
// process may have migrated the file in the meantime.
func migrate(ctx context.Context, w *sql.DB, path string, ms []migration) error {
	version, err := checkHeader(ctx, w, "main", path, len(ms))
	if err != nil {
		return err
	}
	for _, m := range ms[version:] {
		if err := applyMigration(ctx, w, m); err != nil {
			return fmt.Errorf("migrate %s to schema %d: %w", path, m.version, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, w *sql.DB, m migration) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return err
	}
	if current >= m.version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("%s: %w", m.name, err)
	}
	// PRAGMA arguments cannot be bound; both values are integers we control.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", appID)); err != nil {
		return err
	}
	return tx.Commit()
}
