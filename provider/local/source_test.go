package local

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-dev/ferry/provider"
)

// seeded caches one scale-0.01 TPC-H file per test binary; tests copy it
// rather than seed again.
var seeded struct {
	once sync.Once
	path string
	err  error
}

// tpchSource returns a freshly opened copy of the scale-0.01 TPC-H source.
func tpchSource(t *testing.T) *Source {
	t.Helper()
	seeded.once.Do(func() {
		dir, err := os.MkdirTemp("", "ferry-local-tpch-")
		if err != nil {
			seeded.err = err
			return
		}
		seeded.path = filepath.Join(dir, "tpch.duckdb")
		s, err := OpenSource(seeded.path, 0.01)
		if err == nil {
			err = s.Close()
		}
		seeded.err = err
	})
	if seeded.err != nil {
		t.Fatal(seeded.err)
	}
	b, err := os.ReadFile(seeded.path)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "source.duckdb")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := OpenSource(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// scalar runs a one-value query.
func scalar(t *testing.T, q provider.Querier, sql string) string {
	t.Helper()
	res, err := q.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 || res.Rows[0][0] == nil {
		t.Fatalf("%s: want one non-NULL value, got %+v", sql, res.Rows)
	}
	return *res.Rows[0][0]
}

func TestSeedTPCH(t *testing.T) {
	s := tpchSource(t)
	tables, err := s.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lines := scalar(t, s, "SELECT count(*) FROM lineitem")
	want := map[string]string{
		"customer": "1500", "orders": "15000", "lineitem": lines, "part": "2000",
		"partsupp": "8000", "supplier": "100", "nation": "25", "region": "5",
	}
	if len(tables) != len(want) {
		t.Fatalf("got %d tables, want %d", len(tables), len(want))
	}
	byName := map[string]provider.TableInfo{}
	for _, tb := range tables {
		byName[tb.Name] = tb
		if tb.Schema != "main" {
			t.Errorf("%s: schema %q", tb.Name, tb.Schema)
		}
		if got := want[tb.Name]; got == "" || got != itoa(tb.Rows) {
			t.Errorf("%s: Rows = %d, want %s", tb.Name, tb.Rows, got)
		}
		if tb.Bytes <= 0 || tb.Version == "" {
			t.Errorf("%s: Bytes %d Version %q", tb.Name, tb.Bytes, tb.Version)
		}
	}
	if n := byName["lineitem"].Rows; n < 15000 || n > 15000*7 {
		t.Errorf("lineitem has %d rows, want 1..7 per order", n)
	}
	var got []string
	for _, c := range byName["lineitem"].Columns {
		if c.Nullable {
			t.Errorf("lineitem.%s is nullable", c.Name)
		}
		got = append(got, c.Name+" "+c.Type)
	}
	wantCols := "l_orderkey BIGINT,l_partkey BIGINT,l_suppkey INTEGER,l_linenumber INTEGER," +
		"l_quantity DECIMAL(15,2),l_extendedprice DECIMAL(15,2),l_discount DECIMAL(15,2),l_tax DECIMAL(15,2)," +
		"l_returnflag CHAR(1),l_linestatus CHAR(1),l_shipdate DATE,l_commitdate DATE,l_receiptdate DATE," +
		"l_shipinstruct CHAR(25),l_shipmode CHAR(10),l_comment VARCHAR(44)"
	if strings.Join(got, ",") != wantCols {
		t.Errorf("lineitem columns:\n got %s\nwant %s", strings.Join(got, ","), wantCols)
	}
	if c := byName["orders"].Columns[8]; c.Name != "o_comment" || c.Type != "VARCHAR(79)" {
		t.Errorf("orders column 9 = %+v", c)
	}
}

func TestSeedTPCHValues(t *testing.T) {
	s := tpchSource(t)
	for _, tc := range []struct{ sql, want string }{
		// Money is stored exactly, with two decimals.
		{"SELECT max(l_discount) FROM lineitem", "0.10"},
		{"SELECT max(l_tax) FROM lineitem", "0.08"},
		{"SELECT min(l_quantity) FROM lineitem", "1.00"},
		{"SELECT max(l_quantity) FROM lineitem", "50.00"},
		{"SELECT min(o_orderdate) FROM orders", "1992-01-01"},
		{"SELECT count(DISTINCT l_returnflag) FROM lineitem", "3"},
		// Keys folded into the scale's ranges keep the schema joinable.
		{"SELECT count(*) FROM lineitem WHERE l_partkey NOT IN (SELECT p_partkey FROM part)", "0"},
		{"SELECT count(*) FROM lineitem l ANTI JOIN partsupp ps ON ps.ps_partkey = l.l_partkey AND ps.ps_suppkey = l.l_suppkey", "0"},
		{"SELECT count(*) FROM orders WHERE o_custkey NOT IN (SELECT c_custkey FROM customer)", "0"},
		{"SELECT count(*) FROM lineitem l JOIN part p ON p.p_partkey = l.l_partkey WHERE l.l_extendedprice <> p.p_retailprice * l.l_quantity", "0"},
		{"SELECT count(*) FROM (SELECT ps_partkey, ps_suppkey FROM partsupp GROUP BY ALL HAVING count(*) > 1)", "0"},
		{"SELECT count(*) FROM orders o JOIN (SELECT l_orderkey FROM lineitem GROUP BY 1) l ON l.l_orderkey = o.o_orderkey", "15000"},
	} {
		if got := scalar(t, s, tc.sql); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.sql, got, tc.want)
		}
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestTablesCountsExactlyAfterDelete(t *testing.T) {
	ctx := context.Background()
	s := tpchSource(t)
	before, err := s.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.h.db.Exec("DELETE FROM region WHERE r_regionkey < 2"); err != nil {
		t.Fatal(err)
	}
	after, err := s.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range after {
		if after[i].Name != "region" {
			continue
		}
		if after[i].Rows != 3 {
			t.Errorf("region Rows = %d after deleting 2 of 5", after[i].Rows)
		}
		if after[i].Version == before[i].Version {
			t.Errorf("Version unchanged: %s", after[i].Version)
		}
	}
}

// TestTablesRestoresThreads: the counts run on one DuckDB thread, and the
// instance's own setting is back afterwards, also when source and target
// share the file and count at the same time.
func TestTablesRestoresThreads(t *testing.T) {
	ctx := context.Background()
	s := tpchSource(t)
	if _, err := s.h.db.Exec("SET threads = 3"); err != nil {
		t.Fatal(err)
	}
	tg, err := OpenTarget(s.h.path)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	errs := make(chan error, 2)
	go func() { _, err := s.Tables(ctx); errs <- err }()
	go func() { _, err := tg.Tables(ctx); errs <- err }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := scalar(t, s, "SELECT current_setting('threads')"); got != "3" {
		t.Errorf("threads after Tables = %s, want 3", got)
	}
}
