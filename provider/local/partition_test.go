package local

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/provider"
)

// partitionedStage unloads sel partitioned by keys into a fresh stage.
func partitionedStage(t *testing.T, src *Source, name, sel string, keys []string, maxSize int64) (stage, *provider.Manifest) {
	t.Helper()
	st := newStage(t, name)
	m, err := src.Unload(context.Background(), provider.UnloadRequest{
		Table: "main." + name, Select: sel, DataURL: st.dataURL, ManifestURL: st.mfsURL,
		MaxFileSize: maxSize, PartitionBy: keys,
	})
	if err != nil {
		t.Fatal(err)
	}
	return st, m
}

// folders lists the partition folders (one level) under the stage's data
// folder, sorted.
func folders(t *testing.T, st stage) []string {
	t.Helper()
	entries, err := os.ReadDir(st.bucket.Path(st.data))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			t.Errorf("file %s directly under the data folder", e.Name())
			continue
		}
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// partitionsOf builds the load's partitions from the folders, decoding
// each value as the executor does.
func partitionsOf(t *testing.T, st stage, key string, names []string) []provider.Partition {
	t.Helper()
	var out []provider.Partition
	for _, f := range names {
		v, ok := strings.CutPrefix(f, key+"=")
		if !ok {
			t.Fatalf("folder %s is not %s=<value>", f, key)
		}
		dec, err := decodeHiveValue(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, provider.Partition{Values: []string{dec}, LocationURL: st.bucket.URL(st.data + f + "/")})
	}
	return out
}

// lineitemByShipmode is lineitem's table with l_shipmode as its partition
// key, moved to the end as PARTITIONED BY puts it.
func lineitemByShipmode(name string) provider.TableSpec {
	spec := lineitemSpec(name, nil)
	var cols []provider.Column
	for _, c := range spec.Columns {
		if c.Name == "l_shipmode" {
			spec.PartitionColumns = []provider.Column{c}
			continue
		}
		cols = append(cols, c)
	}
	spec.Columns = cols
	return spec
}

const perShipmode = "SELECT string_agg(l_shipmode || ':' || n, ',' ORDER BY l_shipmode) FROM (SELECT l_shipmode, count(*) AS n FROM %s GROUP BY 1)"

func TestUnloadAndLoadPartitioned(t *testing.T) {
	ctx := context.Background()
	src := tpchSource(t)
	st, m := partitionedStage(t, src, "lineitem", lineitemSelect, []string{"l_shipmode"}, 0)

	modes := strings.Split(scalar(t, src, "SELECT string_agg(DISTINCT l_shipmode, ',' ORDER BY l_shipmode) FROM lineitem"), ",")
	var want []string
	for _, mode := range modes {
		want = append(want, "l_shipmode="+encodeHiveValue(mode))
	}
	sort.Strings(want)
	got := folders(t, st)
	if len(got) != 7 || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("folders %v, want the 7 ship modes %v", got, want)
	}
	if !strings.Contains(strings.Join(got, " "), "l_shipmode=REG%20AIR") {
		t.Errorf("REG AIR not percent-encoded: %v", got)
	}

	// The manifest lists one file per folder, with per-folder counts.
	count := scalar(t, src, "SELECT count(*) FROM lineitem")
	if itoa(m.Meta.RecordCount) != count || len(m.Entries) != 7 {
		t.Fatalf("manifest: %d entries, %d records; want 7 and %s", len(m.Entries), m.Meta.RecordCount, count)
	}
	var sum int64
	for _, e := range m.Entries {
		if !strings.HasSuffix(e.URL, "/0000_part_00.parquet") {
			t.Errorf("entry %s is not named as Redshift names files", e.URL)
		}
		path, err := filePath(e.URL)
		if err != nil {
			t.Fatal(err)
		}
		mode, _ := decodeHiveValue(strings.TrimPrefix(filepath.Base(filepath.Dir(path)), "l_shipmode="))
		if n := scalar(t, src, "SELECT count(*) FROM lineitem WHERE l_shipmode = "+quoteString(mode)); n != itoa(e.Meta.RecordCount) {
			t.Errorf("%s: record_count %d, source has %s", e.URL, e.Meta.RecordCount, n)
		}
		cols := scalar(t, src, "SELECT string_agg(column_name, ',') FROM (DESCRIBE SELECT * FROM read_parquet("+quoteString(path)+", hive_partitioning = false))")
		if strings.Contains(cols, "l_shipmode") || !strings.Contains(cols, "l_comment") {
			t.Errorf("%s holds columns %s: want every column but l_shipmode", e.URL, cols)
		}
		sum += e.Meta.RecordCount
	}
	if itoa(sum) != count {
		t.Errorf("entries sum to %d records, want %s", sum, count)
	}

	tg := newTarget(t)
	if err := tg.CreateTable(ctx, lineitemByShipmode("lineitem")); err != nil {
		t.Fatal(err)
	}
	parts := partitionsOf(t, st, "l_shipmode", got)
	res, err := tg.Load(ctx, provider.LoadRequest{Table: "lineitem", LocationURL: st.dataURL, Partitions: parts})
	if err != nil {
		t.Fatal(err)
	}
	if itoa(res.Rows) != count {
		t.Errorf("Rows = %d, want %s", res.Rows, count)
	}
	for _, q := range []string{"SELECT count(*) FROM lineitem", "SELECT sum(l_extendedprice) FROM lineitem",
		strings.Replace(perShipmode, "%s", "lineitem", 1)} {
		if a, b := scalar(t, src, q), scalar(t, tg, q); a != b {
			t.Errorf("%s: source %s, target %s", q, a, b)
		}
	}
	tables, err := tg.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pc := tables[0].PartitionColumns; len(pc) != 1 || pc[0].Name != "l_shipmode" || pc[0].Type != "CHAR(10)" || len(tables[0].Columns) != 15 {
		t.Errorf("Tables = %+v", tables[0])
	}

	// Loading again without one partition drops it, and only it.
	dropped := parts[0].Values[0]
	res, err = tg.Load(ctx, provider.LoadRequest{Table: "lineitem", LocationURL: st.dataURL, Partitions: parts[1:]})
	if err != nil {
		t.Fatal(err)
	}
	rest := scalar(t, src, "SELECT count(*) FROM lineitem WHERE l_shipmode <> "+quoteString(dropped))
	if got := scalar(t, tg, "SELECT count(*) FROM lineitem"); got != rest || itoa(res.Rows) != rest {
		t.Errorf("after dropping %s: %s rows (Rows %d), want %s", dropped, got, res.Rows, rest)
	}
	if got := scalar(t, tg, "SELECT count(*) FROM lineitem WHERE l_shipmode = "+quoteString(dropped)); got != "0" {
		t.Errorf("partition %s still holds %s rows", dropped, got)
	}
	q := strings.Replace(perShipmode, "%s", "lineitem WHERE l_shipmode <> "+quoteString(dropped), 1)
	if a, b := scalar(t, src, q), scalar(t, tg, q); a != b {
		t.Errorf("per partition after the drop: source %s, target %s", a, b)
	}
}

