package maxcompute

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/ferry-dev/ferry/provider/typemap"
)

// project is one MaxCompute project: an in-memory DuckDB database whose
// table and column comments hold what DuckDB cannot: the declared
// MaxCompute types, comments, partition keys and lifecycle.
type project struct {
	name     string
	settings map[string]string
	db       *sql.DB
	// mu serialises statements, so that a LOAD's check-then-write and
	// CREATE TABLE IF NOT EXISTS are atomic.
	mu sync.Mutex
}

// tableMeta is a table as the service describes it.
type tableMeta struct {
	Name      string    `json:"-"`
	Comment   string    `json:"comment"`
	Lifecycle int       `json:"lifecycle"`
	Created   int64     `json:"created"`
	Columns   []colMeta `json:"-"`
	Partition []colMeta `json:"-"`
	Rows      int64     `json:"-"`
	// Partitions lists the partitions a static LOAD or INSERT created,
	// as "k=v/k2=v2", sorted; a partition stays until it is dropped, even
	// when it holds no rows.
	Partitions []string `json:"partitions,omitempty"`
}

// colMeta is one column; its JSON is the DuckDB column comment.
type colMeta struct {
	Name      string `json:"-"`
	Type      string `json:"type"`
	Comment   string `json:"comment,omitempty"`
	NotNull   bool   `json:"not_null,omitempty"`
	Partition bool   `json:"partition,omitempty"`
}

// builtins are MaxCompute functions DuckDB lacks, as macros of each
// session. TO_CHAR(datetime, format) renders a DATE, DATETIME or
// TIMESTAMP with the format elements yyyy, mm, dd, hh, mi and ss; every
// other character is copied.
const builtins = `CREATE OR REPLACE TEMP MACRO to_char(d, fmt) AS strftime(d,
  replace(replace(replace(replace(replace(replace(replace(fmt, '%', '%%'),
    'yyyy', '%Y'), 'mm', '%m'), 'dd', '%d'), 'hh', '%H'), 'mi', '%M'), 'ss', '%S'))`

