package verify

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-dev/ferry/provider"
)

// Samples turn a fingerprint mismatch into rows a person can read. With a
// key configured, two bounded statements run per side, each inside the
// engine:
//
//  1. key and row hash (the fingerprint's, see rowHash) of the rows in
//     the differing buckets, in key order, at most sampleScanRows rows:
//     the hashes are compared in Go and the keys whose rows differ become
//     candidates;
//  2. key and canonical row text of the candidates only, so that a key
//     that fell outside one side's window in step 1 is looked up rather
//     than reported missing.
//
// The rows that still differ after step 2 become Report.Samples. A
// difference beyond the first sampleScanRows rows of the differing
// buckets is not sampled; the fingerprint check still fails.

// DefaultSampleLimit is the number of differing rows reported when
// TableCheck.SampleLimit is zero.
const DefaultSampleLimit = 10

// sampleScanRows bounds the rows each side returns per sampling
// statement; it is also the most rows a MaxCompute result carries.
const sampleScanRows = 10000

// keyed is one row of a sampling result: its key values and either its
// hash (step 1) or its canonical text (step 2).
type keyed struct {
	key   []*string
	value string
}

// id identifies a key, NULL apart from any text.
func (k keyed) id() string {
	parts := make([]string, len(k.key))
	for i, v := range k.key {
		if v == nil {
			parts[i] = nullMarker
		} else {
			parts[i] = valueMarker + *v
		}
	}
	return strings.Join(parts, string(rune(fieldSeparator)))
}

// keyColumns returns the indexes in check.Columns of the key columns, or
// an error naming a key column that is not verified.
func keyColumns(check TableCheck) ([]int, error) {
	var out []int
	for _, k := range check.Key {
		found := -1
		for i, c := range check.Columns {
			if c.Target == k {
				found = i
				break
			}
		}
		if found < 0 {
			return nil, fmt.Errorf("verify %s: key column %q is not among the verified columns", check.TargetTable, k)
		}
		out = append(out, found)
	}
	return out, nil
}

// samples fetches the differing rows of the differing buckets. Sampling
// is a diagnosis: a failing statement is noted in the report and does not
// turn the verification into an error.
func (r *runner) samples(buckets []int) {
	limit := r.check.SampleLimit
	if limit <= 0 {
		limit = DefaultSampleLimit
	}
	keys, _ := keyColumns(r.check) // validated by Run
	s, t, err := r.both(r.sampleSQL(r.sd, true, keys, buckets, nil), r.sampleSQL(r.td, false, keys, buckets, nil))
	if err != nil {
		r.report.SampleNote = "samples: " + err.Error()
		return
	}
	cands := candidates(readKeyed(s, len(keys)), readKeyed(t, len(keys)), 4*limit)
	if len(cands) == 0 {
		r.report.SampleNote = fmt.Sprintf("no differing row among the first %d rows of each differing bucket", sampleScanRows)
		return
	}
	s, t, err = r.both(r.sampleSQL(r.sd, true, keys, nil, cands), r.sampleSQL(r.td, false, keys, nil, cands))
	if err != nil {
		r.report.SampleNote = "samples: " + err.Error()
		return
	}
	samples := r.diffRows(cands, readKeyed(s, len(keys)), readKeyed(t, len(keys)))
	sort.SliceStable(samples, func(i, j int) bool { return compareKeys(samples[i].Key, samples[j].Key) < 0 })
	r.report.Samples = samples[:min(len(samples), limit)]
	if len(samples) == 0 {
		r.report.SampleNote = "the rows that differed in the buckets' first rows are equal when looked up by key"
	}
}

// compareKeys orders canonical keys column by column: as numbers when
// both values are numbers, else as text (which orders canonical dates and
// timestamps), NULL first.
func compareKeys(a, b []string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			continue
		}
		switch {
		case a[i] == "NULL":
			return -1
		case b[i] == "NULL":
			return 1
		}
		x, okx := parseNumber(a[i])
		y, oky := parseNumber(b[i])
		if okx && oky {
			if c := x.Cmp(y); c != 0 {
				return c
			}
			continue
		}
		return strings.Compare(a[i], b[i])
	}
	return len(a) - len(b)
}

