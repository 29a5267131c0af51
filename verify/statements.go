package verify

import (
	"fmt"
	"strings"
)

// This file builds the statements each check runs. Every statement returns
// canonical text only (counts included), so the Querier never has to format
// a number itself, and each check is one statement per side.

// Aggregate measures, as they appear in check names
// ("aggregates:<column>:<measure>").
const (
	measureCount     = "count"      // non-null values
	measureMin       = "min"        // canonical text of the minimum
	measureMax       = "max"        // canonical text of the maximum
	measureSum       = "sum"        // exact sum (numbers), rounded sum (floats)
	measureLengthSum = "length_sum" // total characters (strings, CHAR trimmed)
	measureTrueCount = "true_count" // values that are true (booleans)
)

// fingerprintBuckets is the number of buckets a fingerprint splits rows
// into: the last hexadecimal digit of each row's MD5.
const fingerprintBuckets = 16

// nullMarker and valueMarker prefix each field of a row's canonical text so
// that NULL is never confused with any string, the empty string included.
// fieldSeparator (U+001F, the ASCII unit separator) sits between fields.
const (
	nullMarker     = "n"
	valueMarker    = "v"
	fieldSeparator = 0x1f
)

// measure is one aggregate of one column: the expression per side and how
// the two results are compared.
type measure struct {
	column string // target column name, for the check name
	name   string
	src    string
	dst    string
	// relTol, when positive, compares the values as numbers with this
	// relative tolerance instead of as text.
	relTol float64
}

// from renders the FROM clause with an optional filter.
func from(d Dialect, table, where string) string {
	s := "FROM " + d.QuoteTable(table)
	if strings.TrimSpace(where) != "" {
		s += "\nWHERE " + where
	}
	return s
}

// countSQL counts the rows of a table.
func countSQL(d Dialect, table, where string) string {
	return "SELECT " + d.Canonical("COUNT(*)", ColumnType{Family: Integer}) +
		" AS row_count\n" + from(d, table, where)
}

// probeSQL selects the mapped columns without reading any row, proving they
// exist under those names.
func probeSQL(d Dialect, table string, cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = d.QuoteIdent(c)
	}
	return "SELECT " + strings.Join(q, ", ") + "\n" + from(d, table, "1 = 0")
}

// aggregate is one measure of one column on one side.
type aggregate struct {
	name   string
	expr   string
	relTol float64
}

// columnMeasures lists the aggregates verification computes for a column
// of type t, as expressions over the quoted column col. Both sides list the
// same measures in the same order because they share the column type.
func columnMeasures(d Dialect, col string, t ColumnType) []aggregate {
	type m = aggregate
	integer := ColumnType{Family: Integer}
	out := []m{{measureCount, d.Canonical("COUNT("+col+")", integer), 0}}
	minMax := func(value string, tt ColumnType, tol float64) {
		out = append(out,
			m{measureMin, d.Canonical("MIN("+value+")", tt), tol},
			m{measureMax, d.Canonical("MAX("+value+")", tt), tol})
	}
	switch t.Family {
	case Integer, Decimal:
		scale := 0
		if t.Family == Decimal {
			scale = t.Scale
		}
		minMax(col, t, 0)
		// Exact sums: every engine sums a DECIMAL as DECIMAL(38,s), and
		// DuckDB sums integers as HUGEINT; elsewhere an integer sum could
		// overflow BIGINT, so the values are widened row by row there.
		sum := "SUM(" + col + ")"
		if t.Family == Integer && d.Name() != "duckdb" {
			sum = fmt.Sprintf("SUM(CAST(%s AS DECIMAL(38,%d)))", col, scale)
		}
		out = append(out, m{measureSum, d.Canonical(sum, ColumnType{Family: Decimal, Scale: scale}), 0})
	case Float:
		minMax(col, t, FloatTolerance)
		out = append(out, m{measureSum, d.CanonicalFloat("SUM("+col+")", FloatSumDigits), 0})
	case String, Char:
		value := col
		if t.Family == Char {
			value = "RTRIM(" + col + ")"
			// Trailing blanks never change which value is least or
			// greatest, so the extremes are trimmed once, not per row.
			out = append(out,
				m{measureMin, d.Canonical("RTRIM(MIN("+col+"))", ColumnType{Family: String}), 0},
				m{measureMax, d.Canonical("RTRIM(MAX("+col+"))", ColumnType{Family: String}), 0})
		} else {
			minMax(value, ColumnType{Family: String}, 0)
		}
		out = append(out, m{measureLengthSum,
			d.Canonical("SUM(CAST(LENGTH("+value+") AS BIGINT))", integer), 0})
	case Bool:
		out = append(out, m{measureTrueCount,
			d.Canonical("COUNT(CASE WHEN "+col+" THEN 1 END)", integer), 0})
	case Date, Timestamp:
		minMax(col, t, 0)
	}
	return out
}

