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
	{"l_orderkey", "l_orderkey", FamilyOf("BIGINT")},
	{"l_extendedprice", "l_extendedprice", FamilyOf("DECIMAL(15,2)")},
	{"l_discount", "l_discount", FamilyOf("DOUBLE")},
	{"l_returnflag", "l_returnflag", FamilyOf("CHAR(1)")},
	{"l_comment", "l_comment", FamilyOf("VARCHAR(44)")},
	{"l_shipdate", "l_shipdate", FamilyOf("DATE")},
	{"l_receipt ts", "l_receipt_ts", FamilyOf("TIMESTAMP")},
	{"l_is_late", "l_is_late", FamilyOf("BOOLEAN")},
	{"l_blob", "l_blob", FamilyOf("BINARY")},
}

// goldenSQL renders every statement one side of a fingerprint-level check
// runs, in order.
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
	var exprs []string
	for i, c := range cols {
		for _, a := range columnMeasures(d, d.QuoteIdent(c), types[i]) {
			exprs = append(exprs, a.expr)
		}
	}
	stmts := []string{
		countSQL(d, table, where),
		probeSQL(d, table, cols),
		aggregateSQL(d, table, where, exprs),
		fingerprintSQL(d, table, where, cols, types),
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
