package verify

import (
	"context"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ferry-dev/ferry/provider"
)

// Column positions in fixtureColumns.
const (
	colPrice = 2
	colName  = 4
	colTS    = 8
)

// TestAcceptance runs each migration defect against the cheapest level
// that catches it and asserts exactly which checks fail, and, where the
// fingerprint is what catches it, which rows and columns the samples name.
func TestAcceptance(t *testing.T) {
	row := func(i int) []*string { return fixtureRows[i].canon }
	s := func(v string) *string { return &v }
	tests := []struct {
		name   string
		level  Level
		mutate []string
		want   []string
		// buckets are the rows whose fingerprint buckets differ.
		buckets [][]*string
		samples []Sample
	}{{
		name:    "one row changed",
		level:   LevelFingerprint,
		mutate:  []string{"UPDATE dst SET name = 'delte' WHERE id = 8"},
		buckets: [][]*string{row(7), with(row(7), colName, "delte")},
		samples: []Sample{{Key: []string{"8"},
			Source:  s("8 | 8 | 5.55 | 2011-11-11 | delta | KL | true | -7.25000000000e0 | 2011-11-11 11:11:11.000000"),
			Target:  s("8 | 8 | 5.55 | 2011-11-11 | delte | KL | true | -7.25000000000e0 | 2011-11-11 11:11:11.000000"),
			Columns: []string{"name"}}},
	}, {
		name:   "one row missing",
		level:  LevelCount,
		mutate: []string{"DELETE FROM dst WHERE id = 7"},
		want:   []string{"count"},
	}, {
		name:    "one row missing, sampled",
		level:   LevelFingerprint,
		mutate:  []string{"DELETE FROM dst WHERE id = 7"},
		buckets: [][]*string{row(6)},
		want: []string{"count",
			"aggregates:id:count", "aggregates:id:sum", "aggregates:big:count", "aggregates:big:sum",
			"aggregates:price:count", "aggregates:price:sum", "aggregates:day:count",
			"aggregates:name:count", "aggregates:name:length_sum", "aggregates:name:max", "aggregates:code:count", "aggregates:code:length_sum",
			"aggregates:flag:count", "aggregates:ratio:count", "aggregates:ratio:max", "aggregates:ratio:sum",
			"aggregates:ts:count"},
		samples: []Sample{{Key: []string{"7"},
			Source: s("7 | 7 | 3.33 | 2010-10-10 | zulu | IJ | false | 1.00000000000e20 | 2010-10-10 10:10:10.500000")}},
	}, {
		name:   "one extra row",
		level:  LevelCount,
		mutate: []string{"INSERT INTO dst SELECT 9, big, price, day, name, code, flag, ratio, ts FROM dst WHERE id = 8"},
		want:   []string{"count"},
	}, {
		name:   "decimal off by 0.01",
		level:  LevelAggregates,
		mutate: []string{"UPDATE dst SET price = price + 0.01 WHERE id = 8"},
		want:   []string{"aggregates:price:sum"},
	}, {
		name:   "timestamp off by 1 µs, the column maximum",
		level:  LevelAggregates,
		mutate: []string{"UPDATE dst SET ts = ts + INTERVAL 1 MICROSECOND WHERE id = 1"},
		want:   []string{"aggregates:ts:max"},
	}, {
		name:    "timestamp off by 1 µs, inside the range",
		level:   LevelFingerprint,
		mutate:  []string{"UPDATE dst SET ts = ts + INTERVAL 1 MICROSECOND WHERE id = 8"},
		buckets: [][]*string{row(7), with(row(7), colTS, "2011-11-11 11:11:11.000001")},
		samples: []Sample{{Key: []string{"8"},
			Source:  s("8 | 8 | 5.55 | 2011-11-11 | delta | KL | true | -7.25000000000e0 | 2011-11-11 11:11:11.000000"),
			Target:  s("8 | 8 | 5.55 | 2011-11-11 | delta | KL | true | -7.25000000000e0 | 2011-11-11 11:11:11.000001"),
			Columns: []string{"ts"}}},
	}, {
		name:   "trailing space on a VARCHAR",
		level:  LevelAggregates,
		mutate: []string{"UPDATE dst SET name = name || ' ' WHERE id = 8"},
		want:   []string{"aggregates:name:length_sum"},
	}, {
		name:   "trailing space on a CHAR is padding, not data",
		level:  LevelFingerprint,
		mutate: []string{"UPDATE dst SET code = code || ' ' WHERE id = 8"},
		want:   nil,
	}}
	for _, h := range rowHashes {
		for _, tt := range tests {
			t.Run(h.name(newDuckDB())+"/"+tt.name, func(t *testing.T) {
				db := newFixture(t)
				exec(t, db, tt.mutate...)
				check := fixtureCheck(tt.level)
				check.Key = []string{"id"}
				r := runHash(t, h, duckQuerier{db}, check, nil)
				want := append(append([]string(nil), tt.want...), bucketChecks(t, h, tt.buckets...)...)
				sort.Strings(want)
				if diff := cmp.Diff(want, failing(r)); diff != "" {
					t.Errorf("failing checks (-want +got):\n%s", diff)
				}
				if r.Passed != (len(want) == 0) {
					t.Errorf("Passed = %v with %d failures", r.Passed, len(want))
				}
				if diff := cmp.Diff(tt.samples, r.Samples); diff != "" {
					t.Errorf("samples (-want +got):\n%s\nnote: %s", diff, r.SampleNote)
				}
			})
		}
	}
}

