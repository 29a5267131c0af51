package planner_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/internal/connect"
	"github.com/ferry-dev/ferry/planner"
	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/state"
)

// fixture writes a small DuckDB source (two tables with declared Redshift
// types) and a configuration around it, and returns the loaded config.
func fixture(t *testing.T, table string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("duckdb", filepath.Join(dir, "src.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE sales (id BIGINT NOT NULL, amount DECIMAL(12,2), region VARCHAR, sold DATE)`,
		`COMMENT ON COLUMN sales.region IS 'VARCHAR(16)'`,
		`INSERT INTO sales VALUES (1, 10.50, 'eu', DATE '2024-01-02'), (2, 3.25, 'us', DATE '2024-01-03')`,
		`CREATE TABLE notes (id INTEGER, body VARCHAR)`,
		`INSERT INTO notes VALUES (1, 'x')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	cfg := `
source "duckdb" "src" { path = "src.duckdb" }
bucket "local" "stage" { path = "stage" }
target "duckdb" "dw" { path = "dw.duckdb" }
migration "m" {
  from   = source.duckdb.src
  via    = [bucket.local.stage]
  to     = target.duckdb.dw
  tables = ["main.*"]
` + table + `
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.ferry.hcl"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	c, diags := config.Load(dir, config.LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return c
}

func makePlan(t *testing.T, cfg *config.Config, st *state.File, opts planner.Options) (*plan.Plan, string) {
	t.Helper()
	reg := connect.New(cfg)
	t.Cleanup(func() { reg.Close() })
	p, diags := planner.Plan(context.Background(), cfg, st, reg, opts)
	var msgs []string
	for _, d := range diags {
		msgs = append(msgs, d.Summary+": "+d.Detail)
	}
	return p, strings.Join(msgs, "\n")
}

// actions summarises a plan as address suffix -> action (reason).
func actions(p *plan.Plan) map[string]string {
	out := map[string]string{}
	for _, r := range p.Resources {
		if r.Action != plan.NoOp {
			out[strings.TrimPrefix(r.Addr, "migration.m.table.")] = r.Action.String() + " (" + r.Reason.String() + ")"
		}
	}
	return out
}

func TestFreshPlanCreatesEveryStep(t *testing.T) {
	p, errs := makePlan(t, fixture(t, ""), nil, planner.Options{})
	if errs != "" {
		t.Fatal(errs)
	}
	want := map[string]string{}
	for _, tb := range []string{"main.notes", "main.sales"} {
		for _, k := range []string{"unload", "copy", "table", "load", "verify"} {
			want[tb+"."+k] = "create (new)"
		}
	}
	if diff := cmp.Diff(want, actions(p)); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	u := p.Resource("migration.m.table.main.sales.unload").Unload
	wantSelect := `SELECT "id" AS "id", "amount" AS "amount", "region" AS "region", "sold" AS "sold" FROM "main"."sales"`
	if u.Select != wantSelect || u.Rows != 2 {
		t.Errorf("unload select %q rows %d", u.Select, u.Rows)
	}
}

func TestTargetAndExclude(t *testing.T) {
	cfg := fixture(t, "")
	p, _ := makePlan(t, cfg, nil, planner.Options{Targets: []string{"migration.m.table.main.notes.load"}})
	want := map[string]string{
		"main.notes.unload": "create (new)", "main.notes.copy": "create (new)",
		"main.notes.table": "create (new)", "main.notes.load": "create (new)",
	}
	if diff := cmp.Diff(want, actions(p)); diff != "" {
		t.Errorf("--target (-want +got):\n%s", diff)
	}
	p, _ = makePlan(t, cfg, nil, planner.Options{Excludes: []string{"migration.m.table.main.sales.copy"}})
	got := actions(p)
	for _, k := range []string{"main.sales.copy", "main.sales.load", "main.sales.verify"} {
		if _, ok := got[k]; ok {
			t.Errorf("--exclude kept %s", k)
		}
	}
	if got["main.sales.unload"] != "create (new)" || got["main.sales.table"] != "create (new)" {
		t.Errorf("--exclude dropped more than the dependents: %v", got)
	}
}

func TestPartitionKeys(t *testing.T) {
	p, errs := makePlan(t, fixture(t, `table "main.sales" { partition_by = ["sold"] }`), nil, planner.Options{})
	if errs != "" {
		t.Fatal(errs)
	}
	r := p.Resource("migration.m.table.main.sales.table").Table
	if diff := cmp.Diff([]plan.Column{{Name: "sold", Type: "STRING"}}, r.PartitionColumns); diff != "" {
		t.Errorf("partition columns (-want +got):\n%s", diff)
	}
	if len(r.Columns) != 3 {
		t.Errorf("data columns: %d, want 3 (the key is not one)", len(r.Columns))
	}
	u := p.Resource("migration.m.table.main.sales.unload").Unload
	if !strings.HasSuffix(u.Select, `CAST("sold" AS VARCHAR) AS "sold" FROM "main"."sales"`) || len(u.PartitionBy) != 1 {
		t.Errorf("unload: %q %v", u.Select, u.PartitionBy)
	}
	_, errs = makePlan(t, fixture(t, `table "main.sales" { partition_by = ["amount"] }`), nil, planner.Options{})
	if !strings.Contains(errs, "Invalid partition column: Table main.sales: amount is DECIMAL(12,2); MaxCompute partition keys are STRING") {
		t.Errorf("DECIMAL key: %q", errs)
	}
}

func TestApplyMoves(t *testing.T) {
	st := state.New("test", "l")
	for _, a := range []string{"migration.a.table.s.t.unload", "migration.a.table.s.t.load", "migration.b.table.s.t.load"} {
		st.Resources[a] = &state.Resource{Addr: a}
	}
	moves := planner.ApplyMoves(st, []plan.Move{{From: "migration.a", To: "migration.b"}, {From: "migration.gone", To: "migration.x"}})
	want := []plan.Move{{From: "migration.a.table.s.t.unload", To: "migration.b.table.s.t.unload"}}
	if diff := cmp.Diff(want, moves); diff != "" {
		t.Errorf("moves (-want +got):\n%s", diff)
	}
	if st.Resources["migration.a.table.s.t.load"] == nil {
		t.Error("a move onto an address the state already has must leave both alone")
	}
}

// releaseWatch is the registry, failing the test when the planner reads a
// provider after it said it was done with them.
type releaseWatch struct {
	planner.Providers
	t        *testing.T
	released int
}

func (w *releaseWatch) check(addr string) {
	if w.released > 0 {
		w.t.Errorf("the planner opened %s after calling Released", addr)
	}
}

func (w *releaseWatch) Source(ctx context.Context, addr string) (provider.Source, error) {
	w.check(addr)
	return w.Providers.Source(ctx, addr)
}

func (w *releaseWatch) Bucket(ctx context.Context, addr string) (provider.Bucket, error) {
	w.check(addr)
	return w.Providers.Bucket(ctx, addr)
}

func (w *releaseWatch) Target(ctx context.Context, addr string) (provider.Target, error) {
	w.check(addr)
	return w.Providers.Target(ctx, addr)
}

func TestReleasedAfterTheLastProviderRead(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts planner.Options
	}{
		{"refresh", planner.Options{}},
		{"no refresh", planner.Options{NoRefresh: true}},
		{"preflight", planner.Options{Preflight: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fixture(t, "")
			reg := connect.New(cfg)
			t.Cleanup(func() { reg.Close() })
			w := &releaseWatch{Providers: reg, t: t}
			opts := tc.opts
			opts.Released = func() { w.released++ }
			p, diags := planner.Plan(context.Background(), cfg, nil, w, opts)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if w.released != 1 {
				t.Errorf("Released called %d times, want once", w.released)
			}
			if len(p.Resources) == 0 {
				t.Error("empty plan")
			}
		})
	}
}
