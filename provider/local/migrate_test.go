package local

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-dev/ferry/provider"
)

// lineitemSelect aliases every lineitem column to itself, in table order,
// as the planner's UNLOAD SELECT does.
const lineitemSelect = `SELECT l_orderkey, l_partkey, l_suppkey, l_linenumber, l_quantity, l_extendedprice,
 l_discount, l_tax, l_returnflag, l_linestatus, l_shipdate, l_commitdate, l_receiptdate,
 l_shipinstruct, l_shipmode, l_comment FROM main.lineitem`

// lineitemSpec is lineitem with its MaxCompute types; override replaces
// the type of some columns.
func lineitemSpec(name string, override map[string]string) provider.TableSpec {
	spec := provider.TableSpec{Name: name}
	for _, c := range tpchTables[len(tpchTables)-1].columns {
		typ := strings.Replace(c.redshift, "INTEGER", "INT", 1)
		if o, ok := override[c.name]; ok {
			typ = o
		}
		spec.Columns = append(spec.Columns, provider.Column{Name: c.name, Type: typ})
	}
	return spec
}

// stage is one unload location in a local bucket.
type stage struct {
	bucket          *Bucket
	data, manifest  string // keys
	dataURL, mfsURL string
}

func newStage(t *testing.T, name string) stage {
	t.Helper()
	b, err := NewBucket(t.TempDir(), "ferry")
	if err != nil {
		t.Fatal(err)
	}
	s := stage{bucket: b, data: name + "/data/", manifest: name + "/manifest"}
	s.dataURL, s.mfsURL = b.URL(s.data), b.URL(s.manifest)
	return s
}

