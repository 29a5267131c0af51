package planner

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/state"
)

// Drift is one place where the live systems no longer match the state.
type Drift struct {
	Addr string `json:"address"`
	// What drifted: "source", "staged" or "target".
	Where  string `json:"where"`
	Detail string `json:"detail"`
}

// Drifts observes the sources, buckets and targets and reports every
// recorded resource whose source table, staged objects or target table no
// longer match the state. It changes nothing and plans nothing.
func Drifts(ctx context.Context, cfg *config.Config, st *state.File, provs Providers) ([]Drift, hcl.Diagnostics) {
	obs, diags := observe(ctx, cfg, provs)
	if diags.HasErrors() {
		return nil, diags
	}
	desired, ddiags := desire(cfg, obs)
	diags = append(diags, ddiags...)
	if diags.HasErrors() {
		return nil, diags
	}
	p := &plan.Plan{Resources: desired.resources}
	d := &differ{plan: p, state: st, obs: obs}
	var out []Drift
	for _, r := range p.Resources {
		s := st.Resources[r.Addr]
		if s == nil || s.Status != state.StatusDone {
			continue
		}
		d.drift(r, s)
		switch r.Reason {
		case plan.ReasonSourceChanged:
			out = append(out, Drift{Addr: r.Addr, Where: "source", Detail: "source table changed: " + r.Detail})
		case plan.ReasonTargetMissing, plan.ReasonTargetDrift:
			out = append(out, Drift{Addr: r.Addr, Where: "target", Detail: r.Detail})
		}
		switch r.Kind {
		case plan.KindUnload:
			if !d.present(r.Unload.Bucket, r.Unload.Prefix, s, plan.ObsFiles, 1) {
				out = append(out, Drift{Addr: r.Addr, Where: "staged",
					Detail: fmt.Sprintf("staged files of generation %s are gone from %s", s.Generation, r.Unload.Bucket)})
			}
		case plan.KindCopy:
			if !d.present(r.Copy.To, r.Copy.ToPrefix, s, plan.ObsObjects, 0) {
				out = append(out, Drift{Addr: r.Addr, Where: "staged",
					Detail: fmt.Sprintf("landing files of generation %s are gone from %s", s.Generation, r.Copy.To)})
			}
		}
	}
	return out, diags
}
