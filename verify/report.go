package verify

import (
	"fmt"
	"strings"
)

// Level is how deep a table check goes. Levels are cumulative and ordered
// by cost: each includes the ones before it.
type Level int

// The verification levels, cheapest first.
const (
	// LevelCount compares row counts: source, manifest and target.
	LevelCount Level = iota
	// LevelSchema also proves every mapped column exists on both sides.
	LevelSchema
	// LevelAggregates also compares per-column aggregates.
	LevelAggregates
	// LevelFingerprint also compares bucketed row-hash sums: one full scan
	// per side, catching any cell difference.
	LevelFingerprint
)

var levelNames = [...]string{"count", "schema", "aggregates", "fingerprint"}

// String returns the level's name as configured and reported.
func (l Level) String() string {
	if l >= 0 && int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("level(%d)", int(l))
}

// ParseLevel reads a level name ("count", "schema", "aggregates",
// "fingerprint").
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if s == n {
			return Level(i), nil
		}
	}
	return 0, fmt.Errorf("verify: unknown level %q (want one of %s)", s, strings.Join(levelNames[:], ", "))
}

// Report is the outcome of verifying one table.
type Report struct {
	// Table is the target table verified.
	Table string `json:"table"`
	// Level is the level the check ran at.
	Level string `json:"level"`
	// Passed is true when no check that ran found a mismatch.
	Passed bool `json:"passed"`
	// Fingerprint names the row hash the fingerprint level used: "md5",
	// the MD5 of each row's canonical text, which any two engines agree
	// on, or "<engine> hash" ("duckdb hash"), that engine's own hash of
	// each row's typed values, used when both sides are the same engine.
	// Empty when no fingerprint ran.
	Fingerprint string `json:"fingerprint,omitempty"`
	// SourceChanged is true when the source no longer holds the rows it
	// held at unload while the target matches the unload. That is drift,
	// not a mismatch: Passed stays true, and the content checks, which
	// would compare live source data with the unload, are skipped.
	SourceChanged bool `json:"source_changed"`
	// Key names the target columns identifying a row in Samples.
	Key []string `json:"key,omitempty"`
	// Checks lists every comparison made, in the order made.
	Checks []CheckResult `json:"checks"`
	// Statements lists every statement run, in the order run.
	Statements []Statement `json:"statements"`
	// Samples are rows that differ between the sides, found in the
	// fingerprint buckets that differ when TableCheck.Key is set; at most
	// TableCheck.SampleLimit of them, in key order.
	Samples []Sample `json:"samples,omitempty"`
	// SampleNote says why a mismatch has no samples (no differing row in
	// the rows searched, or a sampling statement that failed).
	SampleNote string `json:"sample_note,omitempty"`
}

// Sample is one row that differs: present on one side only, or present on
// both with different values.
type Sample struct {
	// Key is the canonical text of the row's key columns ("NULL" for
	// NULL), in TableCheck.Key order.
	Key []string `json:"key"`
	// Source and Target are the row's canonical values, column by column
	// in TableCheck.Columns order, separated by " | ", NULL written as
	// NULL; nil when the side has no such row.
	Source *string `json:"source"`
	Target *string `json:"target"`
	// Columns names the target columns whose values differ, when the row
	// is on both sides.
	Columns []string `json:"columns,omitempty"`
}

// CheckResult is one comparison.
type CheckResult struct {
	// Name identifies the comparison: "count", "schema",
	// "schema:<column>", "aggregates:<column>:<measure>",
	// "fingerprint:bucket N" or "query:<name>".
	Name string `json:"name"`
	// Source, Target and Manifest are the compared values as canonical text
	// ("NULL" for SQL NULL); Manifest is set for the count only.
	Source   string `json:"source,omitempty"`
	Target   string `json:"target,omitempty"`
	Manifest string `json:"manifest,omitempty"`
	Passed   bool   `json:"passed"`
	// Skipped is true when the check was not run (see
	// Report.SourceChanged); a skipped check neither passes nor fails.
	Skipped bool `json:"skipped,omitempty"`
	// Detail explains a failure or a skip in words.
	Detail string `json:"detail,omitempty"`
}

