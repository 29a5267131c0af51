package verify

import "fmt"

// This file holds what differs between engines. Each constructor states
// which documented functions it relies on; the DuckDB spellings are
// exercised by this package's tests, the Redshift and MaxCompute ones are
// pinned by golden files and still need a run against the real engines.

// newDuckDB is DuckDB: double-quoted identifiers, || concatenation,
// strftime for dates and timestamps (%f is six fraction digits), and hex
// digits converted by casting a "0x…" string to BIGINT.
func newDuckDB() *dialect {
	return &dialect{
		name:     "duckdb",
		quote:    `"`,
		textType: "VARCHAR",
		substr:   "SUBSTR",
		date: func(x string) string {
			return fmt.Sprintf("strftime(%s, '%%Y-%%m-%%d')", x)
		},
		// A TIMESTAMP WITH TIME ZONE value would be rendered in the
		// session time zone; the querier keeps the session in UTC.
		timestamp: func(x string) string {
			return fmt.Sprintf("strftime(%s, '%%Y-%%m-%%d %%H:%%M:%%S.%%f')", x)
		},
		binary: func(x string) string {
			return fmt.Sprintf("LOWER(HEX(%s))", x)
		},
		log10: func(x string) string {
			return fmt.Sprintf("LOG10(%s)", x)
		},
		hexToInt: func(x string) string {
			return fmt.Sprintf("CAST('0x' || %s AS BIGINT)", x)
		},
	}
}

// newRedshift is Amazon Redshift (PostgreSQL-compatible): TO_CHAR with
// the US (microseconds) pattern, LOG as the base-10 logarithm, STRTOL for
// hexadecimal digits, FROM_VARBYTE for binary. TO_CHAR renders TIMESTAMPTZ
// in the session time zone, which is UTC unless the cluster changed it.
func newRedshift() *dialect {
	return &dialect{
		name:             "redshift",
		quote:            `"`,
		textType:         "VARCHAR",
		backslashEscapes: true,
		substr:           "SUBSTRING",
		date: func(x string) string {
			return fmt.Sprintf("TO_CHAR(%s, 'YYYY-MM-DD')", x)
		},
		timestamp: func(x string) string {
			return fmt.Sprintf("TO_CHAR(%s, 'YYYY-MM-DD HH24:MI:SS.US')", x)
		},
		binary: func(x string) string {
			return fmt.Sprintf("LOWER(FROM_VARBYTE(%s, 'hex'))", x)
		},
		log10: func(x string) string {
			return fmt.Sprintf("LOG(%s)", x)
		},
		hexToInt: func(x string) string {
			return fmt.Sprintf("STRTOL(%s, 16)", x)
		},
	}
}

// newMaxCompute is Alibaba Cloud MaxCompute (2.0 type system): backtick
// identifiers, CONCAT (NULL when any argument is NULL), TO_CHAR for dates,
// CONV for hexadecimal digits and LOG(10, x) for the logarithm.
//
// Timestamps are built from the value's own text, "yyyy-mm-dd
// hh:mi:ss[.fffffffff]", cut to whole seconds, followed by the digits
// after the point (REGEXP_EXTRACT, so that whatever follows them is
// ignored) padded or cut to six, because TO_CHAR stops at seconds. That
// text is in the session time zone, so the target querier must run with
// odps.sql.timezone=UTC.
func newMaxCompute() *dialect {
	return &dialect{
		name:             "maxcompute",
		quote:            "`",
		textType:         "STRING",
		concatFunc:       true,
		backslashEscapes: true,
		substr:           "SUBSTR",
		date: func(x string) string {
			return fmt.Sprintf("TO_CHAR(%s, 'yyyy-mm-dd')", x)
		},
		timestamp: func(x string) string {
			return fmt.Sprintf("CONCAT(SUBSTR(CAST(%s AS STRING), 1, 19), '.', "+
				"SUBSTR(RPAD(COALESCE(REGEXP_EXTRACT(CAST(%s AS STRING), '[.]([0-9]+)', 1), ''), 6, '0'), 1, 6))", x, x)
		},
		binary: func(x string) string {
			return fmt.Sprintf("LOWER(HEX(%s))", x)
		},
		log10: func(x string) string {
			return fmt.Sprintf("LOG(10, %s)", x)
		},
		hexToInt: func(x string) string {
			return fmt.Sprintf("CAST(CONV(%s, 16, 10) AS BIGINT)", x)
		},
	}
}
