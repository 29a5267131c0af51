package planner

import (
	"strings"

	"github.com/ferry-dev/ferry/planner/plan"
)

// matches tells whether addr is one of the given addresses or lies under
// one of them (a table's prefix selects its five resources).
func matches(addr string, list []string) bool {
	for _, a := range list {
		if addr == a || strings.HasPrefix(addr, a+".") {
			return true
		}
	}
	return false
}

// selectTargets applies --target and --exclude: with targets, only they
// and what they depend on may run; excluded resources and everything
// depending on them may not. Resources left out keep their action
// NoOp, so the plan never claims work it will not do.
func (d *differ) selectTargets(targets, excludes []string) {
	if len(targets) == 0 && len(excludes) == 0 {
		return
	}
	byAddr := map[string]*plan.Resource{}
	for _, r := range d.plan.Resources {
		byAddr[r.Addr] = r
	}
	keep := map[string]bool{}
	if len(targets) == 0 {
		for a := range byAddr {
			keep[a] = true
		}
	} else {
		var visit func(a string)
		visit = func(a string) {
			if keep[a] {
				return
			}
			keep[a] = true
			if r := byAddr[a]; r != nil {
				for _, dep := range r.DependsOn {
					visit(dep)
				}
			}
		}
		for a := range byAddr {
			if matches(a, targets) {
				visit(a)
			}
		}
	}
	// Exclusions reach every dependent, in plan (dependency) order.
	dropped := map[string]bool{}
	for _, r := range d.plan.Resources {
		if matches(r.Addr, excludes) {
			dropped[r.Addr] = true
			continue
		}
		for _, dep := range r.DependsOn {
			if dropped[dep] {
				dropped[r.Addr] = true
				break
			}
		}
	}
	for _, r := range d.plan.Resources {
		if !keep[r.Addr] || dropped[r.Addr] {
			set(r, plan.NoOp, plan.ReasonNone, "")
		}
	}
}
