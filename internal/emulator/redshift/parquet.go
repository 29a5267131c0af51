package redshift

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5/pgproto3"
)

// PostgreSQL type OIDs the Parquet writer distinguishes.
const (
	oidBool        = 16
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidFloat4      = 700
	oidFloat8      = 701
	oidBPChar      = 1042
	oidVarchar     = 1043
	oidDate        = 1082
	oidTimestamp   = 1114
	oidTimestampTZ = 1184
	oidNumeric     = 1700
)

// column is one result column and how it is written to Parquet: INT2 and
// INT4 as INT32, INT8 as INT64, NUMERIC(p,s) as DECIMAL(p,s), DATE as
// DATE, TIMESTAMP and TIMESTAMPTZ as INT64 micros without a zone (UTC
// values), BOOL, FLOAT4/8, and anything else as a UTF8 string.
type column struct {
	name   string
	oid    uint32
	typmod int32
	prec   int32
	scale  int32
	// inferScale is set for NUMERIC without a type modifier (an
	// expression): it is written as DECIMAL(38,s), s the largest scale of
	// its values.
	inferScale bool
}

func newColumns(fields []pgproto3.FieldDescription) ([]column, error) {
	cols := make([]column, len(fields))
	for i, f := range fields {
		c := column{name: string(f.Name), oid: f.DataTypeOID, typmod: f.TypeModifier}
		if c.oid == oidNumeric {
			if f.TypeModifier >= 4 {
				c.prec, c.scale = (f.TypeModifier-4)>>16&0xffff, (f.TypeModifier-4)&0xffff
			} else {
				c.prec, c.inferScale = 38, true
			}
			if c.prec > 38 {
				return nil, &sqlError{Code: "0A000", Message: fmt.Sprintf("column %q: NUMERIC precision %d exceeds 38", c.name, c.prec)}
			}
		}
		cols[i] = c
	}
	return cols, nil
}

// duckType is the DuckDB type the column is written from.
func (c *column) duckType() string {
	switch c.oid {
	case oidBool:
		return "BOOLEAN"
	case oidInt2, oidInt4:
		return "INTEGER"
	case oidInt8:
		return "BIGINT"
	case oidFloat4:
		return "FLOAT"
	case oidFloat8:
		return "DOUBLE"
	case oidNumeric:
		return fmt.Sprintf("DECIMAL(%d,%d)", c.prec, c.scale)
	case oidDate:
		return "DATE"
	case oidTimestamp, oidTimestampTZ:
		return "TIMESTAMP"
	}
	return "VARCHAR"
}

// schemaElement is the column as a VERBOSE manifest describes it.
func (c *column) schemaElement() map[string]any {
	t := map[string]any{}
	switch c.oid {
	case oidBool:
		t["base"] = "boolean"
	case oidInt2:
		t["base"] = "smallint"
	case oidInt4:
		t["base"] = "integer"
	case oidInt8:
		t["base"] = "bigint"
	case oidFloat4:
		t["base"] = "real"
	case oidFloat8:
		t["base"] = "double precision"
	case oidNumeric:
		t["base"], t["precision"], t["scale"] = "numeric", c.prec, c.scale
	case oidDate:
		t["base"] = "date"
	case oidTimestamp:
		t["base"] = "timestamp without time zone"
	case oidTimestampTZ:
		t["base"] = "timestamp with time zone"
	case oidBPChar:
		t["base"] = "character"
		if c.typmod >= 4 {
			t["byte_length"] = c.typmod - 4
		}
	default:
		t["base"] = "character varying"
		if c.oid == oidVarchar && c.typmod >= 4 {
			t["byte_length"] = c.typmod - 4
		}
	}
	return map[string]any{"name": c.name, "type": t}
}

// partWriter stages result rows, as text, in an in-memory DuckDB table
// and writes them out as Parquet files of about limit bytes each.
type partWriter struct {
	cols []column
	db   *sql.DB
	conn *sql.Conn
	app  *duckdb.Appender
	row  []driver.Value
	rows int64
}

// newPartWriter opens the staging table for cols.
func newPartWriter(ctx context.Context, cols []column) (*partWriter, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	w := &partWriter{cols: cols, db: db, row: make([]driver.Value, len(cols))}
	if w.conn, err = db.Conn(ctx); err != nil {
		w.close()
		return nil, err
	}
	defs := make([]string, len(cols))
	for i := range cols {
		defs[i] = fmt.Sprintf("c%d VARCHAR", i)
	}
	if _, err := w.conn.ExecContext(ctx, "CREATE TABLE staged ("+strings.Join(defs, ", ")+")"); err != nil {
		w.close()
		return nil, err
	}
	err = w.conn.Raw(func(dc any) error {
		var err error
		w.app, err = duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "staged")
		return err
	})
	if err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

