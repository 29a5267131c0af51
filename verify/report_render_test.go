package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// renderFixture is a failed report with samples, a passed report, and a
// report of a source that changed since the unload, all run on DuckDB
// with the MD5 fingerprint that a migration between two engines uses.
func renderFixture(t *testing.T) (failed, passed, drifted *Report) {
	t.Helper()
	ctx := context.Background()
	db := newFixture(t)
	q := duckQuerier{db}
	var err error
	if passed, err = run(ctx, q, q, fixtureCheck(LevelFingerprint), nil, true); err != nil {
		t.Fatal(err)
	}
	exec(t, db, "UPDATE dst SET price = 5.56, name = 'del|ta' WHERE id = 8", "DELETE FROM dst WHERE id = 7")
	check := fixtureCheck(LevelFingerprint)
	check.Key = []string{"id"}
	if failed, err = run(ctx, q, q, check, nil, true); err != nil {
		t.Fatal(err)
	}
	if failed.Passed || len(failed.Samples) != 2 {
		t.Fatalf("fixture: passed=%v, %d samples", failed.Passed, len(failed.Samples))
	}
	db2 := newFixture(t)
	exec(t, db2, "INSERT INTO src SELECT * FROM src WHERE id = 8")
	q2 := duckQuerier{db2}
	if drifted, err = run(ctx, q2, q2, fixtureCheck(LevelAggregates), nil, true); err != nil {
		t.Fatal(err)
	}
	// Statements are not part of the renderings compared here.
	for _, r := range []*Report{failed, passed, drifted} {
		r.Statements = nil
	}
	return failed, passed, drifted
}

// checkGolden compares got with testdata/name, rewriting it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

func TestRenderReports(t *testing.T) {
	failed, passed, drifted := renderFixture(t)
	reports := []NamedReport{
		{Name: "verify.sales.orders", Report: failed},
		{Name: "verify.sales.customers", Report: passed},
		{Name: "verify.sales.events", Report: drifted},
		{Name: "verify.sales.pending"},
	}
	for _, tt := range []struct {
		file   string
		render func(*bytes.Buffer) error
	}{
		{"reports.txt.golden", func(b *bytes.Buffer) error { return RenderReportsText(b, reports) }},
		{"reports.md.golden", func(b *bytes.Buffer) error { return RenderReportsMarkdown(b, reports) }},
		{"reports.json.golden", func(b *bytes.Buffer) error { return RenderReportsJSON(b, reports) }},
	} {
		t.Run(tt.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.render(&b); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.file, b.String())
		})
	}
	// The JSON round-trips to the same reports.
	var b bytes.Buffer
	if err := RenderReportsJSON(&b, reports); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Reports                 []NamedReport
		Passed, Failed, Pending int
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Passed != 2 || doc.Failed != 1 || doc.Pending != 1 || len(doc.Reports) != 4 || doc.Reports[2].Name != "verify.sales.orders" {
		t.Errorf("JSON: passed %d failed %d pending %d, %d reports", doc.Passed, doc.Failed, doc.Pending, len(doc.Reports))
	}
	if diff := cmp.Diff(failed, doc.Reports[2].Report); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
}

// reportPage is the page of the HTML tests: two migrations, one with a
// verified, a failed and a pending table.
func reportPage(t *testing.T) ReportPage {
	failed, passed, _ := renderFixture(t)
	return ReportPage{PlanID: "p-20240131-0001", Serial: 42, Migrations: []MigrationReport{{
		Name: "sales",
		Tables: []TableRow{
			{Addr: "migration.sales.table.customers", Source: "public.customers", Target: "customers", Status: "applied",
				Rows: 150000, Bytes: 24 << 20, Duration: 12*time.Second + 345*time.Millisecond,
				Level: "fingerprint", Result: passed.Summary(), Report: passed},
			{Addr: "migration.sales.table.orders", Source: "public.orders", Target: "orders", Status: "applied",
				Rows: 1500000, Bytes: 180 << 20, Duration: 95 * time.Second,
				Level: "fingerprint", Result: "FAILED", Report: failed},
			{Addr: "migration.sales.table.lineitem", Source: "public.lineitem", Target: "lineitem", Status: "loading",
				Rows: 0, Bytes: 0, Level: "aggregates"},
		},
	}, {
		Name: "hr <people>",
		Tables: []TableRow{
			{Addr: "migration.hr.table.staff", Source: "hr.staff", Target: "staff", Status: "applied",
				Rows: 12, Bytes: 900, Duration: 800 * time.Millisecond, Level: "count", Result: passed.Summary(), Report: passed},
		},
	}}}
}

func TestRenderReportsHTML(t *testing.T) {
	var b bytes.Buffer
	if err := RenderReportsHTML(&b, reportPage(t)); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	checkGolden(t, "report.html.golden", got)
	for _, want := range []string{
		`id="summary-sales-verified">1<`, `id="summary-sales-failed">1<`, `id="summary-sales-pending">1<`,
		`id="summary-hr--people--verified">1<`, "<svg", "aggregates:price:sum", "del|ta", "no such row",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, banned := range []string{"http://", "https://", "<script", "<link", "@import", "src="} {
		if strings.Contains(strings.ReplaceAll(got, `xmlns="http://www.w3.org/2000/svg"`, ""), banned) {
			t.Errorf("page is not self-contained: it has %q", banned)
		}
	}
	if strings.Contains(got, "<people>") {
		t.Error("migration name not escaped")
	}
}
