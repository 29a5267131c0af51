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
		s := d.state.Resources[r.Addr]
		switch {
		case s == nil && d.requested(r.Addr):
			set(r, plan.Create, plan.ReasonNew, "")
		case s == nil:
			set(r, plan.Create, plan.ReasonNew, "")
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
	case plan.KindLoad:
		t, ok := d.obs.targets[r.Load.Target][strings.ToLower(r.Load.Table)]
		if !ok || t.Rows < 0 {
			return
		}
		if loaded := s.Observed[plan.ObsRows]; loaded != strconv.FormatInt(t.Rows, 10) {
			set(r, plan.Replace, plan.ReasonTargetDrift, fmt.Sprintf("table has %s rows, ferry loaded %s", plan.Count(t.Rows), count(loaded)))
		}
	}
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