func unload(t *testing.T, src *Source, st stage, sel string, maxSize int64) *provider.Manifest {
	t.Helper()
	m, err := src.Unload(context.Background(), provider.UnloadRequest{
		Table: "main.lineitem", Select: sel, DataURL: st.dataURL, ManifestURL: st.mfsURL, MaxFileSize: maxSize,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newTarget(t *testing.T) *Target {
	t.Helper()
	tg, err := OpenTarget(filepath.Join(t.TempDir(), "target.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	return tg
}

func TestUnloadAndLoadLineitem(t *testing.T) {
	ctx := context.Background()
	src := tpchSource(t)
	st := newStage(t, "lineitem")
	m := unload(t, src, st, lineitemSelect, 0)

	count := scalar(t, src, "SELECT count(*) FROM lineitem")
	if fmt.Sprint(m.Meta.RecordCount) != count || len(m.Entries) != 1 {
		t.Fatalf("manifest: %d records in %d files, want %s", m.Meta.RecordCount, len(m.Entries), count)
	}
	objs, err := st.bucket.List(ctx, st.data)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Key != "lineitem/data/0000_part_00.parquet" || objs[0].Size != m.Entries[0].Meta.ContentLength {
		t.Fatalf("objects %+v, manifest %+v", objs, m.Entries)
	}
	if m.Entries[0].URL != st.bucket.URL(objs[0].Key) {
		t.Errorf("entry URL %s, want %s", m.Entries[0].URL, st.bucket.URL(objs[0].Key))
	}
	var onDisk provider.Manifest
	b, err := os.ReadFile(st.bucket.Path(st.manifest))
	if err != nil || json.Unmarshal(b, &onDisk) != nil || onDisk.Meta != m.Meta {
		t.Fatalf("manifest file %s: %v", b, err)
	}

	tg := newTarget(t)
	// The Parquet file keeps the source types.
	schemas, err := tg.parquetSchemas(ctx, []string{st.bucket.Path(objs[0].Key)})
	if err != nil {
		t.Fatal(err)
	}
	for col, want := range map[string]string{
		"l_orderkey": "INT64", "l_suppkey": "INT32", "l_quantity": "DECIMAL(15,2)",
		"l_shipdate": "DATE", "l_comment": "STRING", "l_returnflag": "STRING",
	} {
		if got := schemas[st.bucket.Path(objs[0].Key)][col].String(); got != want {
			t.Errorf("parquet type of %s = %s, want %s", col, got, want)
		}
	}

	if err := tg.CreateTable(ctx, lineitemSpec("lineitem", nil)); err != nil {
		t.Fatal(err)
	}
	if err := tg.CreateTable(ctx, lineitemSpec("lineitem", nil)); err == nil {
		t.Error("second CreateTable: want error")
	}
	res, err := tg.Load(ctx, provider.LoadRequest{Table: "lineitem", LocationURL: st.dataURL})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Rows) != count || len(res.Statements) != 2 {
		t.Errorf("Load = %+v, want %s rows", res, count)
	}
	for _, q := range []string{
		"SELECT count(*) FROM lineitem",
		"SELECT sum(l_extendedprice) FROM lineitem",
		"SELECT sum(l_quantity * l_discount) FROM lineitem",
		"SELECT max(l_comment) || min(l_shipdate) FROM lineitem",
	} {
		if a, b := scalar(t, src, q), scalar(t, tg, q); a != b {
			t.Errorf("%s: source %s, target %s", q, a, b)
		}
	}

	tables, err := tg.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 || !tables[0].CreatedByFerry || fmt.Sprint(tables[0].Rows) != count {
		t.Fatalf("Tables = %+v", tables)
	}
	if c := tables[0].Columns[2]; c.Name != "l_suppkey" || c.Type != "INT" || c.Nullable {
		t.Errorf("column 3 = %+v", c)
	}
	if c := tables[0].Columns[15]; c.Type != "VARCHAR(44)" {
		t.Errorf("column 16 = %+v", c)
	}

	// Loading again replaces rather than appends.
	if _, err := tg.Load(ctx, provider.LoadRequest{Table: "lineitem", LocationURL: st.dataURL}); err != nil {
		t.Fatal(err)
	}
	if got := scalar(t, tg, "SELECT count(*) FROM lineitem"); got != count {
		t.Errorf("after second load: %s rows, want %s", got, count)
	}
	if err := tg.DropTable(ctx, "lineitem"); err != nil {
		t.Fatal(err)
	}
	if err := tg.DropTable(ctx, "lineitem"); err != nil {
		t.Errorf("dropping a missing table: %v", err)
	}
}

func TestUnloadSplitsFiles(t *testing.T) {
	src := tpchSource(t)
	st := newStage(t, "split")
	m := unload(t, src, st, lineitemSelect, 256<<10)
	if len(m.Entries) < 2 {
		t.Fatalf("%d files, want several", len(m.Entries))
	}
	var sum int64
	for i, e := range m.Entries {
		if !strings.HasSuffix(e.URL, fmt.Sprintf("/0000_part_%02d.parquet", i)) {
			t.Errorf("entry %d: %s", i, e.URL)
		}
		if info, err := os.Stat(strings.TrimPrefix(e.URL, "file://")); err != nil || info.Size() != e.Meta.ContentLength {
			t.Errorf("entry %d: %v", i, err)
		}
		if e.Meta.ContentLength > 256<<10 {
			t.Errorf("entry %d has %d bytes, above the 256 KiB bound", i, e.Meta.ContentLength)
		}
		sum += e.Meta.RecordCount
	}
	t.Logf("%d files, first %d bytes", len(m.Entries), m.Entries[0].Meta.ContentLength)
	if fmt.Sprint(sum) != scalar(t, src, "SELECT count(*) FROM lineitem") || sum != m.Meta.RecordCount {
		t.Errorf("records %d (meta %d)", sum, m.Meta.RecordCount)
	}
	// Like UNLOAD without ALLOWOVERWRITE, a second unload to the same folder fails.
	_, err := src.Unload(context.Background(), provider.UnloadRequest{
		Table: "main.lineitem", Select: lineitemSelect, DataURL: st.dataURL, ManifestURL: st.mfsURL + "2",
	})
	if err == nil || !strings.Contains(err.Error(), "already holds") {
		t.Errorf("unload into a non-empty folder: %v", err)
	}
}

func TestUnloadRejects(t *testing.T) {
	src := tpchSource(t)
	st := newStage(t, "x")
	for name, req := range map[string]provider.UnloadRequest{
		"s3 data":         {Select: "SELECT 1 AS a", DataURL: "s3://b/x/", ManifestURL: st.mfsURL},
		"manifest inside": {Select: "SELECT 1 AS a", DataURL: st.dataURL, ManifestURL: st.dataURL + "manifest"},
	} {
		if _, err := src.Unload(context.Background(), req); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
}

func TestConcurrentUnloads(t *testing.T) {
	src := tpchSource(t)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := newStage(t, fmt.Sprint("t", i))
			m, err := src.Unload(context.Background(), provider.UnloadRequest{
				Table: "main.orders", Select: "SELECT * FROM orders", DataURL: st.dataURL, ManifestURL: st.mfsURL,
			})
			if err == nil && m.Meta.RecordCount != 15000 {
				err = fmt.Errorf("%d records", m.Meta.RecordCount)
			}
			if err == nil {
				_, err = src.Query(context.Background(), "SELECT count(*) FROM lineitem")
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("unload %d: %v", i, err)
		}
	}
}
