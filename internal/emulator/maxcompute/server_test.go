package maxcompute

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/aliyun/aliyun-odps-go-sdk/odps"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/account"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/restclient"
)

// newClient starts a server over a temp dir and returns an SDK client.
func newClient(t *testing.T, region ...string) (*Server, *odps.Odps, string) {
	t.Helper()
	root := t.TempDir()
	s := Start(t, Options{AccessKeyID: "AKID", AccessKeySecret: "secret", Project: "proj",
		Region: "cn-test", Locations: DirLocations{Root: root}})
	o := odps.NewOdps(account.NewAliyunAccount("AKID", "secret", region...), s.Endpoint)
	o.SetDefaultProjectName("proj")
	return s, o, root
}

// run executes a script and returns the task result or its error.
func run(t *testing.T, o *odps.Odps, script string, hints map[string]string) (string, error) {
	t.Helper()
	ins, err := o.ExecSQl(script, hints)
	if err != nil {
		return "", err
	}
	if err := ins.WaitForSuccess(); err != nil {
		return "", err
	}
	res, err := ins.GetResult()
	if err != nil {
		return "", err
	}
	return res[0].Content(), nil
}

// writeParquet writes the result of a DuckDB query as one Parquet file.
func writeParquet(t *testing.T, path, query string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("COPY (" + query + ") TO '" + path + "' (FORMAT PARQUET)"); err != nil {
		t.Fatal(err)
	}
}

var odps2 = map[string]string{"odps.sql.type.system.odps2": "true", "odps.sql.decimal.odps2": "true"}

func TestSignatures(t *testing.T) {
	for _, region := range [][]string{nil, {"cn-test"}} {
		_, o, _ := newClient(t, region...)
		if _, err := run(t, o, "select 1;", nil); err != nil {
			t.Errorf("region %v: %v", region, err)
		}
	}
	s, _, _ := newClient(t)
	bad := odps.NewOdps(account.NewAliyunAccount("AKID", "wrong"), s.Endpoint)
	bad.SetDefaultProjectName("proj")
	_, err := bad.ExecSQl("select 1;")
	var he restclient.HttpError
	if !errors.As(err, &he) || he.StatusCode != 403 || he.ErrorMessage == nil || he.ErrorMessage.ErrorCode != "InvalidSignature" {
		t.Fatalf("bad secret: %#v", err)
	}
}

func TestSQLAndTables(t *testing.T) {
	_, o, _ := newClient(t)
	if _, err := run(t, o, "CREATE TABLE IF NOT EXISTS proj.`t` (`id` INT NOT NULL COMMENT 'key', `s` STRING) COMMENT 'c' LIFECYCLE 3;", odps2); err != nil {
		t.Fatal(err)
	}
	// A different schema with IF NOT EXISTS succeeds silently.
	if _, err := run(t, o, "CREATE TABLE IF NOT EXISTS `t` (`x` BIGINT);", odps2); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, o, "INSERT INTO TABLE `t` VALUES (1, 'a'), (2, ''), (3, NULL);", odps2); err != nil {
		t.Fatal(err)
	}
	got, err := run(t, o, "SELECT `id`, `s` FROM `t` ORDER BY `id`;", nil)
	if want := "id,s\n1,a\n2,\n3,\\N\n"; err != nil || got != want {
		t.Fatalf("select = %q, %v; want %q", got, err, want)
	}
	tb := o.Table("t")
	if err := tb.Load(); err != nil {
		t.Fatal(err)
	}
	cols := tb.Schema().Columns
	if len(cols) != 2 || cols[0].Type.Name() != "INT" || !cols[0].NotNull || cols[1].NotNull || tb.Schema().Comment != "c" || tb.LifeCycle() != 3 {
		t.Fatalf("schema = %+v", tb.Schema())
	}
	ok, err := o.Table("missing").Exists()
	if err != nil || ok {
		t.Fatalf("Exists(missing) = %v, %v", ok, err)
	}
	var names []string
	o.Tables().List(func(tb *odps.Table, err error) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tb.Name())
	})
	if strings.Join(names, ",") != "t" {
		t.Fatalf("tables = %v", names)
	}
	_, err = run(t, o, "SELECT * FROM `nope`;", nil)
	if err == nil || !strings.HasPrefix(err.Error(), "FAILED: ODPS-0130071:") {
		t.Fatalf("select missing table: %v", err)
	}
}

