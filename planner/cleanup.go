package planner

import (
	"sort"
	"strings"

	"github.com/ferry-dev/ferry/planner/plan"
)

// cleanup plans the deletion of staged generations a table no longer
// needs, run after the table's verification passes: generations older
// than the verified one (when a new unload runs, every generation that
// exists now), and with keep_staged = false the verified one too. The
// plan lists every folder it will delete.
func (d *differ) cleanup() {
	if d.noRefresh {
		return
	}
	byGroup := map[string][]*plan.Resource{}
	for _, r := range d.plan.Resources {
		byGroup[plan.GroupKey(r.Addr)] = append(byGroup[plan.GroupKey(r.Addr)], r)
	}
	for _, r := range d.plan.Resources {
		if r.Kind != plan.KindCleanup {
			continue
		}
		var unload, cp, verify *plan.Resource
		for _, o := range byGroup[plan.GroupKey(r.Addr)] {
			switch o.Kind {
			case plan.KindUnload:
				unload = o
			case plan.KindCopy:
				cp = o
			case plan.KindVerify:
				verify = o
			}
		}
		current := ""
		if us := d.state.Resources[unload.Addr]; us != nil && !runs(unload) {
			current = us.Generation // stays the table's generation
		}
		spec := r.Cleanup
		keep := spec.KeepStaged
		spec.Deletes = d.stale(unload.Unload.Bucket, unload.Unload.Prefix, current, keep)
		if cp.Copy.To != unload.Unload.Bucket || cp.Copy.ToPrefix != unload.Unload.Prefix {
			spec.Deletes = append(spec.Deletes, d.stale(cp.Copy.To, cp.Copy.ToPrefix, current, keep)...)
		}
		// With keep_staged = false, the generation this apply verifies goes
		// too, once verified; a table whose verification is already done
		// and current has its folders listed above.
		spec.CurrentToo = !keep && runs(verify)
		if len(spec.Deletes) == 0 && !spec.CurrentToo {
			continue
		}
		why := plan.ReasonSuperseded
		if !keep {
			why = plan.ReasonNotKept
		}
		action := plan.Create
		if d.state.Resources[r.Addr] != nil {
			action = plan.Replace
		}
		set(r, action, why, "")
	}
}

// stale lists the generation folders under a table prefix other than the
// current one (and the current one too unless kept).
func (d *differ) stale(bucket, tablePrefix, current string, keep bool) []plan.StagedFolder {
	keys := d.obs.objects[bucket]
	counts := map[string]int{}
	for i := sort.SearchStrings(keys, tablePrefix); i < len(keys) && strings.HasPrefix(keys[i], tablePrefix); i++ {
		rest := keys[i][len(tablePrefix):]
		gen, _, ok := strings.Cut(rest, "/")
		if !ok || !strings.HasPrefix(gen, "g") {
			continue // not a generation folder ferry wrote
		}
		counts[gen]++
	}
	var out []plan.StagedFolder
	gens := make([]string, 0, len(counts))
	for g := range counts {
		gens = append(gens, g)
	}
	sort.Strings(gens)
	for _, g := range gens {
		if g == current && keep {
			continue
		}
		out = append(out, plan.StagedFolder{Bucket: bucket, Prefix: tablePrefix + g + "/", Objects: counts[g]})
	}
	return out
}