// fixtureTargetColumns are the fixture's columns as a MaxCompute catalog
// declares them.
func fixtureTargetColumns() []provider.Column {
	return []provider.Column{
		{Name: "id", Type: "INT"}, {Name: "big", Type: "BIGINT"}, {Name: "price", Type: "decimal(15, 2)"},
		{Name: "day", Type: "DATE"}, {Name: "name", Type: "STRING"}, {Name: "code", Type: "CHAR(4)"},
		{Name: "flag", Type: "BOOLEAN"}, {Name: "ratio", Type: "DOUBLE"}, {Name: "ts", Type: "TIMESTAMP"},
	}
}

// plannedFixture is the fixture check at the schema level with the
// planned target types.
func plannedFixture() TableCheck {
	check := fixtureCheck(LevelSchema)
	check.Columns = append([]ColumnPair(nil), check.Columns...)
	for i, typ := range []string{"INT", "BIGINT", "DECIMAL(15,2)", "DATE", "STRING", "CHAR(4)", "BOOLEAN", "DOUBLE", "TIMESTAMP"} {
		check.Columns[i].TargetType = typ
	}
	check.TargetColumns = fixtureTargetColumns()
	return check
}

func TestSchemaTypes(t *testing.T) {
	tests := []struct {
		name   string
		change func(*TableCheck)
		want   []string
		detail string
	}{{
		name:   "types as planned",
		change: func(*TableCheck) {},
	}, {
		name:   "decimal scale differs",
		change: func(c *TableCheck) { c.TargetColumns[colPrice].Type = "DECIMAL(15,3)" },
		want:   []string{"schema:price"},
		detail: "column price is DECIMAL(15,3) in the target, planned DECIMAL(15,2)",
	}, {
		name:   "timestamp became datetime",
		change: func(c *TableCheck) { c.TargetColumns[colTS].Type = "DATETIME" },
		want:   []string{"schema:ts"},
		detail: "column ts is DATETIME in the target, planned TIMESTAMP",
	}, {
		name:   "planned column missing from the catalog",
		change: func(c *TableCheck) { c.TargetColumns = c.TargetColumns[:colTS] },
		want:   []string{"schema:ts"},
		detail: "column ts is planned but the target has no such column",
	}, {
		name: "unplanned column in the target",
		change: func(c *TableCheck) {
			c.TargetColumns = append(c.TargetColumns, provider.Column{Name: "etl_ts", Type: "DATETIME"})
		},
		want:   []string{"schema:etl_ts"},
		detail: "the target has column etl_ts, which the plan does not map",
	}}
	q := duckQuerier{newFixture(t)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := plannedFixture()
			tt.change(&check)
			r, err := Run(context.Background(), q, q, check, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, failing(r)); diff != "" {
				t.Errorf("failing (-want +got):\n%s", diff)
			}
			var checked int
			for _, c := range r.Checks {
				if c.Name == "schema:price" && c.Passed && c.Target != "DECIMAL(15,2)" {
					t.Errorf("schema:price passed with target %q", c.Target)
				}
				if len(c.Name) > 7 && c.Name[:7] == "schema:" {
					checked++
				}
				if len(tt.want) > 0 && c.Name == tt.want[0] && c.Detail != tt.detail {
					t.Errorf("detail %q, want %q", c.Detail, tt.detail)
				}
			}
			if checked < len(fixtureColumns) {
				t.Errorf("%d column checks, want at least %d", checked, len(fixtureColumns))
			}
		})
	}
	// Without the catalog columns, only existence is checked.
	check := plannedFixture()
	check.TargetColumns = nil
	check.Columns[colPrice].TargetType = "DECIMAL(38,18)"
	r, err := Run(context.Background(), q, q, check, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := failing(r); len(got) != 0 || len(r.Checks) != 2 {
		t.Errorf("without TargetColumns: failing %v, %d checks", got, len(r.Checks))
	}
}
