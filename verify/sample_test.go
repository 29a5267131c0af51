package verify

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sampleKeys lists the samples' keys and differing columns, compactly.
func sampleKeys(ss []Sample) []string {
	var out []string
	for _, s := range ss {
		side := "both"
		switch {
		case s.Target == nil:
			side = "source only"
		case s.Source == nil:
			side = "target only"
		}
		out = append(out, strings.Join(s.Key, ",")+" "+side+" "+strings.Join(s.Columns, ","))
	}
	return out
}

func TestSamples(t *testing.T) {
	mutate := []string{
		"DELETE FROM dst WHERE id = 7",
		"UPDATE dst SET name = 'delte', price = 5.56 WHERE id = 8",
		"INSERT INTO dst SELECT 10, big, price, day, name, code, flag, ratio, ts FROM src WHERE id = 2",
		// Key 3 is on two rows; one of them is replaced by a copy of
		// the other.
		"DELETE FROM dst WHERE name = 'carla'",
		"INSERT INTO dst SELECT * FROM dst WHERE name = 'carol'",
	}
	tests := []struct {
		limit int
		want  []string
	}{
		{0, []string{"3 both name", "7 source only ", "8 both price,name", "10 target only "}},
		{2, []string{"3 both name", "7 source only "}},
	}
	for _, tt := range tests {
		db := newFixture(t)
		exec(t, db, mutate...)
		q := duckQuerier{db}
		check := fixtureCheck(LevelFingerprint)
		check.Key, check.SampleLimit = []string{"id"}, tt.limit
		r, err := Run(context.Background(), q, q, check, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, sampleKeys(r.Samples)); diff != "" {
			t.Errorf("limit %d: samples (-want +got):\n%s\nnote: %s", tt.limit, diff, r.SampleNote)
		}
		// Two sampling statements per side, bounded and ordered.
		var sampling int
		for _, s := range r.Statements {
			if strings.Contains(s.SQL, "s_value") {
				sampling++
				if !strings.Contains(s.SQL, "ORDER BY s_o0\nLIMIT 10000") {
					t.Errorf("unbounded sampling statement:\n%s", s.SQL)
				}
			}
		}
		if sampling != 4 {
			t.Errorf("%d sampling statements, want 4", sampling)
		}
	}
}

func TestSamplesNeedAKnownKey(t *testing.T) {
	q := duckQuerier{newFixture(t)}
	check := fixtureCheck(LevelFingerprint)
	check.Key = []string{"nope"}
	if _, err := Run(context.Background(), q, q, check, nil); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("err = %v, want one naming the key column", err)
	}
}

// TestSamplesWithoutKey checks that a mismatch without a key runs no
// sampling statement.
func TestSamplesWithoutKey(t *testing.T) {
	db := newFixture(t)
	exec(t, db, "UPDATE dst SET name = 'delte' WHERE id = 8")
	q := duckQuerier{db}
	r, err := Run(context.Background(), q, q, fixtureCheck(LevelFingerprint), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Passed || len(r.Samples) != 0 || len(r.Statements) != 8 {
		t.Errorf("passed=%v samples=%d statements=%d", r.Passed, len(r.Samples), len(r.Statements))
	}
}

// TestCandidatesWindow covers the bounded first step: when one side has
// an extra early row, the other side's window reaches one key further,
// which looks like a row missing on the short side. The second step looks
// that key up on both sides and drops it.
func TestCandidatesWindow(t *testing.T) {
	k := func(key, value string) keyed { return keyed{key: []*string{&key}, value: value} }
	// Windows of three rows: the target has an extra key 0.
	src := []keyed{k("1", "h1"), k("2", "h2"), k("3", "h3")}
	dst := []keyed{k("0", "h0"), k("1", "h1"), k("2", "h2x")}
	cands := candidates(src, dst, 10)
	var got []string
	for _, c := range cands {
		got = append(got, *c.key[0])
	}
	if diff := cmp.Diff([]string{"0", "2", "3"}, got); diff != "" {
		t.Fatalf("candidates (-want +got):\n%s", diff)
	}
	if c := candidates(src, dst, 1); len(c) != 1 || *c[0].key[0] != "0" {
		t.Errorf("bounded candidates = %v", c)
	}
	// Step 2: key 3 is on both sides after all.
	row := func(vals ...string) string {
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = valueMarker + v
		}
		return strings.Join(parts, string(rune(fieldSeparator)))
	}
	r := &runner{check: TableCheck{Columns: []ColumnPair{{Target: "id"}, {Target: "v"}}}}
	samples := r.diffRows(cands,
		[]keyed{k("2", row("2", "b")), k("3", row("3", "c"))},
		[]keyed{k("0", row("0", "z")), k("2", row("2", "B")), k("3", row("3", "c"))})
	if diff := cmp.Diff([]string{"0 target only ", "2 both v"}, sampleKeys(samples)); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
	if got := *samples[1].Target; got != "2 | B" {
		t.Errorf("target row %q", got)
	}
}

func TestCompareKeys(t *testing.T) {
	tests := []struct {
		a, b []string
		want int
	}{
		{[]string{"9"}, []string{"10"}, -1},
		{[]string{"-0.01"}, []string{"0.00"}, -1},
		{[]string{"2024-01-02"}, []string{"2023-12-31"}, 1},
		{[]string{"NULL"}, []string{"0"}, -1},
		{[]string{"a", "2"}, []string{"a", "10"}, -1},
		{[]string{"b"}, []string{"b"}, 0},
	}
	for _, tt := range tests {
		got := compareKeys(tt.a, tt.b)
		if (got < 0) != (tt.want < 0) || (got > 0) != (tt.want > 0) {
			t.Errorf("compareKeys(%v, %v) = %d, want sign of %d", tt.a, tt.b, got, tt.want)
		}
	}
}
