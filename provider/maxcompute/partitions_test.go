package maxcompute

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-odps-go-sdk/odps"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/account"

	mcemu "github.com/ferry-dev/ferry/internal/emulator/maxcompute"
	"github.com/ferry-dev/ferry/provider"
)

// partitionedSpec is lineitemQuery's table partitioned by the return flag
// (STRING) and the line number (INT).
func partitionedSpec(name string) provider.TableSpec {
	spec := provider.TableSpec{Name: name, PartitionColumns: []provider.Column{
		{Name: "l_returnflag", Type: "STRING"}, {Name: "l_linenumber", Type: "INT"}}}
	for _, c := range lineitemSpec(name).Columns {
		if c.Name != "l_returnflag" && c.Name != "l_linenumber" {
			spec.Columns = append(spec.Columns, c)
		}
	}
	return spec
}

// dataColumns are lineitemQuery's columns without the partition keys.
const dataColumns = "l_orderkey, l_quantity, l_extendedprice, l_shipdate, l_comment"

// stagePartitions writes one folder per (flag, line) of lineitemQuery as
// Redshift's PARTITION BY would, with sel choosing the file columns, and
// returns the partitions.
func (f *fixture) stagePartitions(t *testing.T, root, sel string) []provider.Partition {
	t.Helper()
	var parts []provider.Partition
	for _, flag := range []string{"A", "N", "R"} {
		for line := 1; line <= 4; line++ {
			folder := fmt.Sprintf("%s/l_returnflag=%s/l_linenumber=%d", root, flag, line)
			loc, _ := f.stage(t, folder, fmt.Sprintf("SELECT %s FROM (%s) WHERE l_returnflag = '%s' AND l_linenumber = %d",
				sel, lineitemQuery, flag, line))
			parts = append(parts, provider.Partition{Values: []string{flag, fmt.Sprint(line)}, LocationURL: loc})
		}
	}
	return parts
}

// perPartition returns "flag/line:count" for every partition, sorted.
func perPartition(t *testing.T, rows [][]*string) string {
	t.Helper()
	var out []string
	for _, r := range rows {
		out = append(out, *r[0]+"/"+*r[1]+":"+*r[2])
	}
	return strings.Join(out, ",")
}

func TestLoadPartitioned(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, mcemu.Options{}, nil)
	parts := f.stagePartitions(t, "lp", dataColumns)
	if err := f.tg.CreateTable(ctx, partitionedSpec("lp")); err != nil {
		t.Fatal(err)
	}
	tables, err := f.tg.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pc := tables[0].PartitionColumns; len(pc) != 2 || pc[0].Name != "l_returnflag" || pc[1].Type != "INT" || len(tables[0].Columns) != 5 {
		t.Fatalf("Tables = %+v", tables[0])
	}

	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	want := func(where string) (count, sum, per string) {
		t.Helper()
		q := "SELECT count(*)::VARCHAR, sum(l_extendedprice)::VARCHAR FROM (" + lineitemQuery + ") WHERE " + where
		if err := duck.QueryRow(q).Scan(&count, &sum); err != nil {
			t.Fatal(err)
		}
		q = "SELECT string_agg(l_returnflag || '/' || l_linenumber || ':' || n, ',' ORDER BY l_returnflag, l_linenumber) FROM " +
			"(SELECT l_returnflag, l_linenumber, count(*) AS n FROM (" + lineitemQuery + ") WHERE " + where + " GROUP BY ALL)"
		if err := duck.QueryRow(q).Scan(&per); err != nil {
			t.Fatal(err)
		}
		return count, sum, per
	}
	got := func() (count, sum, per string) {
		t.Helper()
		res, err := f.tg.Query(ctx, "SELECT `l_returnflag`, `l_linenumber`, COUNT(*) AS n FROM `lp` GROUP BY `l_returnflag`, `l_linenumber` ORDER BY `l_returnflag`, `l_linenumber`")
		if err != nil {
			t.Fatal(err)
		}
		return scalar(t, f.tg, "SELECT COUNT(*) FROM `lp`"), scalar(t, f.tg, "SELECT SUM(`l_extendedprice`) FROM `lp`"), perPartition(t, res.Rows)
	}

	// A stale partition from an earlier run, which the load must drop.
	f.sdk(t, "INSERT INTO TABLE `lp` PARTITION (`l_returnflag`='X', `l_linenumber`=9) SELECT 1, 1, 1, DATE '2000-01-01', 'stale';",
		map[string]string{HintTypeSystem2: "true"})
	res, err := f.tg.Load(ctx, provider.LoadRequest{Table: "lp", Partitions: parts})
	if err != nil {
		t.Fatal(err)
	}
	wc, ws, wp := want("true")
	if c, s, p := got(); c != wc || s != ws || p != wp || fmt.Sprint(res.Rows) != wc {
		t.Errorf("after the load: count %s sum %s (Rows %d)\n%s\nwant count %s sum %s\n%s", c, s, res.Rows, p, wc, ws, wp)
	}
	all := strings.Join(res.Statements, "\n")
	for _, s := range []string{
		"LOAD OVERWRITE TABLE `lp` PARTITION (`l_returnflag`='A', `l_linenumber`=1)\nFROM LOCATION 'oss://" + ossEndpoint + "/bkt/lp/l_returnflag=A/l_linenumber=1/'",
		"SHOW PARTITIONS `lp`;",
		"ALTER TABLE `lp` DROP IF EXISTS PARTITION (`l_returnflag`='X', `l_linenumber`=9);",
	} {
		if !strings.Contains(all, s) {
			t.Errorf("statements lack %q:\n%s", s, all)
		}
	}

	// A second load without R/4 drops that partition and keeps the rest.
	var fewer []provider.Partition
	for _, p := range parts {
		if p.Values[0] != "R" || p.Values[1] != "4" {
			fewer = append(fewer, p)
		}
	}
	res, err = f.tg.Load(ctx, provider.LoadRequest{Table: "lp", Partitions: fewer})
	if err != nil {
		t.Fatal(err)
	}
	wc, ws, wp = want("NOT (l_returnflag = 'R' AND l_linenumber = 4)")
	if c, s, p := got(); c != wc || s != ws || p != wp || fmt.Sprint(res.Rows) != wc {
		t.Errorf("after dropping R/4: count %s sum %s (Rows %d)\n%s\nwant count %s sum %s\n%s", c, s, res.Rows, p, wc, ws, wp)
	}
	o := odps.NewOdps(account.NewAliyunAccount(testKey, testSecret), f.srv.Endpoint)
	o.SetDefaultProjectName("tpch_mc")
	ins, err := o.ExecSQl("SHOW PARTITIONS `lp`;", map[string]string{HintTypeSystem2: "true"})
	if err != nil {
		t.Fatal(err)
	}
	if err := ins.WaitForSuccess(); err != nil {
		t.Fatal(err)
	}
	tr, err := ins.GetResult()
	if err != nil || len(tr) != 1 {
		t.Fatal(tr, err)
	}
	lines := strings.Split(strings.TrimSpace(tr[0].Content()), "\n")
	if len(lines) != 11 || lines[0] != "l_returnflag=A/l_linenumber=1" || strings.Contains(tr[0].Content(), "l_returnflag=R/l_linenumber=4") ||
		lines[10] != "l_returnflag=R/l_linenumber=3" {
		t.Errorf("SHOW PARTITIONS:\n%s", tr[0].Content())
	}

	// No partitions at all: the table is emptied.
	if res, err := f.tg.Load(ctx, provider.LoadRequest{Table: "lp"}); err != nil || res.Rows != 0 {
		t.Fatalf("empty load: %+v, %v", res, err)
	}
}

