package verify

import (
	"fmt"
	"math/big"

	"github.com/ferry-dev/ferry/provider"
)

// This file holds the aggregates check and the comparisons the content
// checks share (fingerprint.go holds the fingerprint). Both compare
// canonical text computed in the engines; the only numeric comparison is
// the relative tolerance for float minima and maxima, done on exact
// rationals.

// aggregates runs one statement per side computing every measure of every
// column, and records one check per measure.
func (r *runner) aggregates() error {
	ms := measures(r.sd, r.td, r.check.Columns)
	if len(ms) == 0 {
		return nil
	}
	srcAggs := make([]aggregate, len(ms))
	dstAggs := make([]aggregate, len(ms))
	for i, m := range ms {
		srcAggs[i], dstAggs[i] = m.src, m.dst
	}
	s, t, err := r.both(
		aggregateSQL(r.sd, r.check.SourceTable, r.check.Where, srcAggs),
		aggregateSQL(r.td, r.check.TargetTable, "", dstAggs))
	if err != nil {
		return err
	}
	for side, res := range map[string]*provider.Result{"source": s, "target": t} {
		if len(res.Rows) != 1 || len(res.Rows[0]) != len(ms) {
			return fmt.Errorf("verify %s: %s aggregates: want 1 row of %d values, got %d rows",
				r.check.TargetTable, side, len(ms), len(res.Rows))
		}
	}
	for i, m := range ms {
		a, b := s.Rows[0][i], t.Rows[0][i]
		c := CheckResult{
			Name:   "aggregates:" + m.column + ":" + m.name,
			Source: show(a), Target: show(b),
		}
		if m.relTol > 0 {
			c.Passed = equalRelative(a, b, m.relTol)
		} else {
			c.Passed = equalText(a, b)
		}
		if !c.Passed {
			c.Detail = fmt.Sprintf("%s of %s differs", m.name, m.column)
		}
		r.add(c)
	}
	return nil
}

// show renders a value for a report: its text, or NULL.
func show(v *string) string {
	if v == nil {
		return "NULL"
	}
	return *v
}

// equalText compares two canonical values; NULL equals only NULL.
func equalText(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// equalRelative compares two numbers with |a-b| <= tol·max(|a|,|b|), in
// exact rational arithmetic. Text that is not a number compares as text.
func equalRelative(a, b *string, tol float64) bool {
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
	scale := new(big.Rat).Abs(x)
	if ay := new(big.Rat).Abs(y); ay.Cmp(scale) > 0 {
		scale = ay
	}
	limit := new(big.Rat).Mul(scale, new(big.Rat).SetFloat64(tol))
	return diff.Cmp(limit) <= 0
}
