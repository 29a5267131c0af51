package local

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferry-dev/ferry/provider"
)

var (
	_ provider.Source  = (*Source)(nil)
	_ provider.Querier = (*Source)(nil)
)

// Source is a DuckDB database playing a small Redshift cluster. Column
// comments hold each column's declared Redshift type, since DuckDB stores
// CHAR(n) and VARCHAR(n) alike as VARCHAR.
type Source struct {
	h *handle
}

// OpenSource opens the DuckDB database at path. When the file does not
// exist and tpchScale > 0, it is first created and seeded with the eight
// TPC-H tables at that scale factor (fractions allowed: 0.01 gives 1,500
// customers); otherwise a missing file is an empty database.
func OpenSource(path string, tpchScale float64) (*Source, error) {
	if tpchScale > 0 && !fileExists(path) {
		if err := seedTPCH(context.Background(), path, tpchScale); err != nil {
			return nil, err
		}
	}
	h, err := openHandle(path)
	if err != nil {
		return nil, err
	}
	return &Source{h: h}, nil
}

// Close releases the database.
func (s *Source) Close() error { return s.h.close() }

// Dialect returns "duckdb".
func (s *Source) Dialect() string { return "duckdb" }

// Query runs one SELECT and returns its values as canonical strings.
func (s *Source) Query(ctx context.Context, sql string) (*provider.Result, error) {
	return query(ctx, s.h.db, sql)
}

// catalogQuery lists user columns in ordinal order with the declared type
// (the comment) when one is set.
const catalogQuery = `
SELECT t.schema_name, t.table_name, c.column_name,
       coalesce(nullif(c.comment, ''), c.data_type) AS declared, c.data_type, c.is_nullable
FROM duckdb_tables() t
JOIN duckdb_columns() c ON c.table_oid = t.table_oid
WHERE NOT t.temporary AND t.schema_name NOT IN ('information_schema', 'pg_catalog')
ORDER BY t.schema_name, t.table_name, c.column_index`

// Tables lists every user table. It makes two round trips: the catalog,
// then one UNION ALL of exact counts (duckdb_tables().estimated_size still
// counts deleted rows, so it is not exact). Bytes is an estimate: rows ×
// the summed column widths (16 bytes for a string). Version is
// "rows:bytes", which changes with any insert or delete but not with an
// in-place UPDATE; DuckDB offers no cheaper change token.
func (s *Source) Tables(ctx context.Context) ([]provider.TableInfo, error) {
	tables, widths, err := catalog(ctx, s.h.db)
	if err != nil {
		return nil, err
	}
	counts, err := countRows(ctx, s.h, tables)
	if err != nil {
		return nil, err
	}
	out := make([]provider.TableInfo, len(tables))
	for i, t := range tables {
		t.Rows = counts[i]
		t.Bytes = t.Rows * widths[i]
		t.Version = strconv.FormatInt(t.Rows, 10) + ":" + strconv.FormatInt(t.Bytes, 10)
		out[i] = t
	}
	return out, nil
}

// catalog reads the tables and columns in one query, returning each
// table's estimated row width alongside.
func catalog(ctx context.Context, db *sql.DB) ([]provider.TableInfo, []int64, error) {
	rows, err := db.QueryContext(ctx, catalogQuery)
	if err != nil {
		return nil, nil, fmt.Errorf("read catalog: %w", err)
	}
	defer rows.Close()
	var tables []provider.TableInfo
	var widths []int64
	for rows.Next() {
		var schema, table, col, declared, duckType string
		var nullable bool
		if err := rows.Scan(&schema, &table, &col, &declared, &duckType, &nullable); err != nil {
			return nil, nil, fmt.Errorf("read catalog: %w", err)
		}
		if n := len(tables); n == 0 || tables[n-1].Schema != schema || tables[n-1].Name != table {
			tables = append(tables, provider.TableInfo{Schema: schema, Name: table})
			widths = append(widths, 0)
		}
		t := &tables[len(tables)-1]
		t.Columns = append(t.Columns, provider.Column{Name: col, Type: declared, Nullable: nullable})
		widths[len(widths)-1] += typeWidth(duckType)
	}
	return tables, widths, rows.Err()
}

