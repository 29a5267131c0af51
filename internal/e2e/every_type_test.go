package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// everyTypeDDL is a Redshift table using every type PostgreSQL can stand
// in for (SUPER as jsonb, VARBYTE as bytea), with NULLs, empty strings
// and trailing blanks.
const everyTypeDDL = `CREATE SCHEMA extra;
CREATE TABLE extra.every (
  id INTEGER NOT NULL, c_small SMALLINT, c_big BIGINT, c_num NUMERIC(15,2), c_wide NUMERIC(38,20),
  c_real REAL, c_double DOUBLE PRECISION, c_bool BOOLEAN, c_char CHAR(5), c_varchar VARCHAR(20),
  c_date DATE, c_ts TIMESTAMP, c_tstz TIMESTAMPTZ, c_time TIME, c_super JSONB, c_bytes BYTEA, c_interval INTERVAL);
INSERT INTO extra.every VALUES
  (1, 7, 9000000000, 12.50, 1.12345678901234567890, 1.5, 2.25, true, 'ab', 'x y', '2024-02-29', '2024-02-29 12:34:56.123456', '2024-02-29 12:34:56.123456+00', '12:34:56', '{"a": [1, 2]}', '\xdeadbeef', '1 day 02:03:04'),
  (2, -7, -1, -0.01, -99.5, -0.25, 1e10, false, 'z', '', '1970-01-01', '1970-01-01 00:00:00', '1999-12-31 23:59:59+00', '00:00:00', 'null', '\x', '-3 months'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);`

// TestCloudPartitionedAndEveryType runs the cloud path with lineitem
// partitioned by l_shipmode (static partition loads in MaxCompute) and a
// table of every type, and checks verification passes and the data
// arrived.
func TestCloudPartitionedAndEveryType(t *testing.T) {
	if testing.Short() {
		t.Skip("starts every server")
	}
	c := startCloud(t, cloudOptions{})
	if _, err := c.pgc.Exec(context.Background(), everyTypeDDL); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(c.dir, "main.ferry.hcl")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(b), `  tables = ["public.*"]`, `  tables = ["public.*"]

  table "public.lineitem" {
    partition_by = ["l_shipmode"]
  }`, 1)
	cfg += `
migration "extra" {
  from   = source.redshift.main
  via    = [bucket.s3.unload, bucket.oss.landing]
  to     = target.maxcompute.mc
  tables = ["extra.*"]
  table "extra.every" {
    key = ["id"]
  }
  verify {
    level = "fingerprint"
  }
}
`
	write(t, path, cfg)
	code, out := c.ferry(t, "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("apply exited %d\n%s", code, out)
	}
	for _, want := range []string{"lineitem: passed", "every: passed", "1 query"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q", want)
		}
	}
	// The unload recorded the Parquet types Redshift wrote, read from a
	// file's footer, and they matched the plan (else the unload fails).
	st := c.state(t)
	var rec struct {
		FileColumns []struct{ Name, Type, Physical string } `json:"file_columns"`
	}
	if err := json.Unmarshal(resource(t, st, "migration.extra.table.extra.every.unload").Output, &rec); err != nil || len(rec.FileColumns) != 17 {
		t.Errorf("footer types in state: %+v (%v), want 17 columns", rec.FileColumns, err)
	}
	tg := c.mcTarget(t)
	if got := c.mcValue(t, tg, "SELECT COUNT(DISTINCT l_shipmode) FROM lineitem"); got != "7" {
		t.Errorf("lineitem partitions in MaxCompute: %s, want 7", got)
	}
	if got := c.mcValue(t, tg, "SELECT COUNT(*) FROM every"); got != "3" {
		t.Errorf("every: %s rows, want 3", got)
	}
	c.checkCounts(t, tpch(t))
	if code, out := c.ferry(t, "plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after apply exited %d\n%s", code, out)
	}
}
