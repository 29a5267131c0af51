package plan

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/internal/golden"
)

func TestRenderMarkdownGolden(t *testing.T) {
	parts := RenderMarkdown(fixturePlan())
	if len(parts) != 1 {
		t.Fatalf("got %d comments, want 1", len(parts))
	}
	golden.Check(t, "markdown.golden", parts[0])
}

func TestRenderMarkdownNoChanges(t *testing.T) {
	p := &Plan{Resources: tableResources("hr", "public.staff", "staff", 1, 1, customersColumns, allSteps(NoOp, ReasonNone))}
	got := RenderMarkdown(p)
	want := []string{"### ferry plan: no changes\n\nNo changes. Targets match the configuration and the state.\n"}
	if len(got) != 1 || got[0] != want[0] {
		t.Errorf("RenderMarkdown = %q, want %q", got, want)
	}
}

func TestRenderMarkdownRisksLossyFirst(t *testing.T) {
	md := RenderMarkdown(fixturePlan())[0]
	lossy := strings.Index(md, "`lossy_type`")
	other := strings.Index(md, "`source_stats_stale`")
	if lossy < 0 || other < 0 || lossy > other {
		t.Errorf("lossy_type at %d, source_stats_stale at %d: want lossy_type listed first", lossy, other)
	}
	if !strings.Contains(md, "MAP&lt;STRING,STRING&gt;") || !strings.Contains(md, `JSON text \| arrays`) {
		t.Errorf("risk message not escaped for Markdown:\n%s", md)
	}
}

func TestRenderMarkdownDeterministic(t *testing.T) {
	first := strings.Join(RenderMarkdown(fixturePlan()), "\x00")
	for range 20 {
		if got := strings.Join(RenderMarkdown(fixturePlan()), "\x00"); got != first {
			t.Fatal("RenderMarkdown output differs between runs")
		}
	}
}

// manyTables is a plan creating n tables, each with a lossy column.
func manyTables(n int) *Plan {
	p := &Plan{ID: "big"}
	for i := range n {
		source := fmt.Sprintf("public.events_%03d", i)
		p.Resources = append(p.Resources, tableResources("warehouse", source, fmt.Sprintf("events_%03d", i),
			int64(1000+i), int64(1<<20+i), ordersColumns, allSteps(Create, ReasonNew))...)
		p.Warnings = append(p.Warnings, Warning{
			Code: RiskLossyType, Addr: "migration.warehouse.table." + source + ".table",
			Message: source + ".created_at: TIMESTAMPTZ -> DATETIME: time zone dropped; values are kept in UTC",
		})
	}
	return p
}

func TestRenderMarkdownSplit(t *testing.T) {
	const n = 400
	parts := RenderMarkdown(manyTables(n))
	if len(parts) < 2 {
		t.Fatalf("400 tables rendered as %d comment(s), want several", len(parts))
	}
	heading := regexp.MustCompile(`^### ferry plan: 2000 to create, 0 to replace, 0 to forget \(part (\d+) of (\d+)\)\n\n`)
	summaries := map[string]int{}
	for i, part := range parts {
		if len(part) >= 65000 {
			t.Errorf("part %d has %d bytes, want < 65,000", i+1, len(part))
		}
		m := heading.FindStringSubmatch(part)
		if m == nil || m[1] != fmt.Sprint(i+1) || m[2] != fmt.Sprint(len(parts)) {
			t.Errorf("part %d heading: %q", i+1, firstLine(part))
		}
		checkBalanced(t, i+1, part)
		for _, s := range regexp.MustCompile(`<summary><code>([^<]+)</code>`).FindAllStringSubmatch(part, -1) {
			summaries[s[1]]++
		}
	}
	if len(summaries) != n {
		t.Errorf("found %d tables across parts, want %d", len(summaries), n)
	}
	for k, c := range summaries {
		if c != 1 {
			t.Errorf("table %s appears in %d <details> blocks, want 1", k, c)
		}
	}
	all := strings.Join(parts, "\n")
	if got := strings.Count(all, "- :warning: `lossy_type`"); got != n {
		t.Errorf("%d risks across parts, want %d", got, n)
	}
	if !strings.Contains(parts[0], "#### Risks\n") {
		t.Error("first part lacks the Risks section")
	}
	if !strings.Contains(parts[len(parts)-1], "Left out: 2000 changed resources with 1600 edges") {
		t.Errorf("graph of 2000 nodes not left out; last part ends:\n%s", tail(parts[len(parts)-1]))
	}
}

// TestRenderMarkdownSplitWideTable: a table too wide for one comment is
// continued in further complete <details> blocks, the column table's
// header repeated.
func TestRenderMarkdownSplitWideTable(t *testing.T) {
	var cols []ColumnMapping
	for i := range 1500 {
		cols = append(cols, ColumnMapping{
			Source: fmt.Sprintf("measure_%04d", i), SourceType: "DOUBLE PRECISION",
			Target: fmt.Sprintf("measure_%04d", i), TargetType: "DOUBLE", FileType: "DOUBLE", Exact: true,
		})
	}
	p := &Plan{Resources: tableResources("wide", "public.metrics", "metrics", 10, 10, cols, allSteps(Create, ReasonNew))}
	parts := RenderMarkdown(p)
	if len(parts) < 2 {
		t.Fatalf("got %d comment(s), want several", len(parts))
	}
	rows := 0
	for i, part := range parts {
		if len(part) > MarkdownLimit {
			t.Errorf("part %d has %d bytes, want <= %d", i+1, len(part), MarkdownLimit)
		}
		checkBalanced(t, i+1, part)
		if i > 0 && !strings.Contains(part, "(continued)</summary>\n\n| Source column |") {
			t.Errorf("part %d does not reopen the column table:\n%s", i+1, head(part))
		}
		rows += strings.Count(part, "| `DOUBLE PRECISION` |")
	}
	if rows != len(cols) {
		t.Errorf("%d column rows across parts, want %d", rows, len(cols))
	}
}

func checkBalanced(t *testing.T, n int, part string) {
	t.Helper()
	open, closed := strings.Count(part, "<details>"), strings.Count(part, "</details>")
	if open != closed {
		t.Errorf("part %d: %d <details> but %d </details>", n, open, closed)
	}
	depth := 0
	for _, line := range strings.Split(part, "\n") {
		if strings.HasPrefix(line, "<details>") {
			depth++
		}
		if line == "</details>" {
			depth--
		}
		if depth < 0 || depth > 1 {
			t.Errorf("part %d: <details> nesting %d", n, depth)
		}
	}
	if fences := strings.Count(part, "```"); fences%2 != 0 {
		t.Errorf("part %d: %d code fence markers, want an even number", n, fences)
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func head(s string) string { return s[:min(len(s), 400)] }

func tail(s string) string { return s[max(0, len(s)-400):] }