func TestUnloadPartitionedValues(t *testing.T) {
	src := tpchSource(t)
	sel := `SELECT n_nationkey, CASE WHEN n_nationkey = 0 THEN NULL WHEN n_nationkey = 1 THEN 'a/b=c%d é'
		ELSE 'NULL' END AS k, n_regionkey FROM nation`
	st, m := partitionedStage(t, src, "nation", sel, []string{"k", "n_regionkey"}, 0)
	got := folders(t, st)
	want := []string{"k=NULL", "k=__HIVE_DEFAULT_PARTITION__", "k=a%2Fb%3Dc%25d%20%C3%A9"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("folders %v, want %v", got, want)
	}
	if m.Meta.RecordCount != 25 {
		t.Errorf("manifest counts %d records, want 25", m.Meta.RecordCount)
	}
	nested, err := os.ReadDir(st.bucket.Path(st.data + "k=__HIVE_DEFAULT_PARTITION__"))
	if err != nil || len(nested) != 1 || nested[0].Name() != "n_regionkey=0" {
		t.Fatalf("nested folders under the NULL key: %v, %v", nested, err)
	}
	if _, err := os.Stat(st.bucket.Path(st.data + "k=__HIVE_DEFAULT_PARTITION__/n_regionkey=0/0000_part_00.parquet")); err != nil {
		t.Error(err)
	}
	if v, _ := decodeHiveValue(strings.TrimPrefix(want[2], "k=")); v != "a/b=c%d é" {
		t.Errorf("decoded %q", v)
	}
}

func TestUnloadPartitionedSplitsFiles(t *testing.T) {
	src := tpchSource(t)
	_, m := partitionedStage(t, src, "lineitem", lineitemSelect, []string{"l_shipmode"}, 128<<10)
	perFolder := map[string][]string{}
	for _, e := range m.Entries {
		perFolder[filepath.Dir(e.URL)] = append(perFolder[filepath.Dir(e.URL)], filepath.Base(e.URL))
	}
	if len(perFolder) != 7 {
		t.Fatalf("%d folders", len(perFolder))
	}
	for dir, names := range perFolder {
		if len(names) < 2 {
			t.Errorf("%s: %v, want the folder split in several files", dir, names)
		}
		for i, n := range names {
			if n != partName(i) {
				t.Errorf("%s: file %d is %s", dir, i, n)
			}
		}
	}
	if count := scalar(t, src, "SELECT count(*) FROM lineitem"); itoa(m.Meta.RecordCount) != count {
		t.Errorf("manifest counts %d records, want %s", m.Meta.RecordCount, count)
	}
}

