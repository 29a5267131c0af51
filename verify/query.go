package verify

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/ferry-dev/ferry/provider"
)

// Query is a custom check: one statement per side whose results must
// agree, such as TPC-H Q1 against the source and the target. Rows are
// compared in the order returned, so both statements should ORDER BY the
// same keys.
type Query struct {
	// Name identifies the query in the report ("query:<name>").
	Name string `json:"name"`
	// SourceSQL and TargetSQL are the statements, each in its engine's
	// dialect.
	SourceSQL string `json:"source_sql"`
	TargetSQL string `json:"target_sql"`
	// Tolerance is the largest absolute difference accepted between two
	// values that both read as numbers. Zero still compares numbers as
	// numbers, exactly ("12.5" equals "12.50"); everything else compares
	// as text.
	Tolerance float64 `json:"tolerance,omitempty"`
	// Tolerances overrides Tolerance for the result columns it names (by
	// the source statement's column name, matched without regard to
	// case), such as {"avg_price": 0.005} next to an exact count.
	Tolerances map[string]float64 `json:"tolerances,omitempty"`
}

// tolerance is the absolute tolerance for the named result column.
func (q Query) tolerance(column string) float64 {
	if t, ok := q.Tolerances[column]; ok {
		return t
	}
	for name, t := range q.Tolerances {
		if strings.EqualFold(name, column) {
			return t
		}
	}
	return q.Tolerance
}

// maxCellDiffs bounds the differing cells a query check describes.
const maxCellDiffs = 3

// query runs a custom query on both sides and records one check.
func (r *runner) query(q Query) error {
	s, t, err := r.both(q.SourceSQL, q.TargetSQL)
	if err != nil {
		return fmt.Errorf("query %s: %w", q.Name, err)
	}
	c := CheckResult{
		Name:   "query:" + q.Name,
		Source: plural(len(s.Rows), "row"),
		Target: plural(len(t.Rows), "row"),
	}
	var diffs []string
	switch {
	case len(s.Columns) != len(t.Columns):
		diffs = append(diffs, fmt.Sprintf("source returns %d columns, target %d", len(s.Columns), len(t.Columns)))
	case len(s.Rows) != len(t.Rows):
		diffs = append(diffs, fmt.Sprintf("source returns %d rows, target %d", len(s.Rows), len(t.Rows)))
	default:
		total := 0
		for i := range s.Rows {
			for j := range s.Columns {
				a, b := cell(s.Rows[i], j), cell(t.Rows[i], j)
				if equalAbsolute(a, b, q.tolerance(s.Columns[j])) {
					continue
				}
				total++
				if total <= maxCellDiffs {
					diffs = append(diffs, fmt.Sprintf("row %d %s: %s ≠ %s", i+1, s.Columns[j], show(a), show(b)))
				}
			}
		}
		if total > maxCellDiffs {
			diffs = append(diffs, fmt.Sprintf("%d more cells differ", total-maxCellDiffs))
		}
	}
	c.Passed = len(diffs) == 0
	c.Detail = strings.Join(diffs, "; ")
	r.add(c)
	return nil
}

// cell returns row[j], or NULL when the row is short.
func cell(row []*string, j int) *string {
	if j < len(row) {
		return row[j]
	}
	return nil
}

// equalAbsolute compares two query values: NULL equals only NULL; two
// numbers are equal when |a-b| <= tol, computed exactly; anything else
// compares as text.
func equalAbsolute(a, b *string, tol float64) bool {
	if equalText(a, b) {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	x, okx := parseNumber(*a)
	y, oky := parseNumber(*b)
	if !okx || !oky {
		return false
	}
	diff := new(big.Rat).Sub(x, y)
	diff.Abs(diff)
	if tol <= 0 {
		return diff.Sign() == 0
	}
	return diff.Cmp(new(big.Rat).SetFloat64(tol)) <= 0
}

// parseNumber reads decimal or exponent notation ("12.50", "-1e-3",
// "1.5e2") as an exact rational. Fractions ("1/3"), base prefixes and
// surrounding spaces are not numbers here: engines never print them, and a
// string column holding them must compare as text.
func parseNumber(s string) (*big.Rat, bool) {
	if s == "" || strings.Trim(s, "0123456789+-.eE") != "" {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// RunQueries runs custom queries only, with no table check: a
// migration's queries such as TPC-H Q1 span several tables.
func RunQueries(ctx context.Context, src, dst provider.Querier, queries []Query) (*Report, error) {
	r := &runner{ctx: ctx, src: src, dst: dst, report: &Report{Level: "query"}}
	for _, q := range queries {
		r.check.TargetTable = "query " + q.Name
		if err := r.query(q); err != nil {
			return nil, err
		}
	}
	r.report.Passed = true
	for _, c := range r.report.Checks {
		if !c.Passed {
			r.report.Passed = false
		}
	}
	return r.report, nil
}
