package planner

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

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

// observeReads bounds how many reads observe runs at once.
const observeReads = 8

// observe reads every source catalog, target listing and bucket listing
// the configuration needs, all at once: they are independent reads of
// different systems, and at thousands of tables each takes a while. The
// observation and its diagnostics come out in configuration order.
func observe(ctx context.Context, cfg *config.Config, provs Providers) (*observation, hcl.Diagnostics) {
	obs := &observation{
		sources: map[string][]provider.TableInfo{},
		targets: map[string]map[string]provider.TargetTable{},
		objects: map[string][]string{},
		listed:  map[string]bool{},
	}
	// read is one of those reads; err is its failure, addr what failed.
	type read struct {
		kind   string // source, target or bucket
		addr   string
		run    func() error
		err    error
		source []provider.TableInfo
		target []provider.TargetTable
		objs   []provider.Object
	}
	var reads []*read
	seen := map[string]bool{}
	add := func(kind, key, addr string, run func(r *read) error) {
		if seen[kind+"|"+key] {
			return
		}
		seen[kind+"|"+key] = true
		r := &read{kind: kind, addr: addr}
		r.run = func() error { return run(r) }
		reads = append(reads, r)
	}
	for _, m := range cfg.Migrations {
		add("source", m.From, m.From, func(r *read) error {
			src, err := provs.Source(ctx, m.From)
			if err == nil {
				r.source, err = src.Tables(ctx)
			}
			return err
		})
		add("target", m.To, m.To, func(r *read) error {
			tgt, err := provs.Target(ctx, m.To)
			if err == nil {
				r.target, err = tgt.Tables(ctx)
			}
			return err
		})
		for _, addr := range m.Via {
			prefix := MigrationPrefix(cfg.Buckets[addr], m.Name)
			obs.listed[listKey(addr, prefix)] = true
			add("bucket", listKey(addr, prefix), addr, func(r *read) error {
				b, err := provs.Bucket(ctx, addr)
				if err == nil {
					r.objs, err = b.List(ctx, prefix)
				}
				return err
			})
		}
	}
	// At most observeReads at a time: a configuration of many migrations
	// lists many prefixes, and a store throttles a burst of listings.
	var wg sync.WaitGroup
	slots := make(chan struct{}, observeReads)
	for _, r := range reads {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			r.err = r.run()
		}()
	}
	wg.Wait()

	var diags hcl.Diagnostics
	for _, r := range reads {
		if r.err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Cannot read %s", r.addr),
				Detail:   r.err.Error(),
			})
		}
		switch r.kind {
		case "source":
			if r.err != nil {
				r.source = nil
			}
			obs.sources[r.addr] = r.source
		case "target":
			byName := make(map[string]provider.TargetTable, len(r.target))
			for _, t := range r.target {
				byName[strings.ToLower(t.Name)] = t
			}
			obs.targets[r.addr] = byName
		default:
			for _, o := range r.objs {
				obs.objects[r.addr] = append(obs.objects[r.addr], o.Key)
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
//
// The unloads' outputs are the only resource outputs the planner reads;
// read-only commands drop the others from memory (internal/cli open), so
// reading another kind's output here would need that changed too.
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
