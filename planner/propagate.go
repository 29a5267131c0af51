package planner

import (
	"fmt"
	"strconv"

	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/state"
)

func runs(r *plan.Resource) bool { return r.Action == plan.Create || r.Action == plan.Replace }

// propagate makes every resource downstream of a planned one run too, and
// makes a planned step's inputs exist: a load whose landing files are
// gone needs its copy again, a copy whose staged files are gone needs its
// unload again. Staged files deleted after a verified load are not by
// themselves a reason to move data.
func (d *differ) propagate() {
	d.downstream()
	byAddr := map[string]*plan.Resource{}
	for _, r := range d.plan.Resources {
		byAddr[r.Addr] = r
	}
	changed := false
	for i := len(d.plan.Resources) - 1; i >= 0; i-- {
		r := d.plan.Resources[i]
		if !runs(r) {
			continue
		}
		switch r.Kind {
		case plan.KindLoad:
			cp := byAddr[r.DependsOn[0]]
			if cp != nil && !runs(cp) && !d.present(cp.Copy.To, cp.Copy.ToPrefix, d.state.Resources[cp.Addr], plan.ObsObjects, 0) {
				set(cp, plan.Replace, plan.ReasonStagedMissing, "landing files are gone and the load must run")
				changed = true
			}
		case plan.KindCopy:
			un := byAddr[r.DependsOn[0]]
			if un != nil && !runs(un) && !d.present(un.Unload.Bucket, un.Unload.Prefix, d.state.Resources[un.Addr], plan.ObsFiles, 1) {
				set(un, plan.Replace, plan.ReasonStagedMissing, "staged files are gone and the copy must run")
				changed = true
			}
		}
	}
	if changed {
		d.downstream()
	}
}

// downstream marks every NoOp resource with a running dependency.
func (d *differ) downstream() {
	byAddr := map[string]*plan.Resource{}
	for _, r := range d.plan.Resources {
		byAddr[r.Addr] = r
		if r.Action != plan.NoOp || r.Kind == plan.KindCleanup {
			continue
		}
		for _, dep := range r.DependsOn {
			if up := byAddr[dep]; up != nil && runs(up) {
				set(r, plan.Replace, plan.ReasonUpstream, fmt.Sprintf("%s will run", up.Kind))
				break
			}
		}
	}
}

// present tells whether the objects a resource recorded are still in the
// bucket: at least Observed[key]+extra objects under its generation.
func (d *differ) present(bucket, tablePrefix string, s *state.Resource, key string, extra int) bool {
	if s == nil || s.Generation == "" {
		return false
	}
	if d.noRefresh {
		return true
	}
	want, err := strconv.Atoi(s.Observed[key])
	if err != nil {
		return false
	}
	return d.obs.countUnder(bucket, tablePrefix+s.Generation+"/") >= want+extra
}

// forget plans a Forget for every state resource the configuration no
// longer declares: ferry never drops target data implicitly.
func (d *differ) forget() {
	want := map[string]bool{}
	for _, r := range d.plan.Resources {
		want[r.Addr] = true
	}
	for _, addr := range d.state.Addrs() {
		if want[addr] {
			continue
		}
		s := d.state.Resources[addr]
		why := plan.ReasonNotInConfig
		if matches(addr, d.removed) {
			why = plan.ReasonRemoved
		}
		d.plan.Resources = append(d.plan.Resources, &plan.Resource{
			Addr: addr, Kind: plan.Kind(s.Kind), Action: plan.Forget, Reason: why,
			Detail: "removed from state only; target tables and staged files are kept",
		})
	}
}
