package plan

import (
	"fmt"
	"sort"
	"strings"
)

// Risk codes. They are stable: users list them in --fail-on and CI
// scripts match them, so a code is never renamed or reused.
const (
	RiskLossyType          = "lossy_type"
	RiskLargeUnpartitioned = "large_unpartitioned"
	RiskForget             = "forget"
	RiskReplaceTable       = "replace_table"
)

// RiskCodes describes every risk code in one line, for `--fail-on` help
// and documentation.
var RiskCodes = map[string]string{
	RiskLossyType:          "a source column maps to a target type that cannot hold every value exactly",
	RiskLargeUnpartitioned: "a large source table is loaded into a target table without partitions",
	RiskForget:             "a table left the configuration; its target table and staged files stay behind",
	RiskReplaceTable:       "a target table will be dropped and re-created, losing what it holds now",
}

// RiskOptions set the thresholds of the risk checks. A zero threshold
// turns its check off.
type RiskOptions struct {
	// LargeRows and LargeBytes: an unload above either is large.
	LargeRows  int64
	LargeBytes int64
}

// DefaultRiskOptions are the thresholds ferry uses unless configured:
// above them a single unpartitioned load is slow to run again and
// expensive to scan in MaxCompute.
func DefaultRiskOptions() RiskOptions {
	return RiskOptions{LargeRows: 1_000_000_000, LargeBytes: 100 << 30}
}

// Risks returns the plan's warnings together with the risks found by the
// checks below, sorted by code then address. The planner's own warnings
// (lossy_type) are included unchanged; a check adds nothing where the
// planner already warned with the same code and address.
func Risks(p *Plan, opts RiskOptions) []Warning {
	out := append([]Warning(nil), p.Warnings...)
	have := map[[2]string]bool{}
	for _, w := range p.Warnings {
		have[[2]string{w.Code, w.Addr}] = true
	}
	for _, check := range []func(*Plan, RiskOptions) []Warning{
		largeUnpartitioned, forgotten, replacedTables,
	} {
		for _, w := range check(p, opts) {
			if !have[[2]string{w.Code, w.Addr}] {
				out = append(out, w)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Code != out[j].Code {
			return out[i].Code < out[j].Code
		}
		return out[i].Addr < out[j].Addr
	})
	return out
}

// FailOn returns the warnings whose code is one of codes, in order: a
// non-empty result fails a run started with --fail-on.
func FailOn(ws []Warning, codes []string) []Warning {
	want := map[string]bool{}
	for _, c := range codes {
		want[strings.TrimSpace(c)] = true
	}
	var out []Warning
	for _, w := range ws {
		if want[w.Code] {
			out = append(out, w)
		}
	}
	return out
}

// largeUnpartitioned flags unloads that will run and exceed a threshold
// while their table has no partition columns: the whole table lands in a
// single partition, and every rerun moves all of it again.
func largeUnpartitioned(p *Plan, opts RiskOptions) []Warning {
	var out []Warning
	for _, r := range p.Resources {
		if r.Unload == nil || r.Action == NoOp {
			continue
		}
		u := r.Unload
		large := (opts.LargeRows > 0 && u.Rows > opts.LargeRows) || (opts.LargeBytes > 0 && u.Bytes > opts.LargeBytes)
		if !large {
			continue
		}
		if t := p.Resource(GroupKey(r.Addr) + "." + string(KindTable)); t != nil && t.Table != nil && len(t.Table.PartitionColumns) > 0 {
			continue
		}
		out = append(out, Warning{
			Code: RiskLargeUnpartitioned,
			Addr: r.Addr,
			Message: fmt.Sprintf("%s: %s rows (%s) load into an unpartitioned table — fix: partition the target table, or split the table into smaller migrations with a where filter",
				tableOf(r), Count(u.Rows), Bytes(u.Bytes)),
		})
	}
	return out
}

// forgotten flags each table (or query) with Forget actions once, at the
// table's address: ferry never drops data, so whatever the table produced
// is left for someone to clean up or adopt again.
func forgotten(p *Plan, _ RiskOptions) []Warning {
	type group struct {
		kinds []string
		all   bool
	}
	groups := map[string]*group{}
	var keys []string
	for _, r := range p.Resources {
		key := GroupKey(r.Addr)
		if r.Kind == KindQuery {
			key = r.Addr
		}
		g := groups[key]
		if g == nil {
			g = &group{all: true}
			groups[key] = g
			keys = append(keys, key)
		}
		if r.Action == Forget && r.Reason != ReasonRemoved {
			g.kinds = append(g.kinds, string(r.Kind))
		} else {
			g.all = false
		}
	}
	var out []Warning
	for _, key := range keys {
		g := groups[key]
		if len(g.kinds) == 0 {
			continue
		}
		var msg string
		switch {
		case isQueryAddr(key):
			msg = "query removed from configuration; ferry forgets its last result — fix: nothing to clean up; restore the query block to keep comparing it"
		case g.all:
			msg = "table removed from configuration; ferry keeps the target table and staged files — fix: drop them by hand once nothing reads them, or restore the table in the configuration to keep managing it"
		default:
			msg = fmt.Sprintf("%s step removed from configuration; ferry keeps what it produced — fix: remove leftovers by hand if unwanted, or restore the step in the configuration",
				strings.Join(g.kinds, ", "))
		}
		out = append(out, Warning{Code: RiskForget, Addr: key, Message: msg})
	}
	return out
}

// replacedTables flags target tables that will be dropped and re-created.
func replacedTables(p *Plan, _ RiskOptions) []Warning {
	var out []Warning
	for _, r := range p.Resources {
		if r.Kind != KindTable || r.Action != Replace {
			continue
		}
		name := r.TargetTable
		if r.Table != nil {
			name = r.Table.Name
			if r.Table.Target != "" {
				name += " in " + r.Table.Target
			}
		}
		why := r.Reason.String()
		if r.Detail != "" {
			why += ": " + r.Detail
		}
		out = append(out, Warning{
			Code: RiskReplaceTable,
			Addr: r.Addr,
			Message: fmt.Sprintf("target table %s will be dropped and re-created (%s) — fix: back up rows that exist only in the target first, or undo the change that forces the replacement",
				name, why),
		})
	}
	return out
}

func isQueryAddr(key string) bool {
	rest, ok := strings.CutPrefix(key, "migration.")
	if !ok {
		return false
	}
	_, rest, _ = strings.Cut(rest, ".")
	return strings.HasPrefix(rest, "query.")
}
