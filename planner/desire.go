package planner

import (
	"fmt"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/typemap"
)

// desired is the set of resources the configuration asks for.
type desired struct {
	resources []*plan.Resource
	warnings  []plan.Warning
}

// TableAddr is the address prefix of one table's resources.
func TableAddr(migration, sourceTable string) string {
	return "migration." + migration + ".table." + sourceTable
}

func desire(cfg *config.Config, obs *observation) (*desired, hcl.Diagnostics) {
	d := &desired{}
	var diags hcl.Diagnostics
	for _, m := range cfg.Migrations {
		tables, tdiags := selectTables(m, obs.sources[m.From])
		diags = append(diags, tdiags...)
		loads := make([]string, 0, len(tables))
		pairs := make([][2]string, 0, len(tables))
		d.resources = slices.Grow(d.resources, 6*len(tables))
		for i, b := range buildTables(cfg, m, tables) {
			diags = append(diags, b.diags...)
			if b.diags.HasErrors() {
				continue
			}
			d.resources = append(d.resources, b.res...)
			d.warnings = append(d.warnings, b.warns...)
			loads = append(loads, b.res[3].Addr)
			pairs = append(pairs, [2]string{tables[i].info.QualifiedName(), b.res[2].TargetTable})
		}
		if err := typemap.DetectCollisions(pairs); err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Target table name collision",
				Detail:   err.Error(),
				Subject:  m.DeclRange.Ptr(),
			})
		}
		for _, q := range m.Verify.Queries {
			d.resources = append(d.resources, queryResource(m, q, loads, d.resources))
		}
	}
	return d, diags
}

// built is tableResources' result for one table.
type built struct {
	res   []*plan.Resource
	warns []plan.Warning
	diags hcl.Diagnostics
}

// buildTables runs tableResources for every table, spread over the CPUs:
// each table's resources depend only on the configuration and that
// table's catalog entry, and at thousands of tables this is most of a
// -refresh=false plan. The results keep the tables' order.
func buildTables(cfg *config.Config, m *config.Migration, tables []selected) []built {
	out := make([]built, len(tables))
	workers := min(runtime.GOMAXPROCS(0), 8)
	if len(tables) < 64 {
		workers = 1
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(64)) - 64
				if i >= len(tables) {
					return
				}
				for j := i; j < min(i+64, len(tables)); j++ {
					b := &out[j]
					b.res, b.warns, b.diags = tableResources(cfg, m, tables[j])
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// selected is a source table chosen by a migration, with its overrides.
type selected struct {
	info     provider.TableInfo
	override *config.TableOverride
}

// selectTables applies the include and exclude globs. A glob that matches
// no table, or a table block naming a table that is not selected, is an
// error pointing at the configuration.
func selectTables(m *config.Migration, catalog []provider.TableInfo) ([]selected, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	byName := make(map[string]int, len(catalog)) // -> index in catalog
	names := make([]string, 0, len(catalog))
	for i, t := range catalog {
		q := strings.ToLower(t.QualifiedName())
		byName[q] = i
		names = append(names, q)
	}
	sort.Strings(names)
	match := func(p config.Pattern, name string) bool {
		ok, _ := path.Match(strings.ToLower(p.Glob), name)
		return ok
	}
	chosen := make(map[string]bool, len(names))
	for _, p := range m.Include {
		if _, err := path.Match(p.Glob, ""); err != nil {
			diags = append(diags, diag("Invalid table pattern", fmt.Sprintf("%q: %v.", p.Glob, err), p.Range))
			continue
		}
		n := 0
		for _, name := range names {
			if match(p, name) {
				chosen[name] = true
				n++
			}
		}
		if n == 0 {
			diags = append(diags, diag("Table pattern matches no table",
				fmt.Sprintf("%q matches no table in %s. Tables there: %s.", p.Glob, m.From, listOrNone(names)), p.Range))
		}
	}
	for _, p := range m.Exclude {
		for _, name := range names {
			if match(p, name) {
				delete(chosen, name)
			}
		}
	}
	overrides := map[string]*config.TableOverride{}
	for _, o := range m.Tables {
		q := strings.ToLower(o.Source)
		if _, ok := byName[q]; !ok {
			diags = append(diags, diag("Unknown table",
				fmt.Sprintf("There is no table %q in %s.", o.Source, m.From), o.DeclRange))
			continue
		}
		if !chosen[q] {
			diags = append(diags, diag("Table not selected",
				fmt.Sprintf("Table %q has a table block but is not selected by the migration's tables and exclude patterns.", o.Source), o.DeclRange))
			continue
		}
		overrides[q] = o
	}
	out := make([]selected, 0, len(chosen))
	for _, name := range names {
		if chosen[name] {
			out = append(out, selected{info: catalog[byName[name]], override: overrides[name]})
		}
	}
	return out, diags
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	if len(names) > 10 {
		return strings.Join(names[:10], ", ") + fmt.Sprintf(" and %d more", len(names)-10)
	}
	return strings.Join(names, ", ")
}

func diag(summary, detail string, rng hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()}
}

// quoteSource quotes an identifier for the source's SQL dialect.
func quoteSource(id string) string {
	return `"` + strings.ReplaceAll(id, `"`, `""`) + `"`
}
