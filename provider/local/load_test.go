package local

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/provider"
)

// loadFixture unloads lineitem once and returns the stage with a target.
func loadFixture(t *testing.T) (*Source, stage, *Target) {
	t.Helper()
	src := tpchSource(t)
	st := newStage(t, "lineitem")
	unload(t, src, st, lineitemSelect, 0)
	return src, st, newTarget(t)
}

// seedRows creates spec in the target and puts two rows of lineitem in it
// directly, so a failed load can be seen to leave them.
func seedRows(t *testing.T, tg *Target, spec provider.TableSpec) {
	t.Helper()
	if err := tg.CreateTable(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.h.db.Exec(`INSERT INTO ` + quoteIdent(spec.Name) + ` VALUES
		(1, 2, 3, 1, 1, 1, 0, 0, 'N', 'O', DATE '1995-01-01', DATE '1995-01-01', DATE '1995-01-01', 'x', 'y', 'z'),
		(2, 2, 3, 1, 1, 1, 0, 0, 'N', 'O', DATE '1995-01-01', DATE '1995-01-01', DATE '1995-01-01', 'x', 'y', 'z')`); err != nil {
		t.Fatal(err)
	}
}

func TestLoadStrictTypes(t *testing.T) {
	ctx := context.Background()
	_, st, tg := loadFixture(t)
	for _, tc := range []struct {
		name     string
		override map[string]string
		want     string
	}{
		{"int32 into bigint", map[string]string{"l_suppkey": "BIGINT"},
			"ODPS-0123131: column l_suppkey: file type INT32 does not match table type BIGINT"},
		{"int64 into int", map[string]string{"l_orderkey": "INT"},
			"ODPS-0123131: column l_orderkey: file type INT64 does not match table type INT"},
		{"decimal scale", map[string]string{"l_quantity": "DECIMAL(15,3)"},
			"ODPS-0123131: column l_quantity: file type DECIMAL(15,2) does not match table type DECIMAL(15,3)"},
		{"decimal into int", map[string]string{"l_quantity": "INT"},
			"ODPS-0123131: column l_quantity: file type DECIMAL(15,2) does not match table type INT"},
		{"string into date", map[string]string{"l_shipdate": "STRING"},
			"ODPS-0123131: column l_shipdate: file type DATE does not match table type STRING"},
		{"varchar overflow", map[string]string{"l_comment": "VARCHAR(5)"},
			"ODPS-0123131: column l_comment: value longer than VARCHAR(5)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := strings.ReplaceAll(tc.name, " ", "_")
			seedRows(t, tg, lineitemSpec(name, tc.override))
			_, err := tg.Load(ctx, provider.LoadRequest{Table: name, LocationURL: st.dataURL})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load error = %v\nwant it to contain %q", err, tc.want)
			}
			if got := scalar(t, tg, "SELECT string_agg(l_orderkey::VARCHAR, ',' ORDER BY l_orderkey) FROM "+name); got != "1,2" {
				t.Errorf("rows after failed load: %s, want 1,2", got)
			}
		})
	}
}