func TestLoadPartitionedStaged(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, mcemu.Options{}, nil)
	parts := f.stagePartitions(t, "st", "l_orderkey, l_quantity, l_extendedprice::VARCHAR AS l_extendedprice, l_shipdate, l_comment")
	if err := f.tg.CreateTable(ctx, partitionedSpec("st")); err != nil {
		t.Fatal(err)
	}
	fileCols := []provider.Column{{Name: "l_orderkey", Type: "BIGINT"}, {Name: "l_quantity", Type: "DECIMAL(15,2)"},
		{Name: "l_extendedprice", Type: "STRING"}, {Name: "l_shipdate", Type: "DATE"}, {Name: "l_comment", Type: "STRING"}}
	res, err := f.tg.Load(ctx, provider.LoadRequest{Table: "st", Partitions: parts[:3], FileColumns: fileCols})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(res.Statements, "\n")
	for _, s := range []string{"LOAD OVERWRITE TABLE `st_ferry_stage`\nFROM LOCATION 'oss://" + ossEndpoint + "/bkt/st/l_returnflag=A/l_linenumber=3/'",
		"INSERT OVERWRITE TABLE `st` PARTITION (`l_returnflag`='A', `l_linenumber`=3)\nSELECT `l_orderkey`, `l_quantity`, CAST(`l_extendedprice` AS DECIMAL(15,2)) AS `l_extendedprice`",
		"DROP TABLE IF EXISTS `st_ferry_stage`;"} {
		if !strings.Contains(all, s) {
			t.Errorf("statements lack %q:\n%s", s, all)
		}
	}
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	var count, sum string
	if err := duck.QueryRow("SELECT count(*)::VARCHAR, sum(l_extendedprice)::VARCHAR FROM ("+lineitemQuery+") WHERE l_returnflag = 'A' AND l_linenumber <= 3").Scan(&count, &sum); err != nil {
		t.Fatal(err)
	}
	if c, s := scalar(t, f.tg, "SELECT COUNT(*) FROM `st`"), scalar(t, f.tg, "SELECT SUM(`l_extendedprice`) FROM `st`"); c != count || s != sum || fmt.Sprint(res.Rows) != count {
		t.Errorf("count %s sum %s (Rows %d), want %s and %s", c, s, res.Rows, count, sum)
	}
	tables, err := f.tg.Tables(ctx)
	if err != nil || len(tables) != 1 {
		t.Fatalf("staging table left behind: %+v, %v", tables, err)
	}
}

