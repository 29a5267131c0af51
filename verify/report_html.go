package verify

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"
)

// ReportPage is one apply's verification across migrations, rendered by
// RenderReportsHTML as a single self-contained HTML file.
type ReportPage struct {
	// PlanID and Serial identify the plan applied and the state serial it
	// produced.
	PlanID string
	Serial uint64
	// Migrations are shown in the order given.
	Migrations []MigrationReport
}

// MigrationReport is one migration's tables.
type MigrationReport struct {
	Name   string
	Tables []TableRow
}

// TableRow is one table of a migration: where it came from and went, what
// its transfer cost, and its verification.
type TableRow struct {
	// Addr is the table's resource address; Source and Target name the
	// source and target tables.
	Addr, Source, Target string
	// Status is the resource's status in words ("applied", "failed", …).
	Status string
	// Rows and Bytes are what was transferred; Duration how long it took.
	Rows, Bytes int64
	Duration    time.Duration
	// Level is the verification level and Result its outcome in words.
	Level, Result string
	// Report is the verification report, nil while the table is not
	// verified.
	Report *Report
}

// tableState classifies a table for a migration's summary: verified when
// its report passed; failed when its report failed or its Status is
// "failed"; pending otherwise.
func (t TableRow) tableState() string {
	switch {
	case t.Report != nil && t.Report.Passed:
		return "verified"
	case t.Report != nil || strings.EqualFold(t.Status, "failed"):
		return "failed"
	}
	return "pending"
}

//go:embed report.html.tmpl
var reportHTML string

var reportTemplate = template.Must(template.New("report").Parse(reportHTML))

// Chart geometry, in pixels.
const (
	chartLabelWidth = 240
	chartBarWidth   = 340
	chartGap        = 24
	chartRowHeight  = 20
	chartTop        = 22
)

// RenderReportsHTML writes the page: per migration, the summary counts
// (elements with ids summary-<migration>-verified, -failed and -pending),
// the tables, an inline SVG chart of bytes and time per table, and each
// failed table's mismatched checks and samples. The page needs nothing
// beyond itself: styles are inline and nothing is fetched.
func RenderReportsHTML(w io.Writer, page ReportPage) error {
	view := htmlPage{PlanID: page.PlanID, Serial: page.Serial}
	for _, m := range page.Migrations {
		view.Migrations = append(view.Migrations, migrationView(m))
	}
	return reportTemplate.Execute(w, view)
}

type htmlPage struct {
	PlanID     string
	Serial     uint64
	Migrations []htmlMigration
}

type htmlMigration struct {
	Name, ID                  string
	Verified, Failed, Pending int
	Tables                    []htmlTable
	Chart                     *htmlChart
	Mismatches                []htmlMismatch
}

type htmlTable struct {
	ID, Addr, Source, Target, Status, Class string
	Rows, Bytes, Duration, Level, Result    string
}

type htmlChart struct {
	Width, Height, BytesX, TimeX int
	MaxBytes, MaxTime            string
	Bars                         []htmlBar
}

type htmlBar struct {
	Label, Bytes, Time      string
	Y, TextY, BytesX, TimeX int
	BytesW, TimeW           int
}

type htmlMismatch struct {
	ID, Addr string
	Checks   []CheckResult
	Samples  []htmlSample
	Note     string
}

type htmlSample struct {
	Key, Columns   string
	Source, Target string
}

func migrationView(m MigrationReport) htmlMigration {
	v := htmlMigration{Name: m.Name, ID: slug(m.Name)}
	var maxBytes int64
	var maxTime time.Duration
	for _, t := range m.Tables {
		maxBytes = max(maxBytes, t.Bytes)
		maxTime = max(maxTime, t.Duration)
	}
	if len(m.Tables) > 0 {
		v.Chart = &htmlChart{
			Width:  chartLabelWidth + 2*chartBarWidth + 2*chartGap,
			Height: chartTop + chartRowHeight*len(m.Tables) + 4,
			BytesX: chartLabelWidth, TimeX: chartLabelWidth + chartBarWidth + chartGap,
			MaxBytes: formatBytes(maxBytes), MaxTime: formatDuration(maxTime),
		}
	}
	for i, t := range m.Tables {
		state := t.tableState()
		switch state {
		case "verified":
			v.Verified++
		case "failed":
			v.Failed++
		default:
			v.Pending++
		}
		id := v.ID + "-" + slug(t.Addr)
		v.Tables = append(v.Tables, htmlTable{
			ID: id, Addr: t.Addr, Source: t.Source, Target: t.Target, Status: t.Status, Class: state,
			Rows: formatCount(t.Rows), Bytes: formatBytes(t.Bytes), Duration: formatDuration(t.Duration),
			Level: t.Level, Result: t.Result,
		})
		y := chartTop + i*chartRowHeight
		v.Chart.Bars = append(v.Chart.Bars, htmlBar{
			Label: shorten(t.Addr, 36), Bytes: formatBytes(t.Bytes), Time: formatDuration(t.Duration),
			Y: y, TextY: y + 11, BytesX: v.Chart.BytesX, TimeX: v.Chart.TimeX,
			BytesW: scale(t.Bytes, maxBytes), TimeW: scale(int64(t.Duration), int64(maxTime)),
		})
		if t.Report != nil && !t.Report.Passed {
			v.Mismatches = append(v.Mismatches, mismatchView(id, t.Addr, t.Report))
		}
	}
	return v
}

func mismatchView(id, addr string, r *Report) htmlMismatch {
	m := htmlMismatch{ID: id, Addr: addr, Checks: failedChecks(r), Note: r.SampleNote}
	for _, s := range r.Samples {
		hs := htmlSample{Key: sampleKeyText(r, s), Columns: strings.Join(s.Columns, ", ")}
		if s.Source != nil {
			hs.Source = *s.Source
		}
		if s.Target != nil {
			hs.Target = *s.Target
		}
		m.Samples = append(m.Samples, hs)
	}
	return m
}

// scale is a bar's width for value out of largest; a non-zero value gets
// at least one pixel.
func scale(value, largest int64) int {
	if value <= 0 || largest <= 0 {
		return 0
	}
	return max(1, int(float64(value)/float64(largest)*chartBarWidth))
}

// slug turns a name into an id fragment: lower case letters, digits, "-",
// "_" and "."; anything else becomes "-".
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

// shorten cuts s to n characters, marking the cut with "…".
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// formatBytes renders a size in binary units: "512 B", "1.5 MiB".
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// formatCount writes n with thousands separators: "60,175".
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// formatDuration rounds to milliseconds below a minute, seconds above.
func formatDuration(d time.Duration) string {
	if d >= time.Minute {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}