func TestLoadRejectsNonParquetFile(t *testing.T) {
	ctx := context.Background()
	_, st, tg := loadFixture(t)
	seedRows(t, tg, lineitemSpec("lineitem", nil))
	b, err := os.ReadFile(st.bucket.Path(st.manifest))
	if err != nil {
		t.Fatal(err)
	}
	inside := st.bucket.Path(st.data + "manifest")
	if err := os.WriteFile(inside, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = tg.Load(ctx, provider.LoadRequest{Table: "lineitem", LocationURL: st.dataURL})
	if err == nil || !strings.Contains(err.Error(), inside) || !strings.Contains(err.Error(), "not a Parquet file") {
		t.Fatalf("Load error = %v, want it to name %s", err, inside)
	}
	if got := scalar(t, tg, "SELECT count(*) FROM lineitem"); got != "2" {
		t.Errorf("%s rows after failed load, want 2", got)
	}
}

func TestLoadColumnsByName(t *testing.T) {
	ctx := context.Background()
	src := tpchSource(t)
	tg := newTarget(t)
	st := newStage(t, "n")
	// Columns out of order, one extra, one missing.
	unload(t, src, st, "SELECT n_comment AS extra, n_name, n_nationkey FROM nation", 0)
	spec := provider.TableSpec{Name: "nation", Columns: []provider.Column{
		{Name: "n_nationkey", Type: "INT"}, {Name: "n_name", Type: "CHAR(25)"},
		{Name: "n_regionkey", Type: "INT", Nullable: true},
	}}
	if err := tg.CreateTable(ctx, spec); err != nil {
		t.Fatal(err)
	}
	res, err := tg.Load(ctx, provider.LoadRequest{Table: "nation", LocationURL: st.dataURL})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 25 {
		t.Errorf("Rows = %d", res.Rows)
	}
	if got := scalar(t, tg, "SELECT n_name || ':' || count(n_regionkey) FROM nation WHERE n_nationkey = 7 GROUP BY n_name"); got != "GERMANY:0" {
		t.Errorf("got %s", got)
	}
}

func TestLoadStagedCast(t *testing.T) {
	ctx := context.Background()
	src := tpchSource(t)
	tg := newTarget(t)
	st := newStage(t, "o")
	unload(t, src, st, "SELECT o_orderkey, CAST(o_totalprice AS VARCHAR) AS o_totalprice FROM orders", 0)
	spec := provider.TableSpec{Name: "orders", Columns: []provider.Column{
		{Name: "o_orderkey", Type: "BIGINT"}, {Name: "o_totalprice", Type: "DECIMAL(15,2)"},
	}}
	if err := tg.CreateTable(ctx, spec); err != nil {
		t.Fatal(err)
	}
	req := provider.LoadRequest{Table: "orders", LocationURL: st.dataURL}
	if _, err := tg.Load(ctx, req); err == nil || !strings.Contains(err.Error(), "file type STRING does not match table type DECIMAL(15,2)") {
		t.Fatalf("direct load: %v", err)
	}
	req.FileColumns = []provider.Column{{Name: "o_orderkey", Type: "BIGINT"}, {Name: "o_totalprice", Type: "STRING"}}
	if _, err := tg.Load(ctx, req); err != nil {
		t.Fatal(err)
	}
	q := "SELECT sum(o_totalprice) FROM orders"
	if a, b := scalar(t, src, q), scalar(t, tg, q); a != b {
		t.Errorf("%s: source %s, target %s", q, a, b)
	}
}

func TestLoadEmpty(t *testing.T) {
	ctx := context.Background()
	src := tpchSource(t)
	tg := newTarget(t)
	st := newStage(t, "e")
	m := unload(t, src, st, "SELECT * FROM region WHERE false", 0)
	if len(m.Entries) != 1 || m.Meta.RecordCount != 0 || m.Entries[0].Meta.ContentLength == 0 {
		t.Fatalf("empty unload manifest: %+v", m)
	}
	spec := provider.TableSpec{Name: "region", Columns: []provider.Column{
		{Name: "r_regionkey", Type: "INT"}, {Name: "r_name", Type: "CHAR(25)"}, {Name: "r_comment", Type: "VARCHAR(152)"},
	}}
	if err := tg.CreateTable(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.h.db.Exec("INSERT INTO region VALUES (9, 'old', 'row')"); err != nil {
		t.Fatal(err)
	}
	for _, loc := range []string{st.dataURL, "file://" + filepath.ToSlash(t.TempDir()) + "/nothing/"} {
		res, err := tg.Load(ctx, provider.LoadRequest{Table: "region", LocationURL: loc})
		if err != nil || res.Rows != 0 {
			t.Fatalf("Load %s = %+v, %v", loc, res, err)
		}
		if got := scalar(t, tg, "SELECT count(*) FROM region"); got != "0" {
			t.Errorf("%s rows after an empty overwrite", got)
		}
	}
}

func TestLoadPartitioned(t *testing.T) {
	ctx := context.Background()
	src := tpchSource(t)
	tg := newTarget(t)
	b, err := NewBucket(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"A", "N", "R"} {
		st := stage{dataURL: b.URL("l/l_returnflag=" + flag + "/"), mfsURL: b.URL("m/" + flag)}
		unload(t, src, st, "SELECT l_orderkey, l_linenumber FROM lineitem WHERE l_returnflag = '"+flag+"'", 0)
	}
	spec := provider.TableSpec{Name: "lp",
		Columns:          []provider.Column{{Name: "l_orderkey", Type: "BIGINT"}, {Name: "l_linenumber", Type: "INT"}},
		PartitionColumns: []provider.Column{{Name: "l_returnflag", Type: "STRING"}},
	}
	if err := tg.CreateTable(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.Load(ctx, provider.LoadRequest{Table: "lp", LocationURL: b.URL("l/")}); err != nil {
		t.Fatal(err)
	}
	q := "SELECT string_agg(l_returnflag || count, ',' ORDER BY l_returnflag) FROM (SELECT l_returnflag, count(*) AS count FROM %s GROUP BY 1)"
	if a, b := scalar(t, src, strings.Replace(q, "%s", "lineitem", 1)), scalar(t, tg, strings.Replace(q, "%s", "lp", 1)); a != b {
		t.Errorf("source %s, target %s", a, b)
	}
	tables, err := tg.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables[0].Columns) != 2 || len(tables[0].PartitionColumns) != 1 || tables[0].PartitionColumns[0].Type != "STRING" {
		t.Errorf("Tables = %+v", tables)
	}
}
