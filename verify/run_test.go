package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func fixtureCheck(level Level) TableCheck {
	return TableCheck{
		SourceTable: "src", TargetTable: "dst",
		Columns: fixtureColumns, Level: level,
		ManifestRows: int64(len(fixtureRows)), SourceRowsAtUnload: int64(len(fixtureRows)),
	}
}

// failing lists the names of the failed checks, sorted.
func failing(r *Report) []string {
	var out []string
	for _, c := range r.Checks {
		if !c.Passed && !c.Skipped {
			out = append(out, c.Name)
		}
	}
	sort.Strings(out)
	return out
}

// rowHashes are both fingerprints; the tests of what a fingerprint catches
// run each of them, DuckDB standing in for both sides.
var rowHashes = []rowHash{md5Hash, nativeHash}

// runHash is Run with the fingerprint's row hash h, also when both sides
// are DuckDB.
func runHash(t *testing.T, h rowHash, q duckQuerier, check TableCheck, queries []Query) *Report {
	t.Helper()
	r, err := run(context.Background(), q, q, check, queries, h == md5Hash)
	if err != nil {
		t.Fatal(err)
	}
	if want := h.name(newDuckDB()); check.Level >= LevelFingerprint && !r.SourceChanged && r.Fingerprint != want {
		t.Errorf("Report.Fingerprint = %q, want %q", r.Fingerprint, want)
	}
	return r
}