// Statement is one SQL statement run on one side.
type Statement struct {
	// Side is "source" or "target".
	Side string `json:"side"`
	SQL  string `json:"sql"`
}

// maxSummaryFailures bounds the failures listed in a summary line.
const maxSummaryFailures = 5

// Summary renders the report as one line, for logs and the CLI:
//
//	lineitem: passed (count 60175 = 60175 = 60175; 61 aggregates over 16 columns; 16 fingerprint buckets (md5); 1 query)
//	lineitem: FAILED: count source 100 manifest 100 target 99; l_tax sum 1.00 ≠ 1.01
func (r *Report) Summary() string {
	if !r.Passed {
		var fails []string
		for _, c := range r.Checks {
			if !c.Passed && !c.Skipped {
				fails = append(fails, failureText(c))
			}
		}
		if len(fails) > maxSummaryFailures {
			more := len(fails) - maxSummaryFailures
			fails = append(fails[:maxSummaryFailures], fmt.Sprintf("and %d more", more))
		}
		return r.Table + ": FAILED: " + strings.Join(fails, "; ")
	}
	var parts []string
	types, aggs, cols, buckets, queries := 0, 0, map[string]bool{}, 0, 0
	for _, c := range r.Checks {
		switch kind, rest, _ := strings.Cut(c.Name, ":"); kind {
		case "count":
			parts = append(parts, countText(c, r.SourceChanged))
		case "schema":
			if rest != "" {
				types++
			}
		case "aggregates":
			if !c.Skipped {
				aggs++
				col, _, _ := strings.Cut(rest, ":")
				cols[col] = true
			}
		case "fingerprint":
			if !c.Skipped {
				buckets++
			}
		case "query":
			if !c.Skipped {
				queries++
			}
		}
	}
	if types > 0 {
		parts = append(parts, plural(types, "column type"))
	}
	if aggs > 0 {
		parts = append(parts, fmt.Sprintf("%d aggregates over %s", aggs, plural(len(cols), "column")))
	}
	if buckets > 0 {
		fp := fmt.Sprintf("%d fingerprint buckets", buckets)
		if r.Fingerprint != "" {
			fp += " (" + r.Fingerprint + ")"
		}
		parts = append(parts, fp)
	}
	if queries > 0 {
		parts = append(parts, plural(queries, "query"))
	}
	head := r.Table + ": passed"
	if r.SourceChanged {
		head += ", source changed since unload"
		parts = append(parts, "content checks skipped")
	}
	return head + " (" + strings.Join(parts, "; ") + ")"
}

// countText renders a passed count check.
func countText(c CheckResult, changed bool) string {
	switch {
	case changed && c.Manifest != "":
		return fmt.Sprintf("count source %s, manifest %s = target %s", c.Source, c.Manifest, c.Target)
	case changed:
		return fmt.Sprintf("count source %s, target %s", c.Source, c.Target)
	case c.Manifest != "":
		return fmt.Sprintf("count %s = %s = %s", c.Source, c.Manifest, c.Target)
	}
	return fmt.Sprintf("count %s = %s", c.Source, c.Target)
}

// failureText renders a failed check for the summary line.
func failureText(c CheckResult) string {
	kind, rest, _ := strings.Cut(c.Name, ":")
	switch kind {
	case "count":
		s := "count source " + c.Source
		if c.Manifest != "" {
			s += " manifest " + c.Manifest
		}
		return s + " target " + c.Target
	case "aggregates":
		col, m, _ := strings.Cut(rest, ":")
		return fmt.Sprintf("%s %s %s ≠ %s", col, m, c.Source, c.Target)
	case "schema":
		if rest != "" {
			return fmt.Sprintf("%s type %s ≠ planned %s", rest, c.Target, c.Source)
		}
	case "fingerprint":
		return kind + " " + rest
	}
	if c.Detail != "" {
		return c.Name + ": " + c.Detail
	}
	return c.Name
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}