// sampleSQL selects, in key order and bounded, the canonical key and
// either the row hash of the rows in buckets or, with cands, the
// canonical row text of the rows with those keys.
func (r *runner) sampleSQL(d Dialect, source bool, keys, buckets []int, cands []keyed) string {
	table, where := r.check.TargetTable, ""
	if source {
		table, where = r.check.SourceTable, r.check.Where
	}
	var cols []string
	var types []ColumnType
	for _, c := range r.check.Columns {
		if source {
			cols = append(cols, c.Source)
		} else {
			cols = append(cols, c.Target)
		}
		types = append(types, c.Type)
	}
	var inner, outer, order []string
	for i, k := range keys {
		col := d.QuoteIdent(cols[k])
		inner = append(inner, fmt.Sprintf("%s AS s_k%d", d.Canonical(col, types[k]), i),
			fmt.Sprintf("%s AS s_o%d", col, i))
		outer = append(outer, fmt.Sprintf("s_k%d", i))
		order = append(order, fmt.Sprintf("s_o%d", i))
	}
	value, shown := r.hash.rowExpr(d, cols, types), "s_value"
	var cond string
	if cands == nil {
		nums := make([]string, len(buckets))
		for i, b := range buckets {
			nums[i] = fmt.Sprint(b)
		}
		cond = fmt.Sprintf("%s IN (%s)", r.hash.bucketExpr(d, "s_value"), strings.Join(nums, ", "))
		if t := r.hash.hashText(d, "s_value"); t != shown {
			shown = t + " AS s_value"
		}
	} else {
		value = rowText(d, cols, types)
		var ors []string
		for _, c := range cands {
			var ands []string
			for i, v := range c.key {
				if v == nil {
					ands = append(ands, fmt.Sprintf("s_k%d IS NULL", i))
				} else {
					ands = append(ands, fmt.Sprintf("s_k%d = %s", i, d.Text(*v)))
				}
			}
			ors = append(ors, "("+strings.Join(ands, " AND ")+")")
		}
		cond = strings.Join(ors, "\n   OR ")
	}
	inner = append(inner, value+" AS s_value")
	return fmt.Sprintf("SELECT %s, %s, %s\nFROM (\n  SELECT %s\n  %s\n) s_rows\nWHERE %s\nORDER BY %s\nLIMIT %d",
		strings.Join(outer, ", "), shown, strings.Join(order, ", "),
		strings.Join(inner, ", "), strings.ReplaceAll(from(d, table, where), "\n", "\n  "),
		cond, strings.Join(order, ", "), sampleScanRows)
}

// readKeyed reads a sampling result: n key values, then the value.
func readKeyed(res *provider.Result, n int) []keyed {
	var out []keyed
	for _, row := range res.Rows {
		if len(row) <= n || row[n] == nil {
			continue
		}
		out = append(out, keyed{key: row[:n], value: *row[n]})
	}
	return out
}

// candidates returns the keys whose rows (hashes) differ between the two
// results, the earliest in either result first, at most max.
func candidates(src, dst []keyed, max int) []keyed {
	type entry struct {
		k        keyed
		first    int
		src, dst []string
	}
	byID := map[string]*entry{}
	add := func(rows []keyed, source bool) {
		for i, k := range rows {
			e := byID[k.id()]
			if e == nil {
				e = &entry{k: k, first: i}
				byID[k.id()] = e
			}
			e.first = min(e.first, i)
			if source {
				e.src = append(e.src, k.value)
			} else {
				e.dst = append(e.dst, k.value)
			}
		}
	}
	add(src, true)
	add(dst, false)
	var out []*entry
	for _, e := range byID {
		sort.Strings(e.src)
		sort.Strings(e.dst)
		if strings.Join(e.src, ",") != strings.Join(e.dst, ",") {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].first != out[j].first {
			return out[i].first < out[j].first
		}
		return out[i].k.id() < out[j].k.id()
	})
	keys := make([]keyed, 0, min(len(out), max))
	for _, e := range out[:min(len(out), max)] {
		keys = append(keys, keyed{key: e.k.key})
	}
	return keys
}

// diffRows pairs the rows of each candidate key and returns those that
// differ.
func (r *runner) diffRows(cands, src, dst []keyed) []Sample {
	group := func(rows []keyed) map[string][]string {
		out := map[string][]string{}
		for _, k := range rows {
			out[k.id()] = append(out[k.id()], k.value)
		}
		return out
	}
	srcRows, dstRows := group(src), group(dst)
	var out []Sample
	for _, c := range cands {
		a, b := unmatched(srcRows[c.id()], dstRows[c.id()])
		key := make([]string, len(c.key))
		for i, v := range c.key {
			key[i] = show(v)
		}
		for i := 0; i < max(len(a), len(b)); i++ {
			s := Sample{Key: key}
			if i < len(a) {
				s.Source = ptr(displayRow(a[i]))
			}
			if i < len(b) {
				s.Target = ptr(displayRow(b[i]))
			}
			if i < len(a) && i < len(b) {
				s.Columns = r.differingColumns(a[i], b[i])
			}
			out = append(out, s)
		}
	}
	return out
}

// unmatched removes the texts the two lists share (as multisets).
func unmatched(a, b []string) ([]string, []string) {
	left := map[string]int{}
	for _, s := range b {
		left[s]++
	}
	var onlyA []string
	for _, s := range a {
		if left[s] > 0 {
			left[s]--
			continue
		}
		onlyA = append(onlyA, s)
	}
	var onlyB []string
	for _, s := range b {
		if left[s] > 0 {
			left[s]--
			onlyB = append(onlyB, s)
		}
	}
	return onlyA, onlyB
}

// fields splits a canonical row text into its values (nil for NULL).
func fields(row string) []*string {
	parts := strings.Split(row, string(rune(fieldSeparator)))
	out := make([]*string, len(parts))
	for i, p := range parts {
		if v, ok := strings.CutPrefix(p, valueMarker); ok {
			out[i] = &v
		}
	}
	return out
}

// displayRow renders a canonical row text for people.
func displayRow(row string) string {
	fs := fields(row)
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = show(f)
	}
	return strings.Join(parts, " | ")
}

// differingColumns names the target columns whose values differ.
func (r *runner) differingColumns(a, b string) []string {
	fa, fb := fields(a), fields(b)
	var out []string
	for i, c := range r.check.Columns {
		if i >= len(fa) || i >= len(fb) || !equalText(fa[i], fb[i]) {
			out = append(out, c.Target)
		}
	}
	return out
}

func ptr(s string) *string { return &s }