// add appends one row of text values (nil for NULL). Timestamps with a
// zone are turned into UTC wall-clock text, as Redshift drops the zone.
func (w *partWriter) add(values [][]byte) error {
	for i, v := range values {
		if v == nil {
			w.row[i] = nil
			continue
		}
		s := string(v)
		if w.cols[i].oid == oidTimestampTZ {
			t, err := parseTimestamp(s)
			if err != nil {
				return &sqlError{Code: "22007", Message: fmt.Sprintf("column %q: %v", w.cols[i].name, err)}
			}
			s = t.UTC().Format("2006-01-02 15:04:05.999999")
		}
		w.row[i] = s
	}
	w.rows++
	return w.app.AppendRow(w.row...)
}

// parseTimestamp reads ISO timestamp text with a zone offset.
func parseTimestamp(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999Z07", "2006-01-02 15:04:05.999999Z07:00", "2006-01-02 15:04:05.999999Z07:00:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad timestamp %q", s)
}

// finish closes the appender and fixes the scales of NUMERIC columns
// without a type modifier; the staged rows are then ready to write.
func (w *partWriter) finish(ctx context.Context) error {
	if w.app == nil {
		return nil
	}
	if err := w.app.Close(); err != nil {
		return &sqlError{Code: "XX000", Message: fmt.Sprintf("stage rows: %v", err)}
	}
	w.app = nil
	return w.inferScales(ctx)
}

// write casts the staged text to the Parquet types and writes the files
// into dir, returning their paths in order. limit <= 0 writes one file.
func (w *partWriter) write(ctx context.Context, dir string, limit int64) ([]string, error) {
	if err := w.finish(ctx); err != nil {
		return nil, err
	}
	return w.writeWhere(ctx, dir, limit, "", nil, w.rows)
}

// writeWhere writes the staged rows matching where (all when empty),
// leaving out the columns in skip, into dir; rows is how many match.
func (w *partWriter) writeWhere(ctx context.Context, dir string, limit int64, where string, skip map[int]bool, rows int64) ([]string, error) {
	var exprs []string
	for i := range w.cols {
		if !skip[i] {
			exprs = append(exprs, fmt.Sprintf("CAST(c%d AS %s) AS %s", i, w.cols[i].duckType(), quoteIdent(w.cols[i].name)))
		}
	}
	sel := "SELECT " + strings.Join(exprs, ", ") + " FROM staged"
	if where != "" {
		sel += " WHERE " + where
	}
	if limit <= 0 || rows == 0 {
		name := filepath.Join(dir, "part_0.parquet")
		q := fmt.Sprintf("COPY (%s) TO %s (FORMAT PARQUET, COMPRESSION SNAPPY)", sel, quoteLiteral(name))
		if _, err := w.conn.ExecContext(ctx, q); err != nil {
			return nil, castError(err)
		}
		return []string{name}, nil
	}
	// DuckDB starts a new file once the current one passes FILE_SIZE_BYTES,
	// checked after each row group: row groups of an eighth of the limit
	// keep files near it, approximate as Redshift's are.
	group := max(limit/8, 16<<10)
	if _, err := w.conn.ExecContext(ctx, "SET preserve_insertion_order = false"); err != nil {
		return nil, err
	}
	q := fmt.Sprintf("COPY (%s) TO %s (FORMAT PARQUET, COMPRESSION SNAPPY, FILE_SIZE_BYTES %d, ROW_GROUP_SIZE_BYTES %d, FILENAME_PATTERN 'part_{i}')",
		sel, quoteLiteral(dir), max(limit-group, 1), group)
	if _, err := w.conn.ExecContext(ctx, q); err != nil {
		return nil, castError(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "part_") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	index := func(p string) int {
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "part_"), ".parquet"))
		return n
	}
	sort.Slice(files, func(i, j int) bool { return index(files[i]) < index(files[j]) })
	return files, nil
}

// inferScales fixes the scale of NUMERIC columns without a type modifier.
func (w *partWriter) inferScales(ctx context.Context) error {
	for i := range w.cols {
		c := &w.cols[i]
		if !c.inferScale {
			continue
		}
		var s sql.NullInt64
		q := fmt.Sprintf("SELECT max(length(split_part(c%d, '.', 2))) FROM staged", i)
		if err := w.conn.QueryRowContext(ctx, q).Scan(&s); err != nil {
			return err
		}
		c.scale = min(int32(s.Int64), 37)
	}
	return nil
}

// castError reports a value DuckDB could not convert.
func castError(err error) error {
	return &sqlError{Code: "22P02", Message: fmt.Sprintf("write Parquet: %v", err)}
}

// rowCounts reads the row count of each Parquet file from its footer.
func (w *partWriter) rowCounts(ctx context.Context, files []string) ([]int64, error) {
	out := make([]int64, len(files))
	for i, f := range files {
		q := fmt.Sprintf("SELECT coalesce(sum(num_rows), 0) FROM (SELECT DISTINCT row_group_id, row_group_num_rows AS num_rows FROM parquet_metadata(%s))", quoteLiteral(f))
		if err := w.conn.QueryRowContext(ctx, q).Scan(&out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (w *partWriter) close() {
	if w.app != nil {
		w.app.Close()
	}
	if w.conn != nil {
		w.conn.Close()
	}
	w.db.Close()
}

func quoteIdent(s string) string   { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
