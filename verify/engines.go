package verify

import (
	"fmt"
	"strings"
)

// This file holds what differs between engines. Each constructor states
// which documented functions it relies on; the DuckDB spellings are
// exercised by this package's tests, the Redshift and MaxCompute ones are
// pinned by golden files and still need a run against the real engines.

// newDuckDB is DuckDB: double-quoted identifiers, || concatenation,
// strftime for dates and timestamps (%f is six fraction digits), and hex
// digits converted by casting a "0x…" string to BIGINT. Its fingerprint
// spellings are in duckDB's methods below.
func newDuckDB() *duckDB {
	return &duckDB{&dialect{
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
	}}
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

// duckDB is DuckDB's dialect with its own spellings of the fingerprint
// (fingerprint.go): a native row hash for DuckDB-to-DuckDB checks, and
// the portable MD5 row hash built and taken apart with fewer operations
// than the shared SQL, with the same values; and CHAR extremes computed
// apart from the other aggregates (statements.go).
type duckDB struct{ *dialect }

var (
	_ Dialect          = (*duckDB)(nil)
	_ nativeRowHasher  = (*duckDB)(nil)
	_ rowTexter        = (*duckDB)(nil)
	_ md5Splitter      = (*duckDB)(nil)
	_ separateExtremes = (*duckDB)(nil)
)

// nullMaskColumns is the number of columns one NULL bitmask covers: the
// bits of a positive BIGINT.
const nullMaskColumns = 62

// nativeRowHash is DuckDB's hash() over the row's typed values
// (hashValue) followed by a bitmask of its NULL columns. hash() combines
// its arguments in order, so a value moved to another column changes the
// hash; it hashes every NULL as one constant, which some value of a column
// could also hash to, so the bitmask is what tells NULL from every value.
func (d *duckDB) nativeRowHash(cols []string, types []ColumnType) string {
	args := make([]string, 0, len(cols)+1)
	var mask []string
	for i, c := range cols {
		q := d.QuoteIdent(c)
		args = append(args, d.hashValue(q, types[i]))
		mask = append(mask, fmt.Sprintf("CASE WHEN %s IS NULL THEN %d ELSE 0 END", q, int64(1)<<(i%nullMaskColumns)))
		if len(mask) == nullMaskColumns || i == len(cols)-1 {
			args = append(args, "("+strings.Join(mask, " + ")+")")
			mask = mask[:0]
		}
	}
	return "hash(" + strings.Join(args, ", ") + ")"
}

// hashValue is expr as the typed value the native row hash covers: one
// DuckDB type per family, so that both sides hash the same type whatever
// their columns' types (hash(-5::INTEGER) differs from hash(-5::BIGINT)),
// holding what the canonical text holds: CHAR without trailing blanks,
// decimals at the column's scale, timestamps in the session time zone,
// which the querier keeps in UTC. Floats are hashed as the exact DOUBLE,
// not rounded as in the canonical text.
func (d *duckDB) hashValue(expr string, t ColumnType) string {
	switch t.Family {
	case Integer:
		return "CAST(" + expr + " AS BIGINT)"
	case Decimal:
		return fmt.Sprintf("CAST(%s AS DECIMAL(38,%d))", expr, t.Scale)
	case Float:
		return "CAST(" + expr + " AS DOUBLE)"
	case Bool:
		return "CAST(" + expr + " AS BOOLEAN)"
	case String:
		return "CAST(" + expr + " AS VARCHAR)"
	case Char:
		return "RTRIM(CAST(" + expr + " AS VARCHAR))"
	case Date:
		return "CAST(" + expr + " AS DATE)"
	case Timestamp:
		return "CAST(" + expr + " AS TIMESTAMP)"
	case Binary:
		return "CAST(" + expr + " AS BLOB)"
	}
	return d.cast(expr)
}

// canonicalRow spells rowText as one concat() call: concat skips NULL
// arguments, so each field is its marker, chosen by the column's
// nullness, followed by its canonical text, which is NULL exactly when the
// column is. That is the same text as the shared COALESCE and || chain,
// built in one pass instead of two concatenations per field.
func (d *duckDB) canonicalRow(cols []string, types []ColumnType) string {
	parts := make([]string, 0, 3*len(cols))
	for i, c := range cols {
		if i > 0 {
			parts = append(parts, d.Chr(fieldSeparator))
		}
		q := d.QuoteIdent(c)
		parts = append(parts,
			fmt.Sprintf("CASE WHEN %s IS NULL THEN %s ELSE %s END", q, d.Text(nullMarker), d.Text(valueMarker)),
			d.Canonical(q, types[i]))
	}
	return "concat(" + strings.Join(parts, ", ") + ")"
}

// md5Limbs takes the MD5 as a number, md5_number, instead of as hex text.
// md5_number reads the digest's 16 bytes as a little-endian 128-bit
// integer (TestDuckDBMD5NumberByteOrder), so each 64-bit half is
// byte-swapped into the order of the hex text: fp_w1 holds hex digits
// 1-16 and fp_w2 digits 17-32, and the bucket and limbs are bit fields of
// them. DuckDB sums BIGINT as HUGEINT, so the limbs need no DECIMAL cast.
func (d *duckDB) md5Limbs(text, from string) string {
	return fmt.Sprintf(`SELECT CAST(fp_w2 & 15 AS BIGINT) AS fp_b, CAST(fp_w1 >> 4 AS BIGINT) AS fp_l1, CAST(((fp_w1 & 15) << 56) | (fp_w2 >> 8) AS BIGINT) AS fp_l2
FROM (
  SELECT %s AS fp_w1, %s AS fp_w2
  FROM (
    SELECT CAST(fp_n & 18446744073709551615 AS UBIGINT) AS fp_lo, CAST(fp_n >> 64 AS UBIGINT) AS fp_hi
    FROM (
      SELECT md5_number(%s) AS fp_n
      %s
    ) fp_hashes
  ) fp_halves
) fp_words`, byteSwap("fp_lo"), byteSwap("fp_hi"), text, indent(from, "      "))
}

// byteSwap reverses the 8 bytes of x, a UBIGINT, masking each byte before
// shifting it left so that no shift overflows.
func byteSwap(x string) string {
	terms := make([]string, 8)
	for i := range 8 {
		shift := 8 * (7 - 2*i) // where byte i moves: left for the low half
		if shift > 0 {
			terms[i] = fmt.Sprintf("((%s & %d) << %d)", x, uint64(0xff)<<(8*i), shift)
		} else {
			terms[i] = fmt.Sprintf("((%s >> %d) & %d)", x, -shift, uint64(0xff)<<(8*(7-i)))
		}
	}
	return "(" + strings.Join(terms, " | ") + ")"
}

// extremesAlone puts the minimum and maximum of a CHAR column in a scan
// of their own. DuckDB answers a statement that takes only a column's
// extremes from its storage statistics where those are exact (one-letter
// codes such as TPC-H's flags), without reading the column; otherwise it
// reads that one column again, which for the short, dictionary-encoded
// codes CHAR columns hold costs little more than comparing their strings
// among the other measures. On lineitem at scale 1 the aggregates went
// from 1.6 to 1.2 times one full scan.
func (d *duckDB) extremesAlone(t ColumnType) bool { return t.Family == Char }
