package plan

import (
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/internal/golden"
)

func TestRenderGraphGolden(t *testing.T) {
	tests := []struct {
		name        string
		render      func(*Plan, bool) string
		changedOnly bool
	}{
		{"graph_changed.dot.golden", RenderDOT, true},
		{"graph_all.dot.golden", RenderDOT, false},
		{"graph_changed.mermaid.golden", RenderMermaid, true},
		{"graph_all.mermaid.golden", RenderMermaid, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden.Check(t, tt.name, tt.render(fixturePlan(), tt.changedOnly))
		})
	}
}

func TestRenderGraphChangedOnly(t *testing.T) {
	p := fixturePlan()
	for _, out := range []string{RenderDOT(p, true), RenderMermaid(p, true)} {
		if strings.Contains(out, "public.staff") || strings.Contains(out, "public_staff") {
			t.Errorf("changed-only graph shows the unchanged table:\n%s", out)
		}
	}
	if !strings.Contains(RenderDOT(p, false), `"migration.hr.table.public.staff.copy" -> "migration.hr.table.public.staff.load"`) {
		t.Error("full graph lacks the unchanged table's edges")
	}
}

func TestRenderMermaidIDs(t *testing.T) {
	p := &Plan{Resources: []*Resource{
		{Addr: "end", Kind: KindQuery, Action: Create},
		{Addr: "a.b", Kind: KindQuery, Action: Create},
		{Addr: "a_b", Kind: KindQuery, Action: Create, DependsOn: []string{"a.b", "end"}},
		{Addr: `migration.m"x.table.s.t<1>.unload`, Kind: KindUnload, Action: Replace, Migration: `m"x`, SourceTable: `s.t<1>`},
	}}
	got := RenderMermaid(p, true)
	for _, want := range []string{
		"\tr_end[\"+ query end\"]:::create\n",
		"\tr_a_b[\"+ query a\"]:::create\n",
		"\tr_a_b_2[\"+ query a_b\"]:::create\n",
		"\tsubgraph m_m_x [\"migration m#quot;x\"]\n",
		"\t\tr_migration_m_x_table_s_t_1__unload[\"-/+ unload s.t#lt;1#gt;\"]:::replace\n",
		"\tr_end --> r_a_b_2\n\tr_a_b --> r_a_b_2\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Mermaid lacks %q:\n%s", want, got)
		}
	}
}