// openProject opens the project's database, with sessions in UTC so that
// TIMESTAMP values are instants.
func openProject(name string, settings map[string]string) (*project, error) {
	conn, err := duckdb.NewConnector("", func(ex driver.ExecerContext) error {
		for _, stmt := range []string{"SET TimeZone = 'UTC'", builtins, functions} {
			if _, err := ex.ExecContext(context.Background(), stmt, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("maxcompute emulator: open duckdb: %w", err)
	}
	return &project{name: name, settings: settings, db: sql.OpenDB(conn)}, nil
}

func (p *project) close() { p.db.Close() }

// duckType is the DuckDB storage type of a MaxCompute type. TIMESTAMP is
// an instant (TIMESTAMPTZ); DATETIME and TIMESTAMP_NTZ are wall-clock
// times. Character types are VARCHAR, their lengths enforced by LOAD.
func duckType(t typemap.MCType) string {
	switch t.Name {
	case typemap.MCInt:
		return "INTEGER"
	case typemap.MCDecimal:
		return t.String()
	case typemap.MCString, typemap.MCVarchar, typemap.MCChar, typemap.MCJSON:
		return "VARCHAR"
	case typemap.MCBinary:
		return "BLOB"
	case typemap.MCDatetime, typemap.MCTimestampNTZ:
		return "TIMESTAMP"
	case typemap.MCTimestamp:
		return "TIMESTAMPTZ"
	case typemap.MCArray:
		return duckType(*t.Elem) + "[]"
	case typemap.MCMap:
		return "MAP(" + duckType(*t.Key) + ", " + duckType(*t.Value) + ")"
	case typemap.MCStruct:
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = duckIdent(f.Name) + " " + duckType(f.Type)
		}
		return "STRUCT(" + strings.Join(parts, ", ") + ")"
	}
	return t.Name
}

// catalogQuery reads every table with its columns in order.
const catalogQuery = `
SELECT t.table_name, coalesce(t.comment, ''), c.column_name, coalesce(c.comment, '')
FROM duckdb_tables() t JOIN duckdb_columns() c ON c.table_oid = t.table_oid
WHERE NOT t.temporary AND t.schema_name = 'main'
ORDER BY t.table_name, c.column_index`

// tables reads the catalog. With names, only those tables are returned;
// counts adds exact row counts.
func (p *project) tables(ctx context.Context, counts bool, names ...string) ([]tableMeta, error) {
	rows, err := p.db.QueryContext(ctx, catalogQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	want := map[string]bool{}
	for _, n := range names {
		want[strings.ToLower(n)] = true
	}
	var out []tableMeta
	for rows.Next() {
		var table, tcomment, col, ccomment string
		if err := rows.Scan(&table, &tcomment, &col, &ccomment); err != nil {
			return nil, err
		}
		if len(names) > 0 && !want[table] {
			continue
		}
		if len(out) == 0 || out[len(out)-1].Name != table {
			tm := tableMeta{Name: table, Rows: -1}
			_ = json.Unmarshal([]byte(tcomment), &tm)
			out = append(out, tm)
		}
		tm := &out[len(out)-1]
		var cm colMeta
		if err := json.Unmarshal([]byte(ccomment), &cm); err != nil {
			return nil, fmt.Errorf("table %s column %s: bad metadata %q", table, col, ccomment)
		}
		cm.Name = col
		if cm.Partition {
			tm.Partition = append(tm.Partition, cm)
		} else {
			tm.Columns = append(tm.Columns, cm)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if counts {
		for i := range out {
			if err := p.db.QueryRowContext(ctx, "SELECT count(*) FROM "+duckIdent(out[i].Name)).Scan(&out[i].Rows); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// table returns one table or errNoTable.
func (p *project) table(ctx context.Context, name string) (*tableMeta, error) {
	ts, err := p.tables(ctx, false, name)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, &odpsError{code: "ODPS-0130131", kind: "Table not found",
			msg: fmt.Sprintf("table %s.%s cannot be resolved", p.name, strings.ToLower(name))}
	}
	return &ts[0], nil
}

// createTable stores a parsed CREATE TABLE: the DuckDB table and its
// metadata comments, in one transaction.
func (p *project) createTable(ctx context.Context, tm tableMeta) error {
	var defs []string
	all := append(append([]colMeta{}, tm.Columns...), tm.Partition...)
	for _, c := range all {
		t, err := typemap.Options{ExtendedDecimalScale: true}.ParseMaxCompute(c.Type)
		if err != nil {
			return &odpsError{code: "ODPS-0130161", kind: "Parse exception", msg: err.Error()}
		}
		def := duckIdent(c.Name) + " " + duckType(t)
		if c.NotNull {
			def += " NOT NULL"
		}
		defs = append(defs, def)
	}
	tm.Created = time.Now().Unix()
	tjson, _ := json.Marshal(tm)
	stmts := []string{
		fmt.Sprintf("CREATE TABLE %s (%s)", duckIdent(tm.Name), strings.Join(defs, ", ")),
		fmt.Sprintf("COMMENT ON TABLE %s IS %s", duckIdent(tm.Name), duckString(string(tjson))),
	}
	for _, c := range all {
		cjson, _ := json.Marshal(c)
		stmts = append(stmts, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s",
			duckIdent(tm.Name), duckIdent(c.Name), duckString(string(cjson))))
	}
	return p.inTx(ctx, stmts...)
}

// inTx runs statements in one transaction.
func (p *project) inTx(ctx context.Context, stmts ...string) error {
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// odpsError is a failed statement as the service reports it in a task
// result: "ODPS-0130131:Table not found - table p.t cannot be resolved".
type odpsError struct {
	code, kind, msg string
}

func (e *odpsError) Error() string { return e.code + ":" + e.kind + " - " + e.msg }

// semantic wraps an engine error (nil stays nil) as a semantic analysis exception, the
// code MaxCompute gives statements it cannot run.
func semantic(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*odpsError); ok {
		return err
	}
	return &odpsError{code: "ODPS-0130071", kind: "[0,0] Semantic analysis exception", msg: err.Error()}
}
