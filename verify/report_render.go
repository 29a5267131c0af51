package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// This file renders a set of reports for people (text, Markdown) and for
// programs (JSON); report_html.go renders a whole apply as one HTML page.
// Every view is built from the same Report values and is deterministic:
// reports are sorted by name, checks keep the order they were made in.

// NamedReport is a report under the name of what produced it, such as the
// address of a verify resource.
type NamedReport struct {
	Name   string  `json:"name"`
	Report *Report `json:"report"`
}

// sortedReports returns the reports sorted by name.
func sortedReports(reports []NamedReport) []NamedReport {
	out := append([]NamedReport(nil), reports...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// failedChecks returns the checks that ran and found a mismatch.
func failedChecks(r *Report) []CheckResult {
	var out []CheckResult
	for _, c := range r.Checks {
		if !c.Passed && !c.Skipped {
			out = append(out, c)
		}
	}
	return out
}

// tally counts passed, failed and pending (nil) reports.
func tally(reports []NamedReport) (passed, failed, pending int) {
	for _, r := range reports {
		switch {
		case r.Report == nil:
			pending++
		case r.Report.Passed:
			passed++
		default:
			failed++
		}
	}
	return passed, failed, pending
}

// tallyText renders the counts: "2 passed, 1 failed, 1 pending".
func tallyText(reports []NamedReport) string {
	passed, failed, pending := tally(reports)
	return fmt.Sprintf("%d passed, %d failed, %d pending", passed, failed, pending)
}

// pendingText stands for a report that does not exist yet.
const pendingText = "pending: not verified yet"

// RenderReportsText writes one line per report (its Summary) and, under a
// failed report, one indented line per failed check and its samples; a
// nil report is pending:
//
//	verify.orders: FAILED: price sum 221.37 ≠ 221.38
//	  aggregates:price:sum: source 221.37, target 221.38 (sum of price differs)
//	  sample id=8 (price): source 8 | 5.55 … / target 8 | 5.56 …
//	1 passed, 1 failed, 0 pending
func RenderReportsText(w io.Writer, reports []NamedReport) error {
	reports = sortedReports(reports)
	var b strings.Builder
	for _, nr := range reports {
		r := nr.Report
		if r == nil {
			fmt.Fprintf(&b, "%s: %s\n", nr.Name, pendingText)
			continue
		}
		fmt.Fprintf(&b, "%s: %s\n", nr.Name, r.Summary())
		for _, c := range failedChecks(r) {
			fmt.Fprintf(&b, "  %s: source %s, target %s", c.Name, c.Source, c.Target)
			if c.Detail != "" {
				fmt.Fprintf(&b, " (%s)", c.Detail)
			}
			b.WriteString("\n")
		}
		for _, s := range r.Samples {
			fmt.Fprintf(&b, "  sample %s%s: source %s / target %s\n",
				sampleKeyText(r, s), sampleColumnsText(s), rowOrAbsent(s.Source), rowOrAbsent(s.Target))
		}
		if !r.Passed && r.SampleNote != "" {
			fmt.Fprintf(&b, "  samples: %s\n", r.SampleNote)
		}
	}
	b.WriteString(tallyText(reports) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// RenderReportsJSON writes the reports as one indented JSON document,
// {"reports": [{"name": …, "report": {…}}], "passed": n, "failed": n,
// "pending": n}, every statement run included; a pending report is null.
func RenderReportsJSON(w io.Writer, reports []NamedReport) error {
	reports = sortedReports(reports)
	passed, failed, pending := tally(reports)
	doc := struct {
		Reports []NamedReport `json:"reports"`
		Passed  int           `json:"passed"`
		Failed  int           `json:"failed"`
		Pending int           `json:"pending"`
	}{reports, passed, failed, pending}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// RenderReportsMarkdown writes a table of every report, then a section
// per failed report with its failed checks and samples, for pull requests
// and tickets.
func RenderReportsMarkdown(w io.Writer, reports []NamedReport) error {
	reports = sortedReports(reports)
	var b strings.Builder
	fmt.Fprintf(&b, "## Verification: %s\n\n", tallyText(reports))
	b.WriteString("| Name | Level | Result | Summary |\n|---|---|---|---|\n")
	for _, nr := range reports {
		if nr.Report == nil {
			fmt.Fprintf(&b, "| %s |  | pending | %s |\n", mdCell(nr.Name), pendingText)
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(nr.Name), mdCell(nr.Report.Level),
			resultWord(nr.Report), mdCell(nr.Report.Summary()))
	}
	for _, nr := range reports {
		r := nr.Report
		if r == nil || r.Passed {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n| Check | Source | Target | Detail |\n|---|---|---|---|\n", mdCell(nr.Name))
		for _, c := range failedChecks(r) {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(c.Name), mdCell(c.Source), mdCell(c.Target), mdCell(c.Detail))
		}
		if len(r.Samples) > 0 {
			b.WriteString("\n| Key | Columns | Source row | Target row |\n|---|---|---|---|\n")
			for _, s := range r.Samples {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(sampleKeyText(r, s)),
					mdCell(strings.Join(s.Columns, ", ")), mdCell(rowOrAbsent(s.Source)), mdCell(rowOrAbsent(s.Target)))
			}
		}
		if r.SampleNote != "" {
			fmt.Fprintf(&b, "\nSamples: %s\n", mdCell(r.SampleNote))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// resultWord is a report's verdict in one word.
func resultWord(r *Report) string {
	switch {
	case !r.Passed:
		return "failed"
	case r.SourceChanged:
		return "passed, source changed"
	}
	return "passed"
}

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// sampleKeyText renders a sample's key: "8", or "id=8" when the report
// knows the key columns.
func sampleKeyText(r *Report, s Sample) string {
	if len(r.Key) != len(s.Key) {
		return strings.Join(s.Key, ", ")
	}
	parts := make([]string, len(s.Key))
	for i, k := range s.Key {
		parts[i] = r.Key[i] + "=" + k
	}
	return strings.Join(parts, ", ")
}

// sampleColumnsText renders the differing columns as " (a, b)".
func sampleColumnsText(s Sample) string {
	if len(s.Columns) == 0 {
		return ""
	}
	return " (" + strings.Join(s.Columns, ", ") + ")"
}

// rowOrAbsent renders one side of a sample.
func rowOrAbsent(row *string) string {
	if row == nil {
		return "(no such row)"
	}
	return *row
}