// countBatch is how many tables one counting query covers: DuckDB plans a
// UNION ALL of many branches worse than linearly. Measured on 10,000
// two-row tables: batches of 1,000 took 2.0 s, of 250 1.5 s, of 20–50
// 0.45–0.6 s, of 5 0.8 s.
const countBatch = 32

// countRows counts the rows of every table with UNION ALL queries of at
// most countBatch tables each, on one DuckDB thread: each count is a tiny
// query, and with the default of one thread per core DuckDB spends more
// waking and scheduling its workers than counting. Measured on the
// 10,000-table refreshing plan: 1.93 s with the default threads, 1.78 s
// with one. The setting belongs to the whole instance: it is put back as
// soon as the counts are done, and a query that an apply runs on the same
// file meanwhile (the executor lists a target once) is only slower.
func countRows(ctx context.Context, h *handle, tables []provider.TableInfo) ([]int64, error) {
	counts := make([]int64, len(tables))
	if len(tables) == 0 {
		return counts, nil
	}
	h.counting.Lock()
	defer h.counting.Unlock()
	conn, err := h.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("count rows: %w", err)
	}
	defer conn.Close()
	var threads int64
	if err := conn.QueryRowContext(ctx, "SELECT current_setting('threads')").Scan(&threads); err != nil {
		return nil, fmt.Errorf("count rows: %w", err)
	}
	if threads > 1 {
		if _, err := conn.ExecContext(ctx, "SET threads = 1"); err != nil {
			return nil, fmt.Errorf("count rows: %w", err)
		}
		defer func() {
			// Not ctx: an interrupted plan must still put it back.
			_, _ = conn.ExecContext(context.Background(), fmt.Sprintf("SET threads = %d", threads))
		}()
	}
	for start := 0; start < len(tables); start += countBatch {
		end := min(start+countBatch, len(tables))
		parts := make([]string, 0, end-start)
		for i := start; i < end; i++ {
			t := tables[i]
			parts = append(parts, fmt.Sprintf("SELECT %d AS i, count(*) AS n FROM %s.%s", i, quoteIdent(t.Schema), quoteIdent(t.Name)))
		}
		if err := scanCounts(ctx, conn, strings.Join(parts, " UNION ALL "), counts); err != nil {
			return nil, err
		}
	}
	return counts, nil
}

func scanCounts(ctx context.Context, conn *sql.Conn, q string, counts []int64) error {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("count rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var n int64
		if err := rows.Scan(&i, &n); err != nil {
			return fmt.Errorf("count rows: %w", err)
		}
		counts[i] = n
	}
	return rows.Err()
}

// typeWidth is a DuckDB type's approximate stored width in bytes.
func typeWidth(duckType string) int64 {
	t := strings.ToUpper(duckType)
	switch {
	case t == "BOOLEAN" || t == "TINYINT" || t == "UTINYINT":
		return 1
	case t == "SMALLINT" || t == "USMALLINT":
		return 2
	case t == "INTEGER" || t == "UINTEGER" || t == "DATE" || t == "FLOAT":
		return 4
	case t == "HUGEINT" || t == "UHUGEINT" || t == "UUID" || t == "INTERVAL":
		return 16
	case strings.HasPrefix(t, "DECIMAL"):
		if p, _ := decimalParams(t); p > 18 {
			return 16
		}
		return 8
	case t == "BIGINT" || t == "UBIGINT" || t == "DOUBLE" || strings.HasPrefix(t, "TIME"):
		return 8
	}
	return 16
}

// decimalParams parses "DECIMAL(p,s)" (p and s are 0 when absent).
func decimalParams(t string) (p, s int) {
	fmt.Sscanf(strings.ReplaceAll(strings.ToUpper(t), " ", ""), "DECIMAL(%d,%d)", &p, &s)
	return p, s
}
