package verify

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// goldenColumns cover every family, with names needing quotes.
var goldenColumns = []ColumnPair{
	{Source: "l_orderkey", Target: "l_orderkey", Type: FamilyOf("BIGINT"), TargetType: "BIGINT"},
	{Source: "l_extendedprice", Target: "l_extendedprice", Type: FamilyOf("DECIMAL(15,2)"), TargetType: "DECIMAL(15,2)"},
	{Source: "l_discount", Target: "l_discount", Type: FamilyOf("DOUBLE"), TargetType: "DOUBLE"},
	{Source: "l_returnflag", Target: "l_returnflag", Type: FamilyOf("CHAR(1)"), TargetType: "CHAR(1)"},
	{Source: "l_comment", Target: "l_comment", Type: FamilyOf("VARCHAR(44)"), TargetType: "VARCHAR(44)"},
	{Source: "l_shipdate", Target: "l_shipdate", Type: FamilyOf("DATE"), TargetType: "DATE"},
	{Source: "l_receipt ts", Target: "l_receipt_ts", Type: FamilyOf("TIMESTAMP"), TargetType: "TIMESTAMP"},
	{Source: "l_is_late", Target: "l_is_late", Type: FamilyOf("BOOLEAN"), TargetType: "BOOLEAN"},
	{Source: "l_blob", Target: "l_blob", Type: FamilyOf("BINARY"), TargetType: "BINARY"},
}

// goldenSQL renders every statement one side of a fingerprint-level check
// runs, in order, with the MD5 fingerprint, then the native one when the
// dialect has it.
func goldenSQL(d Dialect, table, where string, source bool) string {
	var cols []string
	var types []ColumnType
	for _, c := range goldenColumns {
		if source {
			cols = append(cols, c.Source)
		} else {
			cols = append(cols, c.Target)
		}
		types = append(types, c.Type)
	}
	var aggs []aggregate
	for i, c := range cols {
		aggs = append(aggs, columnMeasures(d, d.QuoteIdent(c), types[i])...)
	}
	stmts := []string{
		countSQL(d, table, where),
		probeSQL(d, table, cols),
		aggregateSQL(d, table, where, aggs),
		fingerprintSQL(d, md5Hash, table, where, cols, types),
	}
	if _, ok := d.(nativeRowHasher); ok {
		stmts = append(stmts, fingerprintSQL(d, nativeHash, table, where, cols, types))
	}
	return "-- " + d.Name() + "\n" + strings.Join(stmts, ";\n\n") + ";\n"
}

func TestGoldenSQL(t *testing.T) {
	tests := []struct {
		dialect, table, where string
		source                bool
	}{
		{"redshift", "tpch.lineitem", "l_shipdate < '1998-01-01'", true},
		{"maxcompute", "lineitem", "", false},
		{"duckdb", "tpch.lineitem", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.dialect, func(t *testing.T) {
			d, err := DialectFor(tt.dialect)
			if err != nil {
				t.Fatal(err)
			}
			got := goldenSQL(d, tt.table, tt.where, tt.source)
			path := filepath.Join("testdata", tt.dialect+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s differs (-want +got):\n%s", path, diff)
			}
		})
	}
}
