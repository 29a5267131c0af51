package planner

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/state"
)

// observation is what the planner saw of the live systems: one catalog
// query per source, one table listing per target, one object listing per
// bucket and migration.
type observation struct {
	sources map[string][]provider.TableInfo            // source addr -> tables
	targets map[string]map[string]provider.TargetTable // target addr -> name -> table
	// objects holds, per bucket address, the sorted keys listed under
	// every migration prefix of that bucket.
	objects map[string][]string
	listed  map[string]bool // listKey -> listed
}

// listKey names one listing: a bucket and the migration's root prefix.
func listKey(bucket, prefix string) string { return bucket + "|" + prefix }

// MigrationPrefix is the folder of a migration inside a bucket: the
// bucket's configured prefix, then the migration name.
func MigrationPrefix(b *config.Provider, migration string) string {
	p := strings.Trim(b.String("prefix", ""), "/")
	if p == "" {
		return migration + "/"
	}
	return p + "/" + migration + "/"
}

func observe(ctx context.Context, cfg *config.Config, provs Providers) (*observation, hcl.Diagnostics) {
	obs := &observation{
		sources: map[string][]provider.TableInfo{},
		targets: map[string]map[string]provider.TargetTable{},
		objects: map[string][]string{},
		listed:  map[string]bool{},
	}
	var diags hcl.Diagnostics
	fail := func(addr string, err error) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Cannot read %s", addr),
			Detail:   err.Error(),
		})
	}
	for _, m := range cfg.Migrations {
		if _, ok := obs.sources[m.From]; !ok {
			src, err := provs.Source(ctx, m.From)
			if err == nil {
				obs.sources[m.From], err = src.Tables(ctx)
			}
			if err != nil {
				fail(m.From, err)
				obs.sources[m.From] = nil
			}
		}
		if _, ok := obs.targets[m.To]; !ok {
			tgt, err := provs.Target(ctx, m.To)
			var tables []provider.TargetTable
			if err == nil {
				tables, err = tgt.Tables(ctx)
			}
			if err != nil {
				fail(m.To, err)
			}
			byName := make(map[string]provider.TargetTable, len(tables))
			for _, t := range tables {
				byName[strings.ToLower(t.Name)] = t
			}
			obs.targets[m.To] = byName
		}
		for _, addr := range m.Via {
			prefix := MigrationPrefix(cfg.Buckets[addr], m.Name)
			k := listKey(addr, prefix)
			if obs.listed[k] {
				continue
			}
			obs.listed[k] = true
			b, err := provs.Bucket(ctx, addr)
			var objs []provider.Object
			if err == nil {
				objs, err = b.List(ctx, prefix)
			}
			if err != nil {
				fail(addr, err)
			}
			for _, o := range objs {
				obs.objects[addr] = append(obs.objects[addr], o.Key)
			}
		}
	}
	for _, keys := range obs.objects {
		sort.Strings(keys)
	}
	return obs, diags
}

// countUnder counts the listed objects of a bucket under prefix.
func (o *observation) countUnder(bucket, prefix string) int {
	keys := o.objects[bucket]
	n := 0
	for i := sort.SearchStrings(keys, prefix); i < len(keys) && strings.HasPrefix(keys[i], prefix); i++ {
		n++
	}
	return n
}

// recordedUnload is the part of an unload's state output the planner
// reads back: the source table as it was planned.
type recordedUnload struct {
	Source provider.TableInfo `json:"source"`
}

// observeState builds the observation from the state alone: each source's
// catalog is what the recorded unloads saw. Buckets and targets are not
// listed. A source with no recorded table is read from the source.
func observeState(ctx context.Context, cfg *config.Config, st *state.File, provs Providers) (*observation, hcl.Diagnostics) {
	obs := &observation{
		sources: map[string][]provider.TableInfo{},
		targets: map[string]map[string]provider.TargetTable{},
		objects: map[string][]string{},
		listed:  map[string]bool{},
	}
	var diags hcl.Diagnostics
	for _, m := range cfg.Migrations {
		prefix := "migration." + m.Name + ".table."
		seen := map[string]bool{}
		for addr, r := range st.Resources {
			if r.Kind != "unload" || !strings.HasPrefix(addr, prefix) || len(r.Output) == 0 {
				continue
			}
			var rec recordedUnload
			if err := json.Unmarshal(r.Output, &rec); err != nil || rec.Source.Name == "" {
				continue
			}
			q := rec.Source.QualifiedName()
			if !seen[q] {
				seen[q] = true
				obs.sources[m.From] = append(obs.sources[m.From], rec.Source)
			}
		}
		obs.targets[m.To] = map[string]provider.TargetTable{}
	}
	for _, m := range cfg.Migrations {
		if len(obs.sources[m.From]) > 0 {
			continue
		}
		src, err := provs.Source(ctx, m.From)
		if err == nil {
			obs.sources[m.From], err = src.Tables(ctx)
		}
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("Cannot read %s", m.From), Detail: err.Error()})
		}
	}
	return obs, diags
}
