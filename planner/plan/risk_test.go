package plan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRisks(t *testing.T) {
	p := fixturePlan()
	got := Risks(p, RiskOptions{LargeRows: 1_000_000_000, LargeBytes: 100 << 30})
	want := []Warning{
		{Code: "forget", Addr: "migration.hr.query.headcount",
			Message: "query removed from configuration; ferry forgets its last result — fix: nothing to clean up; restore the query block to keep comparing it"},
		{Code: "forget", Addr: "migration.sales.table.public.legacy_events",
			Message: "table removed from configuration; ferry keeps the target table and staged files — fix: drop them by hand once nothing reads them, or restore the table in the configuration to keep managing it"},
		{Code: "large_unpartitioned", Addr: "migration.sales.table.public.customers.unload",
			Message: "public.customers: 3,000,000,000 rows (200.0 GiB) load into an unpartitioned table — fix: partition the target table, or split the table into smaller migrations with a where filter"},
		p.Warnings[1],
		p.Warnings[2],
		{Code: "replace_table", Addr: "migration.sales.table.public.customers.table",
			Message: "target table customers in target.maxcompute.dw will be dropped and re-created (config changed: column email: VARCHAR(128) -> STRING) — fix: back up rows that exist only in the target first, or undo the change that forces the replacement"},
		p.Warnings[0],
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Risks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(fixturePlan().Warnings, p.Warnings); diff != "" {
		t.Errorf("Risks changed the plan's warnings (-want +got):\n%s", diff)
	}
	for _, w := range got {
		if _, ok := RiskCodes[w.Code]; !ok && w.Code != "source_stats_stale" {
			t.Errorf("code %q is not documented in RiskCodes", w.Code)
		}
		if _, ok := RiskCodes[w.Code]; ok && w.Code != RiskLossyType && !strings.Contains(w.Message, " — fix: ") {
			t.Errorf("%s %s: message has no fix: %q", w.Code, w.Addr, w.Message)
		}
	}
}

func TestRisksThresholds(t *testing.T) {
	tests := []struct {
		name      string
		opts      RiskOptions
		partition bool
		action    Action
		want      int
	}{
		{"rows above", RiskOptions{LargeRows: 999}, false, Create, 1},
		{"bytes above", RiskOptions{LargeBytes: 1 << 20}, false, Create, 1},
		{"at threshold", RiskOptions{LargeRows: 1000, LargeBytes: 2 << 20}, false, Create, 0},
		{"checks off", RiskOptions{}, false, Create, 0},
		{"partitioned", RiskOptions{LargeRows: 1}, true, Create, 0},
		{"not running", RiskOptions{LargeRows: 1}, false, NoOp, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Plan{Resources: tableResources("m", "s.t", "t", 1000, 2<<20, customersColumns, allSteps(tt.action, ReasonNew))}
			if tt.partition {
				p.Resource("migration.m.table.s.t.table").Table.PartitionColumns = []Column{{Name: "ds", Type: "STRING"}}
			}
			got := FailOn(Risks(p, tt.opts), []string{RiskLargeUnpartitioned})
			if len(got) != tt.want {
				t.Errorf("got %d large_unpartitioned warnings, want %d: %v", len(got), tt.want, got)
			}
		})
	}
}

func TestRisksPartialForgetAndDedup(t *testing.T) {
	rs := tableResources("m", "s.t", "t", 1, 1, customersColumns, allSteps(NoOp, ReasonNone))
	rs[4].Action, rs[4].Reason = Forget, ReasonNotInConfig
	p := &Plan{Resources: rs, Warnings: []Warning{
		{Code: RiskForget, Addr: "migration.m.table.s.t", Message: "from the planner"},
	}}
	want := []Warning{{Code: RiskForget, Addr: "migration.m.table.s.t", Message: "from the planner"}}
	if diff := cmp.Diff(want, Risks(p, RiskOptions{})); diff != "" {
		t.Errorf("planner warning not kept alone (-want +got):\n%s", diff)
	}
	p.Warnings = nil
	want = []Warning{{Code: RiskForget, Addr: "migration.m.table.s.t",
		Message: "verify step removed from configuration; ferry keeps what it produced — fix: remove leftovers by hand if unwanted, or restore the step in the configuration"}}
	if diff := cmp.Diff(want, Risks(p, RiskOptions{})); diff != "" {
		t.Errorf("partial forget (-want +got):\n%s", diff)
	}
}

func TestFailOn(t *testing.T) {
	ws := []Warning{
		{Code: RiskLossyType, Addr: "a"},
		{Code: RiskForget, Addr: "b"},
		{Code: RiskLossyType, Addr: "c"},
	}
	tests := []struct {
		codes []string
		want  []Warning
	}{
		{nil, nil},
		{[]string{"replace_table"}, nil},
		{[]string{"lossy_type"}, []Warning{ws[0], ws[2]}},
		{[]string{"forget", " lossy_type "}, ws},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.codes, ","), func(t *testing.T) {
			if diff := cmp.Diff(tt.want, FailOn(ws, tt.codes)); diff != "" {
				t.Errorf("FailOn(%q) (-want +got):\n%s", tt.codes, diff)
			}
		})
	}
}
