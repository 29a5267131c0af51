package redshift

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferry-dev/ferry/provider"
	"github.com/jackc/pgx/v5/pgconn"
)

// tablesQuery lists every column of every user table with the table's
// row count and size. SVV_TABLE_INFO leaves empty tables out, hence the
// LEFT JOIN and the zeros. Its size is in 1 MB blocks.
const tablesQuery = `
SELECT c.table_schema::text, c.table_name::text, c.column_name::text, c.data_type::text,
       c.character_maximum_length::int, c.numeric_precision::int, c.numeric_scale::int,
       c.is_nullable::text, coalesce(c.remarks, '')::text,
       coalesce(i.tbl_rows, 0)::bigint, coalesce(i.size, 0)::bigint
FROM svv_columns c
JOIN information_schema.tables t
  ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
LEFT JOIN svv_table_info i ON i.schema = c.table_schema AND i."table" = c.table_name
WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema', 'pg_internal', 'pg_automv')
  AND left(c.table_schema, 8) <> 'pg_temp_'
ORDER BY c.table_schema, c.table_name, c.ordinal_position`

// columnsQuery is tablesQuery without SVV_TABLE_INFO, for users who may
// not read it; the counts come from countQueries instead.
var columnsQuery = strings.Replace(strings.Replace(tablesQuery,
	"coalesce(i.tbl_rows, 0)::bigint, coalesce(i.size, 0)::bigint", "0::bigint, 0::bigint", 1),
	`LEFT JOIN svv_table_info i ON i.schema = c.table_schema AND i."table" = c.table_name`+"\n", "", 1)

// privilegeQuery asks whether the current user may read SVV_TABLE_INFO,
// which Redshift shows only to superusers unless SELECT is granted.
const privilegeQuery = `SELECT has_table_privilege('pg_catalog.svv_table_info', 'SELECT')`

// maxCountSQL bounds one UNION ALL of counts, well under the Data API's
// 100 KB statement limit.
const maxCountSQL = 60 << 10

// Tables lists every user table with its columns, in Redshift type
// spelling with length, precision and scale ("CHARACTER VARYING(44)",
// "NUMERIC(15,2)"), in one round trip. Rows is SVV_TABLE_INFO.tbl_rows,
// which counts deleted rows not yet vacuumed; Bytes is its size in 1 MB
// blocks times 1 MiB. Version is "rows:bytes".
//
// A user who may not read SVV_TABLE_INFO (not a superuser, no grant)
// gets exact COUNT(*) rows from one UNION ALL query instead, and Bytes 0
// (unknown).
func (s *Source) Tables(ctx context.Context) ([]provider.TableInfo, error) {
	return readTables(ctx, s)
}

// readTables runs the catalog query through q (pgx or the Data API),
// falling back to counting when SVV_TABLE_INFO is not readable.
func readTables(ctx context.Context, q provider.Querier) ([]provider.TableInfo, error) {
	res, err := q.Query(ctx, tablesQuery)
	if err == nil {
		return parseTables(res)
	}
	if !tableInfoDenied(ctx, q, err) {
		return nil, fmt.Errorf("read Redshift catalog: %w", err)
	}
	if res, err = q.Query(ctx, columnsQuery); err != nil {
		return nil, fmt.Errorf("read Redshift catalog: %w", err)
	}
	tables, err := parseTables(res)
	if err != nil {
		return nil, err
	}
	if err := countRows(ctx, q, tables); err != nil {
		return nil, fmt.Errorf("count rows (SVV_TABLE_INFO is not readable): %w", err)
	}
	return tables, nil
}

// tableInfoDenied tells whether err comes from lacking SELECT on
// SVV_TABLE_INFO: SQLSTATE 42501 over pgx, or, where no SQLSTATE comes
// back (the Data API), the server's own answer to has_table_privilege.
func tableInfoDenied(ctx context.Context, q provider.Querier, err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "42501"
	}
	res, perr := q.Query(ctx, privilegeQuery)
	return perr == nil && len(res.Rows) == 1 && len(res.Rows[0]) == 1 && res.Rows[0][0] != nil && *res.Rows[0][0] == "false"
}