// bucketChecks names the fingerprint checks of the buckets holding the
// fixture rows under hash h.
func bucketChecks(t *testing.T, h rowHash, rows ...[]*string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		n := fmt.Sprintf("fingerprint:bucket %d", specBucket(t, h, r, fixtureTypes()))
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// with returns a copy of row with column i set to v (nil: NULL).
func with(row []*string, i int, v any) []*string {
	out := append([]*string(nil), row...)
	if s, ok := v.(string); ok {
		out[i] = &s
	} else {
		out[i] = nil
	}
	return out
}

func TestRunPassesAtEveryLevel(t *testing.T) {
	db := newFixture(t)
	q := duckQuerier{db}
	for _, level := range []Level{LevelCount, LevelSchema, LevelAggregates, LevelFingerprint} {
		t.Run(level.String(), func(t *testing.T) {
			r, err := Run(context.Background(), q, q, fixtureCheck(level), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Passed || r.SourceChanged {
				t.Fatalf("passed=%v changed=%v, failing %v", r.Passed, r.SourceChanged, failing(r))
			}
			// Statements: count, plus schema probe, aggregates, fingerprint,
			// one per side each.
			if got, want := len(r.Statements), 2*(int(level)+1); got != want {
				t.Errorf("%d statements, want %d", got, want)
			}
		})
	}
}

// TestRunAggregateValues pins a few aggregate results, proving the checks
// compare real values and not two empty results.
func TestRunAggregateValues(t *testing.T) {
	q := duckQuerier{newFixture(t)}
	r, err := Run(context.Background(), q, q, fixtureCheck(LevelAggregates), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range r.Checks {
		got[c.Name] = c.Source + "|" + c.Target
	}
	want := map[string]string{
		"count":                      "8|8",
		"aggregates:price:sum":       "221.37|221.37",
		"aggregates:price:min":       "-0.01|-0.01",
		"aggregates:big:sum":         "9000000094|9000000094",
		"aggregates:name:count":      "8|8",
		"aggregates:name:min":        "|",
		"aggregates:name:max":        "zulu|zulu",
		"aggregates:name:length_sum": "29|29",
		"aggregates:code:length_sum": "14|14",
		"aggregates:code:count":      "7|7",
		"aggregates:flag:true_count": "4|4",
		"aggregates:flag:count":      "6|6",
		"aggregates:ratio:max":       "1.00000000000e20|1.00000000000e20",
		"aggregates:ratio:sum":       "1.00000e20|1.00000e20",
		"aggregates:day:max":         "2024-06-01|2024-06-01",
		"aggregates:ts:min":          "1970-01-01 00:00:00.000001|1970-01-01 00:00:00.000001",
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s = %q, want %q", name, got[name], w)
		}
	}
}

// TestFingerprintMatchesSpec computes every bucket digest in Go from the
// documented canonical text (for the native hash, with DuckDB's hash() of
// literals) and compares it with what DuckDB computed from the table: the
// engine SQL and the written definition agree row for row.
func TestFingerprintMatchesSpec(t *testing.T) {
	q := duckQuerier{newFixture(t)}
	var rows [][]*string
	for _, fr := range fixtureRows {
		rows = append(rows, fr.canon)
	}
	for _, h := range rowHashes {
		t.Run(h.name(newDuckDB()), func(t *testing.T) {
			r := runHash(t, h, q, fixtureCheck(LevelFingerprint), nil)
			want := specDigests(t, h, rows, fixtureTypes())
			seen, nonEmpty := 0, 0
			for _, c := range r.Checks {
				var b int
				if _, err := fmt.Sscanf(c.Name, "fingerprint:bucket %d", &b); err != nil {
					continue
				}
				seen++
				w, ok := want[b]
				if !ok {
					w = h.emptyDigest()
				} else {
					nonEmpty++
				}
				if c.Source != w {
					t.Errorf("bucket %d: engine %q, spec %q", b, c.Source, w)
				}
			}
			if seen != fingerprintBuckets || nonEmpty < 3 {
				t.Errorf("%d bucket checks (%d with rows), want %d", seen, nonEmpty, fingerprintBuckets)
			}
		})
	}
}

func TestRunCatchesDifferences(t *testing.T) {
	row := func(i int) []*string { return fixtureRows[i].canon }
	const nameCol, priceCol = 4, 2
	tests := []struct {
		name   string
		level  Level
		mutate []string
		want   []string
		// buckets are the rows whose fingerprint buckets differ.
		buckets [][]*string
	}{{
		name:    "decimal off by one cent",
		level:   LevelFingerprint,
		mutate:  []string{"UPDATE dst SET price = price + 0.01 WHERE id = 8"},
		want:    []string{"aggregates:price:sum"},
		buckets: [][]*string{row(7), with(row(7), priceCol, "5.56")},
	}, {
		name:    "string changed, same length, not an extreme",
		level:   LevelFingerprint,
		mutate:  []string{"UPDATE dst SET name = 'delte' WHERE id = 8"},
		buckets: [][]*string{row(7), with(row(7), nameCol, "delte")},
	}, {
		name:    "empty string became NULL",
		level:   LevelFingerprint,
		mutate:  []string{"UPDATE dst SET name = NULL WHERE id = 6"},
		want:    []string{"aggregates:name:count"},
		buckets: [][]*string{row(5), with(row(5), nameCol, nil)},
	}, {
		name:   "deleted row",
		level:  LevelCount,
		mutate: []string{"DELETE FROM dst WHERE id = 7"},
		want:   []string{"count"},
	}, {
		name:  "duplicate row replaces another, aggregates blind",
		level: LevelAggregates,
		mutate: []string{"DELETE FROM dst WHERE name = 'carla'",
			"INSERT INTO dst SELECT * FROM dst WHERE name = 'carol'"},
		want: nil,
	}, {
		name:  "duplicate row replaces another, fingerprint sees it",
		level: LevelFingerprint,
		mutate: []string{"DELETE FROM dst WHERE name = 'carla'",
			"INSERT INTO dst SELECT * FROM dst WHERE name = 'carol'"},
		buckets: [][]*string{row(2), row(3)},
	}}
	for _, h := range rowHashes {
		for _, tt := range tests {
			t.Run(h.name(newDuckDB())+"/"+tt.name, func(t *testing.T) {
				db := newFixture(t)
				exec(t, db, tt.mutate...)
				r := runHash(t, h, duckQuerier{db}, fixtureCheck(tt.level), nil)
				want := append(append([]string(nil), tt.want...), bucketChecks(t, h, tt.buckets...)...)
				sort.Strings(want)
				if diff := cmp.Diff(want, failing(r)); diff != "" {
					t.Errorf("failing checks (-want +got):\n%s", diff)
				}
				if r.Passed != (len(want) == 0) {
					t.Errorf("Passed = %v with %d failures", r.Passed, len(want))
				}
			})
		}
	}
}

func TestRunSourceChanged(t *testing.T) {
	db := newFixture(t)
	exec(t, db, "INSERT INTO src SELECT * FROM src WHERE id = 8")
	q := duckQuerier{db}
	r, err := Run(context.Background(), q, q, fixtureCheck(LevelFingerprint),
		[]Query{{Name: "q1", SourceSQL: "SELECT 1", TargetSQL: "SELECT 1"}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Passed || !r.SourceChanged {
		t.Fatalf("passed=%v changed=%v failing %v", r.Passed, r.SourceChanged, failing(r))
	}
	var skipped []string
	for _, c := range r.Checks {
		if c.Skipped {
			skipped = append(skipped, c.Name)
		}
	}
	if diff := cmp.Diff([]string{"aggregates", "fingerprint", "query:q1"}, skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	want := "dst: passed, source changed since unload (count source 9, manifest 8 = target 8; content checks skipped)"
	if got := r.Summary(); got != want {
		t.Errorf("Summary:\n got %s\nwant %s", got, want)
	}
}

func TestJudgeCount(t *testing.T) {
	tests := []struct {
		name                         string
		src, dst, manifest, atUnload int64
		passed, changed              bool
	}{
		{"all equal", 100, 100, 100, 100, true, false},
		{"no manifest, no snapshot", 100, 100, -1, -1, true, false},
		{"target lost a row", 100, 99, 100, 100, false, false},
		{"target lost a row, no manifest", 100, 99, -1, -1, false, false},
		{"source grew after unload", 101, 100, 100, 100, true, true},
		{"source shrank after unload, no manifest", 99, 100, -1, 100, true, true},
		{"source drift and target loss", 101, 99, 100, 100, false, false},
		{"unload lost rows", 100, 99, 99, 100, false, false},
		{"source differs, snapshot unknown", 101, 100, 100, -1, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, changed := judgeCount(tt.src, tt.dst, tt.manifest, tt.atUnload)
			if c.Passed != tt.passed || changed != tt.changed {
				t.Errorf("passed=%v changed=%v, want %v %v (%s)", c.Passed, changed, tt.passed, tt.changed, c.Detail)
			}
		})
	}
}

func TestRunSchemaMissingColumn(t *testing.T) {
	db := newFixture(t)
	exec(t, db, "ALTER TABLE dst RENAME COLUMN code TO kode")
	q := duckQuerier{db}
	r, err := Run(context.Background(), q, q, fixtureCheck(LevelSchema), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"schema"}, failing(r)); diff != "" {
		t.Errorf("failing (-want +got):\n%s", diff)
	}
}

func TestRunQueries(t *testing.T) {
	const q1 = `SELECT flag, CAST(SUM(price) AS VARCHAR) AS total, CAST(AVG(ratio) AS VARCHAR) AS avg_ratio, COUNT(*) AS n
FROM %s GROUP BY flag ORDER BY flag NULLS LAST`
	db := newFixture(t)
	exec(t, db, "UPDATE dst SET price = price + 0.01 WHERE id = 8", "UPDATE dst SET ratio = ratio + 1e-9 WHERE id = 1")
	q := duckQuerier{db}
	queries := []Query{
		{Name: "exact", SourceSQL: fmt.Sprintf(q1, "src"), TargetSQL: fmt.Sprintf(q1, "dst")},
		{Name: "loose", SourceSQL: fmt.Sprintf(q1, "src"), TargetSQL: fmt.Sprintf(q1, "dst"), Tolerance: 0.02},
		{Name: "shape", SourceSQL: "SELECT 1 UNION ALL SELECT 2", TargetSQL: "SELECT 1"},
		{Name: "per-column", SourceSQL: fmt.Sprintf(q1, "src"), TargetSQL: fmt.Sprintf(q1, "dst"),
			Tolerances: map[string]float64{"TOTAL": 0.02}},
		{Name: "per-column-all", SourceSQL: fmt.Sprintf(q1, "src"), TargetSQL: fmt.Sprintf(q1, "dst"),
			Tolerance: 1, Tolerances: map[string]float64{"total": 0.02, "avg_ratio": 1e-6, "n": 0}},
	}
	r, err := Run(context.Background(), q, q, fixtureCheck(LevelCount), queries)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"query:exact", "query:per-column", "query:shape"}, failing(r)); diff != "" {
		t.Errorf("failing (-want +got):\n%s", diff)
	}
	var detail string
	for _, c := range r.Checks {
		switch c.Name {
		case "query:exact":
			detail = c.Detail
		case "query:per-column":
			// total is within its own tolerance; avg_ratio is exact.
			if strings.Contains(c.Detail, "total") || !strings.Contains(c.Detail, "avg_ratio") {
				t.Errorf("per-column detail %q", c.Detail)
			}
		}
	}
	for _, want := range []string{"row 2 total: 218.05 ≠ 218.06", "avg_ratio"} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail %q lacks %q", detail, want)
		}
	}
}

