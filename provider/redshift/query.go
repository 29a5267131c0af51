package redshift

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-dev/ferry/provider"
	"github.com/jackc/pgx/v5"
)

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
		var err error
		res, err = queryConn(ctx, c, sql)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// queryConn runs one SELECT on c and returns canonical strings.
func queryConn(ctx context.Context, c *pgx.Conn, sql string) (*provider.Result, error) {
	rows, err := c.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	res := &provider.Result{Columns: make([]string, len(fields)), Rows: [][]*string{}}
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
	if err := rows.Err(); err != nil {
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
