package redshift

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	emulator "github.com/ferry-dev/ferry/internal/emulator/redshift"
	"github.com/ferry-dev/ferry/provider"
	"github.com/google/go-cmp/cmp"
)

const testSecretARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ferry-rs-AbCdEf"

// dataAPI starts the Data API emulator over the env's front and returns
// a config that reaches it.
func (e *env) dataAPI(t *testing.T, opts emulator.DataAPIOptions) (*emulator.DataAPI, Config) {
	t.Helper()
	awsEnv(t)
	opts.Front = e.front
	if opts.Secrets == nil {
		opts.Secrets = map[string]string{testSecretARN: "awsuser"}
	}
	d := emulator.StartDataAPI(t, opts)
	cfg := e.cfg
	cfg.Host, cfg.Port, cfg.User, cfg.Password = "", 0, "", ""
	cfg.DataAPI = &DataAPIConfig{Region: "us-east-1", ClusterIdentifier: "c1", DBUser: "awsuser", Endpoint: d.URL, MaxPoll: 50 * time.Millisecond}
	return d, cfg
}

func (e *env) dataSource(t *testing.T, cfg Config) *DataSource {
	t.Helper()
	d, err := NewDataAPI(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestDataAPIMatchesPgx(t *testing.T) {
	e := newEnv(t, emulator.Faults{})
	ctx := context.Background()
	if _, err := e.up.Exec(ctx, `INSERT INTO pg_catalog.ferry_table_keys VALUES
		('public', 'lineitem', 'l_orderkey', true, 1), ('public', 'lineitem', 'l_linenumber', false, 2)`); err != nil {
		t.Fatal(err)
	}
	api, cfg := e.dataAPI(t, emulator.DataAPIOptions{PageRows: 7, Delay: 30 * time.Millisecond})
	pg := e.source(t)
	for _, target := range []struct {
		name string
		set  func(*DataAPIConfig)
	}{
		{"cluster+dbuser", func(*DataAPIConfig) {}},
		{"cluster+secret", func(c *DataAPIConfig) { c.DBUser, c.SecretARN = "", testSecretARN }},
		{"workgroup", func(c *DataAPIConfig) { c.ClusterIdentifier, c.DBUser, c.WorkgroupName = "", "", "wg1" }},
	} {
		t.Run(target.name, func(t *testing.T) {
			c := cfg
			api := *cfg.DataAPI
			target.set(&api)
			c.DataAPI = &api
			ds := e.dataSource(t, c)
			want, err := pg.Tables(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ds.Tables(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Tables via the Data API (-pgx +data api):\n%s", diff)
			}
			q := `SELECT l_extendedprice, l_shipdate, l_ts, l_returnflag, l_quantity, true AS yes, 0.1::float4 AS r,
				0.1::float8 AS f, timestamptz '2024-03-01 12:00:00+02' AS tz, '\x00ff'::bytea AS b, NULL::integer AS nothing
				FROM lineitem WHERE l_orderkey < 4 ORDER BY l_orderkey, l_linenumber`
			wantQ, err := pg.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			gotQ, err := ds.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(gotQ.Rows) != 20 {
				t.Errorf("%d rows over pages of 7, want 20", len(gotQ.Rows))
			}
			if diff := cmp.Diff(wantQ, gotQ); diff != "" {
				t.Errorf("Query via the Data API (-pgx +data api):\n%s", diff)
			}
			wantK, err := pg.Keys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			gotK, err := ds.Keys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantKeys := map[string]TableKeys{"public.lineitem": {DistKey: "l_orderkey", SortKey: []string{"l_orderkey", "l_linenumber"}}}
			if diff := cmp.Diff(wantKeys, wantK); diff != "" {
				t.Errorf("Keys via pgx (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantK, gotK); diff != "" {
				t.Errorf("Keys via the Data API (-pgx +data api):\n%s", diff)
			}
		})
	}
	if n := api.Calls("GetStatementResult"); n < 3*3 {
		t.Errorf("%d GetStatementResult calls: pages were not followed", n)
	}
	if n, m := api.Calls("DescribeStatement"), api.Calls("ExecuteStatement"); n <= m {
		t.Errorf("%d DescribeStatement for %d statements: the client did not poll", n, m)
	}
	if keys := api.AccessKeys(); len(keys) != 1 || keys[0] != testAccessKey {
		t.Errorf("requests signed with %q, want %q", keys, testAccessKey)
	}
}

func TestDataAPIUnload(t *testing.T) {
	e := newEnv(t, emulator.Faults{})
	ctx := context.Background()
	_, cfg := e.dataAPI(t, emulator.DataAPIOptions{})
	ds := e.dataSource(t, cfg)
	pg := e.source(t)
	req := func(run string) provider.UnloadRequest {
		return provider.UnloadRequest{Table: "public.lineitem", Select: lineitemSelect, MaxFileSize: 5 << 20,
			DataURL: "s3://bkt/" + run + "/data/", ManifestURL: "s3://bkt/" + run + "/manifest.json"}
	}
	viaPg, err := pg.UnloadDetailed(ctx, req("pgx"), UnloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	viaAPI, err := ds.UnloadDetailed(ctx, req("api"), UnloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if viaAPI.Manifest.Meta.RecordCount == 0 || viaAPI.Manifest.Meta.RecordCount != viaPg.Manifest.Meta.RecordCount ||
		len(viaAPI.Manifest.Entries) != len(viaPg.Manifest.Entries) {
		t.Errorf("manifest via the Data API %+v, via pgx %+v", viaAPI.Manifest.Meta, viaPg.Manifest.Meta)
	}
	for i := range viaAPI.Manifest.Entries {
		a, p := viaAPI.Manifest.Entries[i], viaPg.Manifest.Entries[i]
		if a.Meta.RecordCount != p.Meta.RecordCount || strings.Replace(a.URL, "/api/", "/pgx/", 1) != p.URL {
			t.Errorf("entry %d: %+v vs %+v", i, a, p)
		}
	}
	if diff := cmp.Diff(viaPg.Footer.Columns, viaAPI.Footer.Columns, cmp.AllowUnexported(ColumnType{})); diff != "" {
		t.Errorf("footer types (-pgx +data api):\n%s", diff)
	}
	if !strings.Contains(viaAPI.Statement, "IAM_ROLE 'arn:aws:iam::123456789012:role/ferry-unload'") {
		t.Errorf("statement %q", viaAPI.Statement)
	}

	// A failed statement comes back as a StatementError with the
	// database's message.
	_, err = ds.Unload(ctx, provider.UnloadRequest{Table: "public.lineitem",
		Select:  `SELECT "l_orderkey" AS "l_orderkey" FROM "public"."lineitem" LIMIT 10`,
		DataURL: "s3://bkt/limit/data/", ManifestURL: "s3://bkt/limit/manifest"})
	var se *StatementError
	if !errors.As(err, &se) || se.Status != "FAILED" || !strings.Contains(se.Message, "Limit clause") {
		t.Errorf("outer LIMIT via the Data API: err = %v", err)
	}
}

func TestDataAPIConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		api  DataAPIConfig
		want string
	}{
		{"no target", DataAPIConfig{Region: "r", DBUser: "u"}, "either a cluster identifier or a workgroup"},
		{"both targets", DataAPIConfig{Region: "r", ClusterIdentifier: "c", WorkgroupName: "w", DBUser: "u"}, "either a cluster identifier or a workgroup"},
		{"cluster without user", DataAPIConfig{Region: "r", ClusterIdentifier: "c"}, "database user or a secret ARN"},
		{"user and secret", DataAPIConfig{Region: "r", ClusterIdentifier: "c", DBUser: "u", SecretARN: "s"}, "not both"},
		{"no region", DataAPIConfig{WorkgroupName: "w"}, "region is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := tc.api
			_, err := NewDataAPI(context.Background(), Config{Database: "dev", DataAPI: &api})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := New(context.Background(), Config{Database: "dev", DataAPI: &DataAPIConfig{}}); err == nil || !strings.Contains(err.Error(), "NewDataAPI") {
		t.Errorf("New with a Data API config: err = %v", err)
	}
}