func TestEqualAbsolute(t *testing.T) {
	s := func(v string) *string { return &v }
	tests := []struct {
		a, b *string
		tol  float64
		want bool
	}{
		{s("12.5"), s("12.50"), 0, true},
		{s("123456789012345678901234567890.01"), s("123456789012345678901234567890.02"), 0, false},
		{s("123456789012345678901234567890.01"), s("123456789012345678901234567890.02"), 0.01, true},
		{s("1e3"), s("1000"), 0, true},
		{s("0.30000000000000004"), s("0.3"), 1e-9, true},
		{s("0.30000000000000004"), s("0.3"), 0, false},
		{nil, nil, 0, true},
		{nil, s(""), 0, false},
		{s(""), s(""), 0, true},
		{s("abc"), s("abd"), 1, false},
		{s("0x10"), s("16"), 0, false},
		{s("1/2"), s("0.5"), 0, false},
	}
	for _, tt := range tests {
		if got := equalAbsolute(tt.a, tt.b, tt.tol); got != tt.want {
			t.Errorf("equalAbsolute(%s, %s, %g) = %v", show(tt.a), show(tt.b), tt.tol, got)
		}
	}
	if !equalRelative(s("1.00000000000e20"), s("1.00000000001e20"), FloatTolerance) {
		t.Error("relative: 1e-11 apart should be equal")
	}
	if equalRelative(s("1.00000000000e0"), s("1.00000001000e0"), FloatTolerance) {
		t.Error("relative: 1e-8 apart should differ")
	}
}

func TestSummary(t *testing.T) {
	q := duckQuerier{newFixture(t)}
	r, err := Run(context.Background(), q, q, fixtureCheck(LevelFingerprint),
		[]Query{{Name: "one", SourceSQL: "SELECT 1", TargetSQL: "SELECT 1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "dst: passed (count 8 = 8 = 8; 32 aggregates over 9 columns; 16 fingerprint buckets (duckdb hash); 1 query)"
	if got := r.Summary(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	db := newFixture(t)
	exec(t, db, "UPDATE dst SET price = price + 0.01 WHERE id = 8", "DELETE FROM dst WHERE id = 7")
	q = duckQuerier{db}
	r, err = Run(context.Background(), q, q, fixtureCheck(LevelAggregates), nil)
	if err != nil {
		t.Fatal(err)
	}
	want = "dst: FAILED: count source 8 manifest 8 target 7; id count 8 ≠ 7; id sum 35 ≠ 28; big count 7 ≠ 6; big sum 9000000094 ≠ 9000000087; and 13 more"
	if got := r.Summary(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