// countRows fills Rows (and Version) with exact counts, batching the
// tables into UNION ALL queries.
func countRows(ctx context.Context, q provider.Querier, tables []provider.TableInfo) error {
	for start := 0; start < len(tables); {
		var b strings.Builder
		end := start
		for ; end < len(tables) && (end == start || b.Len() < maxCountSQL); end++ {
			if end > start {
				b.WriteString("\nUNION ALL ")
			}
			fmt.Fprintf(&b, "SELECT %d, count(*) FROM %s.%s", end, quoteIdent(tables[end].Schema), quoteIdent(tables[end].Name))
		}
		res, err := q.Query(ctx, b.String())
		if err != nil {
			return err
		}
		for _, row := range res.Rows {
			if len(row) != 2 || row[0] == nil || row[1] == nil {
				return errors.New("unexpected count result")
			}
			i, err1 := strconv.Atoi(*row[0])
			n, err2 := strconv.ParseInt(*row[1], 10, 64)
			if err1 != nil || err2 != nil || i < start || i >= end {
				return fmt.Errorf("unexpected count row %q, %q", *row[0], *row[1])
			}
			tables[i].Rows = n
			tables[i].Version = strconv.FormatInt(n, 10) + ":0"
		}
		start = end
	}
	return nil
}

// parseTables reads the rows of tablesQuery or columnsQuery.
func parseTables(res *provider.Result) ([]provider.TableInfo, error) {
	var out []provider.TableInfo
	for _, r := range res.Rows {
		if len(r) != 11 || r[0] == nil || r[1] == nil || r[2] == nil || r[3] == nil {
			return nil, errors.New("read Redshift catalog: unexpected row shape")
		}
		str := func(i int) string {
			if r[i] == nil {
				return ""
			}
			return *r[i]
		}
		num := func(i int) (*int32, error) {
			if r[i] == nil {
				return nil, nil
			}
			n, err := strconv.ParseInt(*r[i], 10, 32)
			v := int32(n)
			return &v, err
		}
		length, err1 := num(4)
		precision, err2 := num(5)
		scale, err3 := num(6)
		nrows, err4 := strconv.ParseInt(str(9), 10, 64)
		blocks, err5 := strconv.ParseInt(str(10), 10, 64)
		if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
			return nil, fmt.Errorf("read Redshift catalog: %w", err)
		}
		schema, table := str(0), str(1)
		if n := len(out); n == 0 || out[n-1].Schema != schema || out[n-1].Name != table {
			bytes := blocks << 20
			out = append(out, provider.TableInfo{Schema: schema, Name: table, Rows: nrows, Bytes: bytes,
				Version: strconv.FormatInt(nrows, 10) + ":" + strconv.FormatInt(bytes, 10)})
		}
		t := &out[len(out)-1]
		t.Columns = append(t.Columns, provider.Column{Name: str(2), Type: spellType(str(3), length, precision, scale),
			Nullable: str(7) == "YES", Comment: str(8)})
	}
	return out, nil
}

// quoteIdent double-quotes a Redshift identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// spellType writes a catalog data_type with its dimensions, upper-cased,
// in a spelling typemap.ParseRedshift reads.
func spellType(dataType string, length, precision, scale *int32) string {
	t := strings.ToUpper(dataType)
	switch t {
	case "CHARACTER VARYING", "CHARACTER", "BINARY VARYING":
		if length != nil {
			return fmt.Sprintf("%s(%d)", t, *length)
		}
	case "NUMERIC", "DECIMAL":
		if precision != nil && scale != nil {
			return fmt.Sprintf("NUMERIC(%d,%d)", *precision, *scale)
		}
	}
	return t
}
