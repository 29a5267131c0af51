package planner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/typemap"
	"github.com/ferry-dev/ferry/state"
)

// differ compares desired resources with the state and the observation.
type differ struct {
	plan    *plan.Plan
	state   *state.File
	obs     *observation
	replace []string
	// noRefresh: nothing was observed, so nothing can have drifted.
	noRefresh bool
	// removed are the removed blocks' addresses.
	removed []string
}

func (d *differ) requested(addr string) bool {
	for _, r := range d.replace {
		if addr == r || strings.HasPrefix(addr, r+".") {
			return true
		}
	}
	return false
}

func set(r *plan.Resource, a plan.Action, why plan.Reason, detail string) {
	r.Action, r.Reason, r.Detail = a, why, detail
}

// diff decides each resource's own action, before propagation.
func (d *differ) diff() {
	for _, r := range d.plan.Resources {
		if r.Kind == plan.KindCleanup {
			continue // decided by observation alone, after propagation
		}
		s := d.state.Resources[r.Addr]
		switch {
		case s == nil:
			set(r, plan.Create, plan.ReasonNew, "")
			d.foreignTable(r)
		case d.requested(r.Addr):
			set(r, plan.Replace, plan.ReasonReplaceRequested, "")
		case s.Status == state.StatusRunning:
			set(r, plan.Replace, plan.ReasonInterrupted, "started "+s.StartedAt.UTC().Format("2006-01-02 15:04:05Z")+" and never finished")
		case s.Status == state.StatusTainted:
			set(r, plan.Replace, plan.ReasonTainted, firstLine(s.Error))
		case s.Fingerprint != r.Fingerprint:
			set(r, plan.Replace, plan.ReasonConfigChanged, "")
		default:
			d.drift(r, s)
		}
	}
}

// drift compares what was recorded with what is observed now.
func (d *differ) drift(r *plan.Resource, s *state.Resource) {
	if d.noRefresh {
		return
	}
	switch r.Kind {
	case plan.KindUnload:
		u := r.Unload
		was := s.Observed
		if u.Version != "" && was[plan.ObsVersion] != "" {
			if u.Version != was[plan.ObsVersion] {
				set(r, plan.Replace, plan.ReasonSourceChanged, fmt.Sprintf("rows %s -> %s", count(was[plan.ObsRows]), plan.Count(u.Rows)))
			}
			return
		}
		if was[plan.ObsRows] != strconv.FormatInt(u.Rows, 10) || was[plan.ObsBytes] != strconv.FormatInt(u.Bytes, 10) {
			set(r, plan.Replace, plan.ReasonSourceChanged, fmt.Sprintf("rows %s -> %s", count(was[plan.ObsRows]), plan.Count(u.Rows)))
		}
	case plan.KindTable:
		t, ok := d.obs.targets[r.Table.Target][strings.ToLower(r.Table.Name)]
		if !ok {
			set(r, plan.Create, plan.ReasonTargetMissing, fmt.Sprintf("table %s no longer exists in %s", r.Table.Name, r.Table.Target))
			return
		}
		if diff := schemaDiff(r.Table, t); diff != "" {
			set(r, plan.Replace, plan.ReasonTargetDrift, diff)
		}
	case plan.KindCopy:
		d.generationMoved(r, s)
	case plan.KindLoad:
		if d.generationMoved(r, s) {
			return
		}
		t, ok := d.obs.targets[r.Load.Target][strings.ToLower(r.Load.Table)]
		if !ok || t.Rows < 0 {
			return
		}
		if loaded := s.Observed[plan.ObsRows]; loaded != strconv.FormatInt(t.Rows, 10) {
			set(r, plan.Replace, plan.ReasonTargetDrift, fmt.Sprintf("table has %s rows, ferry loaded %s", plan.Count(t.Rows), count(loaded)))
			d.plan.Warnings = append(d.plan.Warnings, plan.Warning{
				Code: RiskTargetRowsChanged, Addr: r.Addr,
				Message: fmt.Sprintf("target table %s has %s rows but ferry loaded %s: rows were changed outside ferry and the load will overwrite them — fix: check who writes to %s before applying", r.Load.Table, plan.Count(t.Rows), count(loaded), r.Load.Table),
			})
		}
	}
}

// generationMoved plans a copy or load again when the step it reads from
// has since produced another generation (for example after a targeted
// apply that ran only the unload).
func (d *differ) generationMoved(r *plan.Resource, s *state.Resource) bool {
	up := d.state.Resources[r.DependsOn[0]]
	if up == nil || up.Generation == "" || up.Generation == s.Generation {
		return false
	}
	set(r, plan.Replace, plan.ReasonUpstream, fmt.Sprintf("%s now holds generation %s", up.Kind, up.Generation))
	return true
}

// schemaDiff describes how a live table differs from its spec ("" when
// it matches).
func schemaDiff(spec *plan.TableSpec, t provider.TargetTable) string {
	if len(spec.Columns) != len(t.Columns) {
		return fmt.Sprintf("table has %d columns, expected %d", len(t.Columns), len(spec.Columns))
	}
	for i, c := range spec.Columns {
		live := t.Columns[i]
		if !strings.EqualFold(live.Name, c.Target) {
			return fmt.Sprintf("column %d is %s, expected %s", i+1, live.Name, c.Target)
		}
		if normType(live.Type) != normType(c.TargetType) {
			return fmt.Sprintf("column %s is %s, expected %s", c.Target, live.Type, c.TargetType)
		}
	}
	return ""
}

func normType(s string) string {
	if t, err := typemap.ParseMaxCompute(s); err == nil {
		return t.String()
	}
	return strings.ToUpper(strings.ReplaceAll(s, " ", ""))
}

func count(s string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return "?"
	}
	return plan.Count(n)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Risk codes the planner raises itself (see plan.RiskCodes for the rest).
const (
	// RiskForeignTable: the target already has a table of that name that
	// ferry did not create; apply will refuse to touch it.
	RiskForeignTable = "foreign_table"
	// RiskTargetRowsChanged: a loaded table's rows changed outside ferry;
	// the reload will overwrite them.
	RiskTargetRowsChanged = "target_rows_changed"
)

// foreignTable warns when a table to be created exists already and was
// not created by ferry: apply will refuse to overwrite it.
func (d *differ) foreignTable(r *plan.Resource) {
	if r.Kind != plan.KindTable {
		return
	}
	t, ok := d.obs.targets[r.Table.Target][strings.ToLower(r.Table.Name)]
	if !ok || t.CreatedByFerry {
		return
	}
	d.plan.Warnings = append(d.plan.Warnings, plan.Warning{
		Code: RiskForeignTable, Addr: r.Addr,
		Message: fmt.Sprintf("target table %s exists and was not created by ferry; apply will refuse to overwrite it — fix: choose another name with a table block, or drop the table yourself", r.Table.Name),
	})
}
