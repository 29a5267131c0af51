package maxcompute

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-odps-go-sdk/odps"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/account"
	_ "github.com/duckdb/duckdb-go/v2"

	mcemu "github.com/ferry-dev/ferry/internal/emulator/maxcompute"
	"github.com/ferry-dev/ferry/provider"
)

const (
	testKey     = "AKIDtest"
	testSecret  = "s3cr3t-value"
	roleArn     = "acs:ram::1234:role/mc-oss-reader"
	ossEndpoint = "oss-cn-hangzhou-internal.aliyuncs.com"
)

// fixture is an emulated project, its OSS folder root and a Target on it.
type fixture struct {
	srv  *mcemu.Server
	root string
	tg   *Target
}

// newFixture starts the emulator and a Target with short poll intervals.
func newFixture(t *testing.T, opts mcemu.Options, mod func(*Config)) *fixture {
	t.Helper()
	f := &fixture{root: t.TempDir()}
	opts.AccessKeyID, opts.AccessKeySecret, opts.Project = testKey, testSecret, "tpch_mc"
	opts.Locations = mcemu.DirLocations{Root: f.root}
	f.srv = mcemu.Start(t, opts)
	cfg := Config{Endpoint: f.srv.Endpoint, Project: "tpch_mc", LoadRoleArn: roleArn,
		AccessKeyID: testKey, AccessKeySecret: testSecret, Logf: t.Logf}
	if mod != nil {
		mod(&cfg)
	}
	tg, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	tg.pollMin, tg.pollMax, tg.retryMin = 5*time.Millisecond, 50*time.Millisecond, 5*time.Millisecond
	f.tg = tg
	return f
}

// sdk returns a raw SDK client on the emulator, for setting up what ferry
// would not do itself.
func (f *fixture) sdk(t *testing.T, script string, hints map[string]string) {
	t.Helper()
	o := odps.NewOdps(account.NewAliyunAccount(testKey, testSecret), f.srv.Endpoint)
	o.SetDefaultProjectName("tpch_mc")
	ins, err := o.ExecSQl(script, hints)
	if err == nil {
		err = ins.WaitForSuccess()
	}
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
}

// stage writes the result of a DuckDB query as Parquet under
// bkt/<folder>/ and returns the folder's OSS location and a DuckDB
// handle on the file for computing expectations.
func (f *fixture) stage(t *testing.T, folder, query string) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(f.root, "bkt", folder, "0000_part_00.parquet")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec("COPY (" + query + ") TO '" + path + "' (FORMAT PARQUET)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE VIEW f AS SELECT * FROM read_parquet('" + path + "')"); err != nil {
		t.Fatal(err)
	}
	return "oss://" + ossEndpoint + "/bkt/" + folder + "/", db
}

// lineitemQuery produces TPC-H-like lineitem rows with the Parquet types
// Redshift UNLOAD writes: INT64, INT32, DECIMAL, UTF8 strings and DATE.
const lineitemQuery = `SELECT (i // 4 + 1)::BIGINT AS l_orderkey, (i % 4 + 1)::INTEGER AS l_linenumber,
	((i * 7) % 50 + 1)::DECIMAL(15,2) AS l_quantity, ((i * 7919) % 100000 / 100.0 + 900)::DECIMAL(15,2) AS l_extendedprice,
	CASE i % 3 WHEN 0 THEN 'A' WHEN 1 THEN 'N' ELSE 'R' END AS l_returnflag,
	DATE '1992-01-02' + (i % 2500)::INTEGER AS l_shipdate, 'comment ' || i AS l_comment
FROM range(1000) r(i)`

func lineitemSpec(name string) provider.TableSpec {
	return provider.TableSpec{Name: name, Columns: []provider.Column{
		{Name: "l_orderkey", Type: "BIGINT"}, {Name: "l_linenumber", Type: "INT"},
		{Name: "l_quantity", Type: "DECIMAL(15,2)", Nullable: true}, {Name: "l_extendedprice", Type: "DECIMAL(15,2)", Nullable: true},
		{Name: "l_returnflag", Type: "CHAR(1)", Nullable: true}, {Name: "l_shipdate", Type: "DATE", Nullable: true},
		{Name: "l_comment", Type: "STRING", Nullable: true},
	}}
}

// scalar runs a query on the target and returns its single value.
func scalar(t *testing.T, tg *Target, q string) string {
	t.Helper()
	res, err := tg.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 || res.Rows[0][0] == nil {
		t.Fatalf("%s: %+v", q, res)
	}
	return *res.Rows[0][0]
}