func TestLoadPartitionedRejects(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, mcemu.Options{}, nil)
	if err := f.tg.CreateTable(ctx, partitionedSpec("lp")); err != nil {
		t.Fatal(err)
	}
	good := f.stagePartitions(t, "lp", dataColumns)[:1]
	if _, err := f.tg.Load(ctx, provider.LoadRequest{Table: "lp", Partitions: good}); err != nil {
		t.Fatal(err)
	}
	before := scalar(t, f.tg, "SELECT COUNT(*) FROM `lp`")
	withKey, _ := f.stage(t, "bad/l_returnflag=A/l_linenumber=1", "SELECT "+dataColumns+", l_returnflag FROM ("+lineitemQuery+")")
	for _, tc := range []struct {
		name  string
		parts []provider.Partition
		want  string
	}{
		{"files hold a partition column", []provider.Partition{{Values: []string{"A", "1"}, LocationURL: withKey}},
			"ODPS-0123131:User defined function exception - file 0000_part_00.parquet contains partition column l_returnflag"},
		{"NULL key into an INT partition", []provider.Partition{{Values: []string{"A", "__HIVE_DEFAULT_PARTITION__"}, LocationURL: good[0].LocationURL}},
			`partition column l_linenumber: value "__HIVE_DEFAULT_PARTITION__" is not an integer of 32 bits`},
		{"listed twice", []provider.Partition{good[0], good[0]}, "partition l_returnflag=A/l_linenumber=1 is listed twice"},
		{"not a folder", []provider.Partition{{Values: []string{"A", "1"}, LocationURL: "s3://b/x/"}}, "is not an oss:// folder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.tg.Load(ctx, provider.LoadRequest{Table: "lp", Partitions: tc.parts})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load error = %v\nwant it to contain %q", err, tc.want)
			}
			if got := scalar(t, f.tg, "SELECT COUNT(*) FROM `lp`"); got != before {
				t.Errorf("rows after a refused load: %s, want %s", got, before)
			}
		})
	}
	// The emulator refuses a NULL partition value, as the service does.
	o := odps.NewOdps(account.NewAliyunAccount(testKey, testSecret), f.srv.Endpoint)
	o.SetDefaultProjectName("tpch_mc")
	ins, err := o.ExecSQl("LOAD OVERWRITE TABLE `lp` PARTITION (`l_returnflag`=NULL, `l_linenumber`=1) FROM LOCATION '"+good[0].LocationURL+
		"' WITH SERDEPROPERTIES ('odps.properties.rolearn'='"+roleArn+"') STORED AS PARQUET;", map[string]string{HintTypeSystem2: "true"})
	if err == nil {
		err = ins.WaitForSuccess()
	}
	if err == nil || !strings.Contains(err.Error(), "cannot be NULL") {
		t.Errorf("NULL partition value: %v", err)
	}
	err = f.tg.CreateTable(ctx, provider.TableSpec{Name: "d", Columns: []provider.Column{{Name: "x", Type: "BIGINT"}},
		PartitionColumns: []provider.Column{{Name: "day", Type: "DATE"}}})
	if err == nil || !strings.Contains(err.Error(), "type DATE cannot be a partition key") {
		t.Errorf("DATE partition key: %v", err)
	}
}

// TestLoadPartitionEncodedFolder loads folders whose names carry
// percent-encoded values, as unloads write them: the location must reach
// the folder itself, not the decoded name.
func TestLoadPartitionEncodedFolder(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, mcemu.Options{}, nil)
	spec := provider.TableSpec{Name: "ship", Columns: []provider.Column{{Name: "id", Type: "BIGINT"}},
		PartitionColumns: []provider.Column{{Name: "mode", Type: "STRING"}}}
	if err := f.tg.CreateTable(ctx, spec); err != nil {
		t.Fatal(err)
	}
	var parts []provider.Partition
	for i, v := range []struct{ value, folder string }{{"REG AIR", "REG%20AIR"}, {"50%", "50%25"}, {"MAIL", "MAIL"}} {
		loc, _ := f.stage(t, "ship/mode="+v.folder, fmt.Sprintf("SELECT i::BIGINT AS id FROM range(%d) r(i)", 10*(i+1)))
		parts = append(parts, provider.Partition{Values: []string{v.value}, LocationURL: loc})
	}
	res, err := f.tg.Load(ctx, provider.LoadRequest{Table: "ship", Partitions: parts})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 60 {
		t.Errorf("Rows = %d, want 60", res.Rows)
	}
	rows, err := f.tg.Query(ctx, "SELECT `mode`, COUNT(*) FROM `ship` GROUP BY `mode` ORDER BY `mode`")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows.Rows {
		got = append(got, *r[0]+":"+*r[1])
	}
	if want := "50%:20,MAIL:30,REG AIR:10"; strings.Join(got, ",") != want {
		t.Errorf("per partition %v, want %s", got, want)
	}
	if !strings.Contains(strings.Join(res.Statements, "\n"), "/bkt/ship/mode=REG%2520AIR/'") {
		t.Errorf("the location does not escape the folder's %%:\n%s", strings.Join(res.Statements, "\n"))
	}
}
