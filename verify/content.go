package verify

import (
	"fmt"
	"math/big"
	"strconv"

	"github.com/ferry-dev/ferry/provider"
)

// This file holds the content checks: per-column aggregates and the
// bucketed row fingerprint. Both compare canonical text computed in the
// engines; the only numeric comparison is the relative tolerance for float
// minima and maxima, done on exact rationals.

// aggregates runs one statement per side computing every measure of every
// column, and records one check per measure.
func (r *runner) aggregates() error {
	ms := measures(r.sd, r.td, r.check.Columns)
	if len(ms) == 0 {
		return nil
	}
	srcExprs := make([]string, len(ms))
	dstExprs := make([]string, len(ms))
	for i, m := range ms {
		srcExprs[i], dstExprs[i] = m.src, m.dst
	}
	s, t, err := r.both(
		aggregateSQL(r.sd, r.check.SourceTable, r.check.Where, srcExprs),
		aggregateSQL(r.td, r.check.TargetTable, "", dstExprs))
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

// bucketDigest is one fingerprint bucket: "rows sum1 sum2".
type bucketDigest map[int]string

// emptyBucket is the digest of a bucket without rows.
const emptyBucket = "0 0 0"

// fingerprint runs one statement per side and records one check per bucket.
func (r *runner) fingerprint() error {
	var srcCols, dstCols []string
	var types []ColumnType
	for _, c := range r.check.Columns {
		srcCols = append(srcCols, c.Source)
		dstCols = append(dstCols, c.Target)
		types = append(types, c.Type)
	}
	if len(types) == 0 {
		return nil
	}
	s, t, err := r.both(
		fingerprintSQL(r.sd, r.check.SourceTable, r.check.Where, srcCols, types),
		fingerprintSQL(r.td, r.check.TargetTable, "", dstCols, types))
	if err != nil {
		return err
	}
	sb, err := digests(s)
	if err != nil {
		return fmt.Errorf("verify %s: source fingerprint: %w", r.check.TargetTable, err)
	}
	tb, err := digests(t)
	if err != nil {
		return fmt.Errorf("verify %s: target fingerprint: %w", r.check.TargetTable, err)
	}
	var differ []int
	for b := 0; b < fingerprintBuckets; b++ {
		c := CheckResult{
			Name:   fmt.Sprintf("fingerprint:bucket %d", b),
			Source: sb.get(b), Target: tb.get(b),
		}
		c.Passed = c.Source == c.Target
		if !c.Passed {
			c.Detail = "rows or row hashes differ (digest: rows, sum of hash bits 1-60, sum of bits 61-120)"
			differ = append(differ, b)
		}
		r.add(c)
	}
	if len(differ) > 0 && len(r.check.Key) > 0 {
		r.samples(differ)
	}
	return nil
}

func (d bucketDigest) get(b int) string {
	if v, ok := d[b]; ok {
		return v
	}
	return emptyBucket
}

// digests reads a fingerprint result: bucket, rows, sum1, sum2.
func digests(res *provider.Result) (bucketDigest, error) {
	out := bucketDigest{}
	for _, row := range res.Rows {
		if len(row) != 4 {
			return nil, fmt.Errorf("want 4 values per row, got %d", len(row))
		}
		for _, v := range row {
			if v == nil {
				return nil, fmt.Errorf("unexpected NULL")
			}
		}
		b, err := strconv.Atoi(*row[0])
		if err != nil || b < 0 || b >= fingerprintBuckets {
			return nil, fmt.Errorf("bad bucket %q", *row[0])
		}
		if _, dup := out[b]; dup {
			return nil, fmt.Errorf("bucket %d twice", b)
		}
		out[b] = *row[1] + " " + *row[2] + " " + *row[3]
	}
	return out, nil
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