func fileScalar(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	var s string
	if err := db.QueryRow(q).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLoadTPCH(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, mcemu.Options{}, nil)
	loc, file := f.stage(t, "lineitem/g1", lineitemQuery)
	if err := f.tg.CreateTable(ctx, lineitemSpec("lineitem")); err != nil {
		t.Fatal(err)
	}
	res, err := f.tg.Load(ctx, provider.LoadRequest{Table: "lineitem", LocationURL: loc})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 1000 {
		t.Errorf("Rows = %d, want 1000", res.Rows)
	}
	if !strings.Contains(res.Statements[0], "'odps.properties.rolearn'='"+roleArn+"'") {
		t.Errorf("LOAD statement lacks the role ARN:\n%s", res.Statements[0])
	}
	for _, q := range []string{"count(*)", "sum(l_extendedprice)", "sum(l_quantity)", "min(l_shipdate)", "max(l_returnflag)", "sum(l_linenumber)"} {
		want := fileScalar(t, file, "SELECT "+q+"::VARCHAR FROM f")
		if got := scalar(t, f.tg, "SELECT "+q+" FROM `lineitem`"); got != want {
			t.Errorf("%s = %s, want %s", q, got, want)
		}
	}
	tables, err := f.tg.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 || !tables[0].CreatedByFerry || tables[0].Rows != 1000 {
		t.Fatalf("Tables = %+v", tables)
	}
	for i, c := range lineitemSpec("lineitem").Columns {
		if got := tables[0].Columns[i]; got.Name != c.Name || got.Type != c.Type || got.Nullable != c.Nullable {
			t.Errorf("column %d = %+v, want %+v", i, got, c)
		}
	}
}

func TestLoadTypeMismatchKeepsRows(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, mcemu.Options{}, nil)
	good, _ := f.stage(t, "lineitem/g1", lineitemQuery)
	bad, _ := f.stage(t, "lineitem/g2", strings.Replace(lineitemQuery, "(i % 4 + 1)::INTEGER", "(i % 4 + 1)::BIGINT", 1))
	if err := f.tg.CreateTable(ctx, lineitemSpec("lineitem")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tg.Load(ctx, provider.LoadRequest{Table: "lineitem", LocationURL: good}); err != nil {
		t.Fatal(err)
	}
	_, err := f.tg.Load(ctx, provider.LoadRequest{Table: "lineitem", LocationURL: bad})
	want := "ODPS-0123131:User defined function exception - column l_linenumber: file type INT64 does not match table type INT"
	var te *Error
	if err == nil || !strings.Contains(err.Error(), want) || !errors.As(err, &te) || te.Code != "ODPS-0123131" ||
		!strings.Contains(err.Error(), "type mismatch: check the column types") {
		t.Fatalf("Load error = %v\nwant it to contain %q and the hint", err, want)
	}
	if IsRetryable(err) {
		t.Error("a type mismatch is retryable")
	}
	if got := scalar(t, f.tg, "SELECT count(*) FROM `lineitem`"); got != "1000" {
		t.Errorf("rows after failed load = %s, want 1000", got)
	}
}

// TestHintsAlwaysSent shows what happens without the odps2 flag (INT
// becomes BIGINT and the INT32 file no longer loads) and that ferry's
// table keeps INT.
func TestHintsAlwaysSent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, mcemu.Options{}, nil)
	loc, _ := f.stage(t, "nums/g1", "SELECT i::INTEGER AS n FROM range(5) r(i)")
	f.sdk(t, "CREATE TABLE `raw_nums` (`n` INT) COMMENT 'created by ferry';", nil)
	spec := provider.TableSpec{Name: "nums", Columns: []provider.Column{{Name: "n", Type: "INT", Nullable: true}}}
	if err := f.tg.CreateTable(ctx, spec); err != nil {
		t.Fatal(err)
	}
	tables, err := f.tg.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, tb := range tables {
		types[tb.Name] = tb.Columns[0].Type
	}
	if types["raw_nums"] != "BIGINT" || types["nums"] != "INT" {
		t.Fatalf("column types = %v, want raw_nums BIGINT (no hint) and nums INT", types)
	}
	if _, err := f.tg.Load(ctx, provider.LoadRequest{Table: "raw_nums", LocationURL: loc}); err == nil ||
		!strings.Contains(err.Error(), "column n: file type INT32 does not match table type BIGINT") {
		t.Fatalf("load into the unhinted table: %v", err)
	}
	if res, err := f.tg.Load(ctx, provider.LoadRequest{Table: "nums", LocationURL: loc}); err != nil || res.Rows != 5 {
		t.Fatalf("load into ferry's table: %+v, %v", res, err)
	}
}

