package executor

import (
	"context"
	"strings"

	"github.com/ferry-dev/ferry/provider"
)

// targetTables caches each target's table listing for one apply, so that
// thousands of table and verify actions cost one listing per target, not
// one each. Tables this apply creates or drops update the cache.
type targetTables struct {
	byTarget map[string]map[string]provider.TargetTable
}

// lookup returns the named table of a target as listed at the start of
// the apply (plus this apply's own changes).
func (e *executor) lookupTable(ctx context.Context, target string, tgt provider.Target, name string) (provider.TargetTable, bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tables.byTarget == nil {
		e.tables.byTarget = map[string]map[string]provider.TargetTable{}
	}
	m, ok := e.tables.byTarget[target]
	if !ok {
		list, err := tgt.Tables(ctx)
		if err != nil {
			return provider.TargetTable{}, false, err
		}
		m = make(map[string]provider.TargetTable, len(list))
		for _, t := range list {
			m[strings.ToLower(t.Name)] = t
		}
		e.tables.byTarget[target] = m
	}
	t, ok := m[strings.ToLower(name)]
	return t, ok, nil
}

// rememberTable records a table this apply created (nil columns: dropped).
func (e *executor) rememberTable(target string, t *provider.TargetTable, name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := e.tables.byTarget[target]
	if m == nil {
		return // never listed: the next lookup lists afresh
	}
	if t == nil {
		delete(m, strings.ToLower(name))
		return
	}
	m[strings.ToLower(name)] = *t
}