// measures pairs the source and target aggregates of every column.
func measures(src, dst Dialect, cols []ColumnPair) []measure {
	var out []measure
	for _, c := range cols {
		s := columnMeasures(src, src.QuoteIdent(c.Source), c.Type)
		t := columnMeasures(dst, dst.QuoteIdent(c.Target), c.Type)
		for i := range s {
			out = append(out, measure{
				column: c.Target, name: s[i].name,
				src: s[i].expr, dst: t[i].expr, relTol: s[i].relTol,
			})
		}
	}
	return out
}

// aggregateSQL computes every measure of one side in a single statement,
// one output column per measure (m0, m1, …).
func aggregateSQL(d Dialect, table, where string, exprs []string) string {
	var b strings.Builder
	b.WriteString("SELECT\n")
	for i, e := range exprs {
		sep := ","
		if i == len(exprs)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  %s AS m%d%s\n", e, i, sep)
	}
	b.WriteString(from(d, table, where))
	return b.String()
}

// rowText is the canonical text of a whole row: each field is "v" followed
// by the value's canonical text, or "n" for NULL, and fields are joined by
// U+001F.
func rowText(d Dialect, cols []string, types []ColumnType) string {
	parts := make([]string, 0, 2*len(cols))
	for i, c := range cols {
		if i > 0 {
			parts = append(parts, d.Chr(fieldSeparator))
		}
		field := d.Concat(d.Text(valueMarker), d.Canonical(d.QuoteIdent(c), types[i]))
		parts = append(parts, "COALESCE("+field+", "+d.Text(nullMarker)+")")
	}
	return d.Concat(parts...)
}

// fingerprintSQL computes, per bucket, the row count and two exact sums:
// the first and the second 60 bits of each row's MD5 (15 hex digits each),
// summed as DECIMAL(38,0). The sums are order-independent, exact up to
// 2^66 rows, and together compare 120 bits per row. The bucket is the
// MD5's last hex digit, i.e. the hash mod 16. Buckets without rows are
// absent; the caller treats them as zero.
func fingerprintSQL(d Dialect, table, where string, cols []string, types []ColumnType) string {
	integer := ColumnType{Family: Integer}
	dec0 := ColumnType{Family: Decimal, Scale: 0}
	limb := func(from int) string {
		return fmt.Sprintf("CAST(%s AS DECIMAL(38,0))", d.HexToInt(d.Substr("fp_hash", from, 15)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s AS fp_bucket, %s AS fp_rows, %s AS fp_sum1, %s AS fp_sum2\n",
		d.Canonical("fp_b", integer), d.Canonical("COUNT(*)", integer),
		d.Canonical("SUM(fp_l1)", dec0), d.Canonical("SUM(fp_l2)", dec0))
	fmt.Fprintf(&b, "FROM (\n  SELECT %s AS fp_b, %s AS fp_l1, %s AS fp_l2\n",
		d.HexToInt(d.Substr("fp_hash", 32, 1)), limb(1), limb(16))
	fmt.Fprintf(&b, "  FROM (\n    SELECT %s AS fp_hash\n    %s\n  ) fp_hashes\n) fp_limbs\nGROUP BY fp_b",
		d.MD5(rowText(d, cols, types)), strings.ReplaceAll(from(d, table, where), "\n", "\n    "))
	return b.String()
}