func TestLoadParquet(t *testing.T) {
	_, o, root := newClient(t)
	writeParquet(t, filepath.Join(root, "bkt", "stage", "t", "part-0.parquet"),
		"SELECT i::INTEGER AS id, (i * 1.5)::DECIMAL(15,2) AS amt FROM range(10) r(i)")
	load := "LOAD OVERWRITE TABLE `t` FROM LOCATION 'oss://oss-cn-test-internal.aliyuncs.com/bkt/stage/t/' " +
		"ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' " +
		"WITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::1:role/r') STORED AS PARQUET;"
	native := map[string]string{"odps.ext.parquet.native": "true"}
	for k, v := range odps2 {
		native[k] = v
	}
	if _, err := run(t, o, "CREATE TABLE `t` (`id` INT, `amt` DECIMAL(15,2));", odps2); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, o, load, odps2); err == nil || !strings.Contains(err.Error(), "odps.ext.parquet.native=true") {
		t.Fatalf("load without native reader: %v", err)
	}
	if _, err := run(t, o, load, native); err != nil {
		t.Fatal(err)
	}
	got, err := run(t, o, "SELECT count(*) AS n, sum(`amt`) AS s FROM `t`;", nil)
	if want := "n,s\n10,67.50\n"; err != nil || got != want {
		t.Fatalf("after load = %q, %v; want %q", got, err, want)
	}
	// Without the odps2 flag INT becomes BIGINT and the INT32 file no
	// longer fits.
	if _, err := run(t, o, "CREATE TABLE `t1` (`id` INT);", nil); err != nil {
		t.Fatal(err)
	}
	_, err = run(t, o, strings.Replace(load, "`t`", "`t1`", 1), native)
	if want := "ODPS-0123131:User defined function exception - column id: file type INT32 does not match table type BIGINT"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("load into BIGINT: %v", err)
	}
	os.WriteFile(filepath.Join(root, "bkt", "stage", "t", "manifest"), []byte(`{"entries":[]}`), 0o644)
	if _, err := run(t, o, load, native); err == nil || !strings.Contains(err.Error(), "manifest is not a Parquet file") {
		t.Fatalf("load with manifest: %v", err)
	}
}

func TestToChar(t *testing.T) {
	_, o, _ := newClient(t)
	got, err := run(t, o, "SELECT TO_CHAR(DATE '1998-09-02', 'yyyy-mm-dd') AS d, "+
		"TO_CHAR(CAST('2024-01-31 13:04:05' AS TIMESTAMP), 'yyyymmdd hh:mi:ss%') AS ts;", odps2)
	if want := "d,ts\n1998-09-02,20240131 13:04:05%\n"; err != nil || got != want {
		t.Fatalf("TO_CHAR = %q, %v; want %q", got, err, want)
	}
}

func TestPartitions(t *testing.T) {
	_, o, root := newClient(t)
	odps2 := map[string]string{"odps.sql.type.system.odps2": "true"}
	must := func(script string) string {
		t.Helper()
		out, err := run(t, o, script, odps2)
		if err != nil {
			t.Fatalf("%s: %v", script, err)
		}
		return out
	}
	must("CREATE TABLE p (x BIGINT) PARTITIONED BY (ds STRING, n INT);")
	if out := must("SHOW PARTITIONS p;"); out != "" {
		t.Errorf("SHOW PARTITIONS of a new table = %q", out)
	}
	writeParquet(t, filepath.Join(root, "bkt", "empty", "0000_part_00.parquet"), "SELECT 1::BIGINT AS x WHERE false")
	load := "LOAD OVERWRITE TABLE p PARTITION (ds='2024-01-0%d', n=%s) FROM LOCATION 'oss://ep/bkt/empty/' " +
		"WITH SERDEPROPERTIES ('odps.properties.rolearn'='r') STORED AS PARQUET;"
	must(strings.NewReplacer("%d", "1", "%s", "-07").Replace(load))
	must("INSERT INTO p PARTITION (ds='2024-01-02', n=3) VALUES (5), (6);")
	// An empty partition exists as much as a full one; an integer key is
	// written canonically.
	if out := must("SHOW PARTITIONS p;"); out != "ds=2024-01-01/n=-7\nds=2024-01-02/n=3\n" {
		t.Errorf("SHOW PARTITIONS = %q", out)
	}
	for _, tc := range []struct{ script, want string }{
		{"ALTER TABLE p DROP PARTITION (ds='2024-09-09', n=1);", "partition not found - ds=2024-09-09/n=1"},
		{"INSERT INTO p PARTITION (ds=NULL, n=1) VALUES (1);", "partition value of ds cannot be NULL"},
		{"INSERT INTO p PARTITION (ds='a', n='x') VALUES (1);", `invalid partition value "x"`},
		{"INSERT INTO p PARTITION (ds='a') VALUES (1);", "must name its 2 partition keys"},
		{"CREATE TABLE q (x BIGINT) PARTITIONED BY (d DATE);", "type DATE is not allowed for a partition key"},
		{"SHOW PARTITIONS nope;", "Table not found"},
	} {
		if _, err := run(t, o, tc.script, odps2); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.script, err, tc.want)
		}
	}
	must("ALTER TABLE p DROP IF EXISTS PARTITION (ds='2024-01-01', n=-7), PARTITION (ds='2024-09-09', n=1);")
	if out := must("SHOW PARTITIONS p;"); out != "ds=2024-01-02/n=3\n" {
		t.Errorf("SHOW PARTITIONS after the drop = %q", out)
	}
	must("ALTER TABLE p DROP PARTITION (ds='2024-01-02', n=3);")
	if out := must("SELECT count(*) AS c FROM p;"); out != "c\n0\n" {
		t.Errorf("rows after dropping every partition: %q", out)
	}
}
