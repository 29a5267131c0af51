package verify

import (
	"fmt"
	"strings"
)

// This file builds the statements of the count, schema and aggregates
// checks (fingerprint.go builds the fingerprint's). Every statement
// returns canonical text only (counts included), so the Querier never has
// to format a number itself, and each check is one statement per side.

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

// measure is one aggregate of one column: the aggregate per side and how
// the two results are compared.
type measure struct {
	column string // target column name, for the check name
	name   string
	src    aggregate
	dst    aggregate
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
	// alone, when set, is the quoted column the measure is computed from
	// in a scan of its own, with that column's other alone measures (see
	// aggregateSQL); empty: among all the others.
	alone string
}

// separateExtremes is a Dialect whose engine finds the minimum and the
// maximum of some columns cheaper in a scan of their own.
type separateExtremes interface {
	// extremesAlone tells whether the minimum and maximum of a column of
	// type t get a scan of their own.
	extremesAlone(t ColumnType) bool
}

// columnMeasures lists the aggregates verification computes for a column
// of type t, as expressions over the quoted column col. Both sides list the
// same measures in the same order because they share the column type.
func columnMeasures(d Dialect, col string, t ColumnType) []aggregate {
	integer := ColumnType{Family: Integer}
	var out []aggregate
	add := func(name, expr string, tol float64) {
		out = append(out, aggregate{name: name, expr: expr, relTol: tol})
	}
	add(measureCount, d.Canonical("COUNT("+col+")", integer), 0)
	minMax := func(value string, tt ColumnType, tol float64) {
		add(measureMin, d.Canonical("MIN("+value+")", tt), tol)
		add(measureMax, d.Canonical("MAX("+value+")", tt), tol)
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
		add(measureSum, d.Canonical(sum, ColumnType{Family: Decimal, Scale: scale}), 0)
	case Float:
		minMax(col, t, FloatTolerance)
		add(measureSum, d.CanonicalFloat("SUM("+col+")", FloatSumDigits), 0)
	case String, Char:
		value := col
		if t.Family == Char {
			value = "RTRIM(" + col + ")"
			// Trailing blanks never change which value is least or
			// greatest, so the extremes are trimmed once, not per row.
			add(measureMin, d.Canonical("RTRIM(MIN("+col+"))", ColumnType{Family: String}), 0)
			add(measureMax, d.Canonical("RTRIM(MAX("+col+"))", ColumnType{Family: String}), 0)
		} else {
			minMax(value, ColumnType{Family: String}, 0)
		}
		add(measureLengthSum, d.Canonical("SUM(CAST(LENGTH("+value+") AS BIGINT))", integer), 0)
	case Bool:
		add(measureTrueCount, d.Canonical("COUNT(CASE WHEN "+col+" THEN 1 END)", integer), 0)
	case Date, Timestamp:
		minMax(col, t, 0)
	}
	if se, ok := d.(separateExtremes); ok && se.extremesAlone(t) {
		for i := range out {
			if out[i].name == measureMin || out[i].name == measureMax {
				out[i].alone = col
			}
		}
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
			out = append(out, measure{column: c.Target, name: s[i].name, src: s[i], dst: t[i], relTol: s[i].relTol})
		}
	}
	return out
}

// aggregateSQL computes every aggregate of one side in a single statement,
// one output column per aggregate (m0, m1, …). Aggregates marked alone are
// computed in a scan per column of their own, cross-joined with the one
// row of the others, except under a filter: the engine then scans the
// filter's columns again for each, which costs more than it saves.
func aggregateSQL(d Dialect, table, where string, aggs []aggregate) string {
	var main []int
	var groups []string
	alone := map[string][]int{}
	for i, a := range aggs {
		if a.alone == "" || strings.TrimSpace(where) != "" {
			main = append(main, i)
			continue
		}
		if alone[a.alone] == nil {
			groups = append(groups, a.alone)
		}
		alone[a.alone] = append(alone[a.alone], i)
	}
	selectList := func(idx []int, sep, indent string) string {
		parts := make([]string, len(idx))
		for j, i := range idx {
			parts[j] = fmt.Sprintf("%s AS m%d", aggs[i].expr, i)
		}
		return indent + strings.Join(parts, sep+indent)
	}
	if len(groups) == 0 || len(main) == 0 {
		all := make([]int, len(aggs))
		for i := range all {
			all[i] = i
		}
		return "SELECT\n" + selectList(all, ",\n", "  ") + "\n" + from(d, table, where)
	}
	names := make([]string, len(aggs))
	for i := range names {
		names[i] = fmt.Sprintf("m%d", i)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s\nFROM (\n  SELECT\n%s\n  %s\n) a_all", strings.Join(names, ", "),
		selectList(main, ",\n", "    "), from(d, table, ""))
	for n, g := range groups {
		fmt.Fprintf(&b, "\nCROSS JOIN (\n  SELECT %s\n  %s\n) a_%d", selectList(alone[g], ", ", ""), from(d, table, ""), n+1)
	}
	return b.String()
}
