package redshift

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-dev/ferry/provider"
	"github.com/jackc/pgx/v5"
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

// Tables lists every user table with its columns, in Redshift type
// spelling with length, precision and scale ("CHARACTER VARYING(44)",
// "NUMERIC(15,2)"), in one round trip. Rows is SVV_TABLE_INFO.tbl_rows,
// which counts deleted rows not yet vacuumed; Bytes is its size in 1 MB
// blocks times 1 MiB. Version is "rows:bytes".
func (s *Source) Tables(ctx context.Context) ([]provider.TableInfo, error) {
	var out []provider.TableInfo
	err := s.withConn(ctx, true, func(c *pgx.Conn) error {
		out = nil
		rows, err := c.Query(ctx, tablesQuery)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var schema, table, col, dataType, nullable, remarks string
			var length, precision, scale *int32
			var nrows, blocks int64
			if err := rows.Scan(&schema, &table, &col, &dataType, &length, &precision, &scale, &nullable, &remarks, &nrows, &blocks); err != nil {
				return err
			}
			if n := len(out); n == 0 || out[n-1].Schema != schema || out[n-1].Name != table {
				bytes := blocks << 20
				out = append(out, provider.TableInfo{Schema: schema, Name: table, Rows: nrows, Bytes: bytes,
					Version: strconv.FormatInt(nrows, 10) + ":" + strconv.FormatInt(bytes, 10)})
			}
			t := &out[len(out)-1]
			t.Columns = append(t.Columns, provider.Column{Name: col, Type: spellType(dataType, length, precision, scale),
				Nullable: nullable == "YES", Comment: remarks})
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read Redshift catalog: %w", err)
	}
	return out, nil
}

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

// Type OIDs whose text Query rewrites into ferry's canonical form.
const (
	oidBool        = 16
	oidFloat4      = 700
	oidFloat8      = 701
	oidTimestamp   = 1114
	oidTimestampTZ = 1184
)

// Query runs one SELECT with the simple protocol and returns the values
// as canonical strings: NUMERIC as the server's exact text, dates as
// YYYY-MM-DD, timestamps as "YYYY-MM-DD HH:MM:SS.ffffff" (TIMESTAMPTZ in
// UTC), booleans as true/false, floats in shortest round-trip form, nil
// for NULL. Lost connections are retried.
func (s *Source) Query(ctx context.Context, sql string) (*provider.Result, error) {
	var res *provider.Result
	err := s.withConn(ctx, true, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			return err
		}
		defer rows.Close()
		fields := rows.FieldDescriptions()
		res = &provider.Result{Columns: make([]string, len(fields)), Rows: [][]*string{}}
		for i, f := range fields {
			res.Columns[i] = f.Name
		}
		for rows.Next() {
			raw := rows.RawValues()
			row := make([]*string, len(raw))
			for i, v := range raw {
				if v == nil {
					continue
				}
				text := canonical(string(v), fields[i].DataTypeOID)
				row[i] = &text
			}
			res.Rows = append(res.Rows, row)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// canonical rewrites one text value of the given type.
func canonical(v string, oid uint32) string {
	switch oid {
	case oidBool:
		return strconv.FormatBool(v == "t" || v == "true")
	case oidFloat4, oidFloat8:
		bits := 64
		if oid == oidFloat4 {
			bits = 32
		}
		if f, err := strconv.ParseFloat(v, bits); err == nil {
			return strconv.FormatFloat(f, 'g', -1, bits)
		}
	case oidTimestamp:
		if t, err := time.Parse("2006-01-02 15:04:05.999999", v); err == nil {
			return t.Format("2006-01-02 15:04:05.000000")
		}
	case oidTimestampTZ:
		for _, layout := range []string{"2006-01-02 15:04:05.999999Z07", "2006-01-02 15:04:05.999999Z07:00", "2006-01-02 15:04:05.999999Z07:00:00"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t.UTC().Format("2006-01-02 15:04:05.000000")
			}
		}
	}
	return strings.Clone(v)
}