func TestCreateTableChecksExisting(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, mcemu.Options{}, func(c *Config) { c.Lifecycle = 30 })
	odps2 := map[string]string{HintTypeSystem2: "true"}
	f.sdk(t, "CREATE TABLE `orders` (`o_orderkey` INT, `o_comment` STRING) COMMENT 'created by ferry';", odps2)
	f.sdk(t, "CREATE TABLE `theirs` (`x` BIGINT) COMMENT 'someone else';", odps2)
	spec := provider.TableSpec{Name: "orders", Columns: []provider.Column{{Name: "o_orderkey", Type: "BIGINT"}, {Name: "o_comment", Type: "STRING"}}}
	err := f.tg.CreateTable(ctx, spec)
	if err == nil || !strings.Contains(err.Error(), "exists with columns 1 = o_orderkey INT, want o_orderkey BIGINT") {
		t.Fatalf("CreateTable over a different schema: %v", err)
	}
	err = f.tg.CreateTable(ctx, provider.TableSpec{Name: "theirs", Columns: []provider.Column{{Name: "x", Type: "BIGINT"}}})
	if err == nil || !strings.Contains(err.Error(), "not created by ferry") {
		t.Fatalf("CreateTable over a foreign table: %v", err)
	}
	if err := f.tg.DropTable(ctx, "theirs"); err == nil || !strings.Contains(err.Error(), "not created by ferry") {
		t.Fatalf("DropTable(theirs) = %v", err)
	}
	spec.Name = "orders2"
	for range 2 { // a second create of the same table is accepted
		if err := f.tg.CreateTable(ctx, spec); err != nil {
			t.Fatal(err)
		}
	}
	tb := odps.NewOdps(account.NewAliyunAccount(testKey, testSecret), f.srv.Endpoint)
	tb.SetDefaultProjectName("tpch_mc")
	o2 := tb.Table("orders2")
	if err := o2.Load(); err != nil || o2.LifeCycle() != 30 {
		t.Fatalf("lifecycle = %d, %v", o2.LifeCycle(), err)
	}
	if err := f.tg.DropTable(ctx, "orders2"); err != nil {
		t.Fatal(err)
	}
	if err := f.tg.DropTable(ctx, "orders2"); err != nil {
		t.Fatalf("dropping a missing table: %v", err)
	}
}

func TestStagingCastsStringToDecimal(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, mcemu.Options{}, nil)
	loc, file := f.stage(t, "pay/g1", "SELECT i::BIGINT AS id, ((i * 37) % 1000 / 100.0 + 0.05)::DECIMAL(15,2)::VARCHAR AS amount FROM range(200) r(i)")
	spec := provider.TableSpec{Name: "pay", Columns: []provider.Column{{Name: "id", Type: "BIGINT"}, {Name: "amount", Type: "DECIMAL(15,2)", Nullable: true}}}
	if err := f.tg.CreateTable(ctx, spec); err != nil {
		t.Fatal(err)
	}
	res, err := f.tg.Load(ctx, provider.LoadRequest{Table: "pay", LocationURL: loc,
		FileColumns: []provider.Column{{Name: "id", Type: "BIGINT"}, {Name: "amount", Type: "STRING"}}})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(res.Statements, "\n")
	for _, want := range []string{"CREATE TABLE IF NOT EXISTS `pay_ferry_stage`", "LOAD OVERWRITE TABLE `pay_ferry_stage`",
		"INSERT OVERWRITE TABLE `pay`\nSELECT `id`, CAST(`amount` AS DECIMAL(15,2)) AS `amount`", "DROP TABLE IF EXISTS `pay_ferry_stage`"} {
		if !strings.Contains(all, want) {
			t.Errorf("statements lack %q:\n%s", want, all)
		}
	}
	if want := fileScalar(t, file, "SELECT sum(amount::DECIMAL(15,2))::VARCHAR FROM f"); scalar(t, f.tg, "SELECT sum(`amount`) FROM `pay`") != want || res.Rows != 200 {
		t.Errorf("sum or rows differ from the file's %s (rows %d)", want, res.Rows)
	}
	tables, err := f.tg.Tables(ctx)
	if err != nil || len(tables) != 1 {
		t.Fatalf("staging table left behind: %+v, %v", tables, err)
	}
}
