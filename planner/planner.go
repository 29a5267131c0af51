package planner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/state"
)

// Providers opens the configured providers by address
// ("source.duckdb.demo"). Implementations open each one lazily, once.
type Providers interface {
	Source(ctx context.Context, addr string) (provider.Source, error)
	Bucket(ctx context.Context, addr string) (provider.Bucket, error)
	Target(ctx context.Context, addr string) (provider.Target, error)
}

// Options tune a plan.
type Options struct {
	FerryVersion string
	// Replace lists addresses (resources, or a table's address prefix) to
	// run again even when nothing changed.
	Replace []string
	// Targets limits the plan to these addresses (a resource or a
	// table's prefix) and what they depend on; empty: everything.
	Targets []string
	// Excludes leaves these addresses and everything depending on them
	// out of the plan.
	Excludes []string
	// NoRefresh plans from the state alone: the source catalog recorded
	// at the last unloads, no bucket listing and no target listing, so no
	// drift is detected. A source the state knows nothing of is still
	// read once.
	NoRefresh bool
	// Preflight checks, before anything runs, that the systems of every
	// migration with work to do let ferry do it: a one-row canary UNLOAD to
	// the staging bucket, a write to the landing bucket, a SQL job on the
	// target (all cleaned up at once).
	Preflight bool
	// Now is the clock (tests fix it).
	Now func() time.Time
	// Released, when set, is called once the planner has made its last
	// call to provs: right after observing (before the plan is built)
	// unless Preflight still has checks to run. A command that reads
	// nothing else from the providers can close them meanwhile (closing a
	// DuckDB file of thousands of tables takes a while). It is not called
	// when Plan fails before that point.
	Released func()
}

// Plan computes the plan for cfg against st (nil: no state yet).
// Configuration problems come back as diagnostics pointing at the file and
// line; a failure to observe a provider is a diagnostic without a subject.
func Plan(ctx context.Context, cfg *config.Config, st *state.File, provs Providers, opts Options) (*plan.Plan, hcl.Diagnostics) {
	if st == nil {
		st = state.New(opts.FerryVersion, "")
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	p := &plan.Plan{
		FormatVersion: plan.FormatVersion,
		FerryVersion:  opts.FerryVersion,
		ID:            newID(now()),
		CreatedAt:     now().UTC(),
		Lineage:       st.Lineage,
		Serial:        st.Serial,
		ConfigHash:    cfg.Hash,
	}
	if len(cfg.Moves) > 0 {
		st = st.Clone()
		p.Moves = ApplyMoves(st, movesOf(cfg))
	}
	var obs *observation
	var diags hcl.Diagnostics
	if opts.NoRefresh {
		obs, diags = observeState(ctx, cfg, st, provs)
	} else {
		obs, diags = observe(ctx, cfg, provs)
	}
	preflights := opts.Preflight && !opts.NoRefresh
	if opts.Released != nil && !preflights {
		opts.Released()
	}
	if diags.HasErrors() {
		return nil, diags
	}
	desired, ddiags := desire(cfg, obs)
	diags = append(diags, ddiags...)
	if diags.HasErrors() {
		return nil, diags
	}
	p.Resources = desired.resources
	p.Warnings = desired.warnings
	d := &differ{plan: p, state: st, obs: obs, replace: opts.Replace, noRefresh: opts.NoRefresh}
	for _, r := range cfg.Removals {
		d.removed = append(d.removed, r.From)
		for _, res := range p.Resources {
			if matches(res.Addr, []string{r.From}) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError, Summary: "Removed resource is still configured",
					Detail:  fmt.Sprintf("A removed block names %s, but the configuration still declares %s. Remove it from the migration (tables, exclude) or delete the removed block.", r.From, res.Addr),
					Subject: r.DeclRange.Ptr(),
				})
				return nil, diags
			}
		}
	}
	d.diff()
	d.propagate()
	d.cleanup()
	d.forget()
	d.selectTargets(opts.Targets, opts.Excludes)
	p.Warnings = plan.Risks(p, plan.DefaultRiskOptions())
	if preflights {
		pd := preflight(ctx, cfg, p, provs)
		if opts.Released != nil {
			opts.Released()
		}
		if len(pd) > 0 {
			return nil, append(diags, pd...)
		}
	}
	return p, diags
}

// newID returns a sortable, unique plan ID.
func newID(t time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
