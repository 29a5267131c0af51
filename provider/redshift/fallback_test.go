package redshift

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	emulator "github.com/ferry-dev/ferry/internal/emulator/redshift"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"
)

const analystPassword = "An4lyst'pw-xyz"

// analystEnv adds a non-superuser "analyst" who may read the tables but
// not SVV_TABLE_INFO, as on a Redshift cluster without the grant.
func analystEnv(t *testing.T) *env {
	t.Helper()
	e := newEnvOpts(t, emulator.Options{Users: map[string]emulator.Login{"analyst": {Password: analystPassword, Role: "analyst"}}})
	if _, err := e.up.Exec(context.Background(), `CREATE ROLE analyst LOGIN;
		GRANT USAGE ON SCHEMA public TO analyst;
		GRANT SELECT ON public.lineitem, public.empty_t TO analyst;
		REVOKE SELECT ON pg_catalog.svv_table_info FROM analyst`); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestTablesWithoutTableInfo(t *testing.T) {
	e := analystEnv(t)
	ctx := context.Background()
	want, err := e.source(t).Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		want[i].Bytes = 0
		want[i].Version = strconv.FormatInt(want[i].Rows, 10) + ":0"
	}
	cfg := e.cfg
	cfg.User, cfg.Password = "analyst", analystPassword
	analyst, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer analyst.Close()
	_, err = analyst.Query(ctx, "SELECT count(*) FROM svv_table_info")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Fatalf("analyst reading SVV_TABLE_INFO: err = %v, want permission denied", err)
	}
	got, err := analyst.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Tables for a non-superuser (-superuser, sizes zeroed +analyst):\n%s", diff)
	}

	_, apiCfg := e.dataAPI(t, emulator.DataAPIOptions{})
	apiCfg.DataAPI.DBUser = "analyst"
	viaAPI, err := e.dataSource(t, apiCfg).Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, viaAPI); diff != "" {
		t.Errorf("Tables for a non-superuser via the Data API (-want +got):\n%s", diff)
	}
}

func TestColumnsQueryDropsTableInfo(t *testing.T) {
	if columnsQuery == tablesQuery || strings.Contains(strings.ToLower(columnsQuery), "svv_table_info") {
		t.Errorf("columnsQuery still reads SVV_TABLE_INFO:\n%s", columnsQuery)
	}
}