func TestUnloadPartitionedRejects(t *testing.T) {
	src := tpchSource(t)
	for _, tc := range []struct {
		sel  string
		keys []string
		want string
	}{
		{"SELECT n_name FROM nation", []string{"n_regionkey"}, `partition column "n_regionkey" is not a column of the SELECT`},
		{"SELECT n_name FROM nation", []string{"n_name"}, "at least one column must remain"},
		{"SELECT n_name, n_name::BLOB AS b FROM nation", []string{"b"}, `partition column "b" has type BLOB`},
	} {
		st := newStage(t, "n")
		_, err := src.Unload(context.Background(), provider.UnloadRequest{Table: "main.nation", Select: tc.sel,
			DataURL: st.dataURL, ManifestURL: st.mfsURL, PartitionBy: tc.keys})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s by %v: err = %v, want %q", tc.sel, tc.keys, err, tc.want)
		}
	}
}

func TestLoadPartitionsStrict(t *testing.T) {
	ctx := context.Background()
	src := tpchSource(t)
	tg := newTarget(t)
	spec := provider.TableSpec{Name: "n",
		Columns:          []provider.Column{{Name: "n_nationkey", Type: "INT"}, {Name: "n_name", Type: "CHAR(25)"}},
		PartitionColumns: []provider.Column{{Name: "n_regionkey", Type: "INT"}},
	}
	if err := tg.CreateTable(ctx, spec); err != nil {
		t.Fatal(err)
	}
	st, _ := partitionedStage(t, src, "n", "SELECT n_nationkey, n_name, n_regionkey FROM nation", []string{"n_regionkey"}, 0)
	parts := partitionsOf(t, st, "n_regionkey", folders(t, st))
	if _, err := tg.Load(ctx, provider.LoadRequest{Table: "n", Partitions: parts}); err != nil {
		t.Fatal(err)
	}
	if got := scalar(t, tg, "SELECT count(*) || ':' || sum(n_regionkey) FROM n"); got != "25:50" {
		t.Fatalf("after load: %s, want 25:50", got)
	}
	whole := newStage(t, "whole")
	unload(t, src, whole, "SELECT n_nationkey, n_name, n_regionkey FROM nation", 0)
	for _, tc := range []struct {
		name  string
		parts []provider.Partition
		want  string
	}{
		{"key in the files", []provider.Partition{{Values: []string{"1"}, LocationURL: whole.dataURL}},
			"ODPS-0123131: file " + whole.bucket.Path(whole.data+"0000_part_00.parquet") + " contains partition column n_regionkey"},
		{"not an integer", []provider.Partition{{Values: []string{"x"}, LocationURL: parts[0].LocationURL}},
			`partition column n_regionkey: value "x" is not a INT`},
		{"NULL key into an integer", []provider.Partition{{Values: []string{hiveNull}, LocationURL: parts[0].LocationURL}},
			`value "__HIVE_DEFAULT_PARTITION__" is not a INT`},
		{"listed twice", []provider.Partition{parts[0], parts[0]}, "is listed twice"},
		{"too many values", []provider.Partition{{Values: []string{"1", "2"}, LocationURL: parts[0].LocationURL}},
			"2 values for 1 partition columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tg.Load(ctx, provider.LoadRequest{Table: "n", Partitions: tc.parts})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load error = %v\nwant it to contain %q", err, tc.want)
			}
			if got := scalar(t, tg, "SELECT count(*) || ':' || sum(n_regionkey) FROM n"); got != "25:50" {
				t.Errorf("after a failed load: %s, want 25:50", got)
			}
		})
	}
	// A failure in the last partition undoes the first ones too.
	bad := append(append([]provider.Partition{}, parts[1:]...), provider.Partition{Values: []string{"9"}, LocationURL: whole.dataURL})
	if _, err := tg.Load(ctx, provider.LoadRequest{Table: "n", Partitions: bad}); err == nil {
		t.Fatal("a load with a bad partition succeeded")
	}
	if got := scalar(t, tg, "SELECT count(*) || ':' || sum(n_regionkey) FROM n"); got != "25:50" {
		t.Errorf("after a failed load: %s, want 25:50", got)
	}
	if _, err := tg.Load(ctx, provider.LoadRequest{Table: "n", Partitions: nil, LocationURL: st.dataURL}); err != nil {
		t.Fatalf("dynamic load of the same folders: %v", err)
	}
	err := tg.CreateTable(ctx, provider.TableSpec{Name: "d", Columns: spec.Columns,
		PartitionColumns: []provider.Column{{Name: "day", Type: "DATE"}}})
	if err == nil || !strings.Contains(err.Error(), "type DATE cannot be a partition key") {
		t.Errorf("DATE partition key: %v", err)
	}
}
