package dag

import (
	"maps"
	"slices"
)

// Graph is a directed graph of named vertices in which an edge records that
// one vertex depends on another. The zero value is not ready for use; call New.
type Graph struct {
	// deps maps every vertex to the set of vertices it depends on. A name is a
	// vertex of the graph exactly when it is a key of deps.
	deps map[string]map[string]struct{}
	// dependents is the reverse of deps, kept so that walking downstream does
	// not need a scan of every vertex.
	dependents map[string]map[string]struct{}
	// always holds the vertices registered with AlwaysRun.
	always map[string]struct{}
	// priority holds the vertices' priorities set with SetPriority.
	priority map[string]int64
}

// New returns an empty graph.
func New() *Graph {
	return &Graph{
		deps:       make(map[string]map[string]struct{}),
		dependents: make(map[string]map[string]struct{}),
		always:     make(map[string]struct{}),
		priority:   make(map[string]int64),
	}
}

// Add makes name a vertex of the graph. Adding a vertex that already exists
// does nothing, so builders may add freely without checking Has first.
func (g *Graph) Add(name string) {
	if _, ok := g.deps[name]; ok {
		return
	}
	g.deps[name] = make(map[string]struct{})
	g.dependents[name] = make(map[string]struct{})
}

// Connect records that dependent depends on dependency: dependency must
// finish before dependent starts. Both vertices are added if they are
// missing. Connecting the same pair twice records one edge. A self-edge
// (dependent == dependency) is kept so that Validate can report it, rather
// than silently dropped.
func (g *Graph) Connect(dependent, dependency string) {
	g.Add(dependent)
	g.Add(dependency)
	g.deps[dependent][dependency] = struct{}{}
	g.dependents[dependency][dependent] = struct{}{}
}

// Disconnect removes the edge recorded by Connect(dependent, dependency), if
// there is one. The vertices themselves stay in the graph.
func (g *Graph) Disconnect(dependent, dependency string) {
	if d, ok := g.deps[dependent]; ok {
		delete(d, dependency)
	}
	if d, ok := g.dependents[dependency]; ok {
		delete(d, dependent)
	}
}

// AlwaysRun marks name so that Walk runs it even when one of its ancestors
// failed or was skipped, as long as every dependency has finished. It is
// meant for verification and cleanup steps that must see a failed load. The
// vertex is added if it is missing.
func (g *Graph) AlwaysRun(name string) {
	g.Add(name)
	g.always[name] = struct{}{}
}

// SetPriority sets the order in which Walk starts vertices that are ready
// at the same time: higher priority first, then by name. Vertices default
// to priority 0. The vertex is added if it is missing.
func (g *Graph) SetPriority(name string, p int64) {
	g.Add(name)
	g.priority[name] = p
}

// Priority returns the priority set with SetPriority, or 0.
func (g *Graph) Priority(name string) int64 { return g.priority[name] }

// IsAlwaysRun reports whether name was registered with AlwaysRun.
func (g *Graph) IsAlwaysRun(name string) bool {
	_, ok := g.always[name]
	return ok
}

// Has reports whether name is a vertex of the graph.
func (g *Graph) Has(name string) bool {
	_, ok := g.deps[name]
	return ok
}

// Len returns the number of vertices.
func (g *Graph) Len() int {
	return len(g.deps)
}

// Vertices returns every vertex name, sorted.
func (g *Graph) Vertices() []string {
	return slices.Sorted(maps.Keys(g.deps))
}

// DependenciesOf returns the vertices that name depends on directly, sorted.
// It returns nil when name has no dependencies or is not in the graph.
func (g *Graph) DependenciesOf(name string) []string {
	return sortedSet(g.deps[name])
}

// DependentsOf returns the vertices that depend on name directly, sorted. It
// returns nil when nothing depends on name or name is not in the graph.
func (g *Graph) DependentsOf(name string) []string {
	return sortedSet(g.dependents[name])
}

// Ancestors returns every vertex that name depends on, directly or
// transitively, sorted. name itself is left out even when it lies on a cycle.
func (g *Graph) Ancestors(name string) []string {
	return g.reach(name, g.deps)
}

// Descendants returns every vertex that depends on name, directly or
// transitively, sorted: the vertices a failure of name would stop. name
// itself is left out even when it lies on a cycle.
func (g *Graph) Descendants(name string) []string {
	return g.reach(name, g.dependents)
}

// reach collects the vertices reachable from start by following adj.
func (g *Graph) reach(start string, adj map[string]map[string]struct{}) []string {
	if !g.Has(start) {
		return nil
	}
	seen := map[string]struct{}{start: {}}
	stack := []string{start}
	var out []string
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for w := range adj[v] {
			if _, ok := seen[w]; ok {
				continue
			}
			seen[w] = struct{}{}
			out = append(out, w)
			stack = append(stack, w)
		}
	}
	slices.Sort(out)
	return out
}

// TransitiveReduction removes every edge that is implied by a longer path:
// if a depends on b and b (transitively) depends on c, a direct edge from a
// to c adds no ordering and is dropped. Reduced graphs render far more
// readably. The reduction is only well defined for acyclic graphs, so a graph
// that fails Validate is left untouched and the validation error returned.
func (g *Graph) TransitiveReduction() error {
	if err := g.Validate(); err != nil {
		return err
	}
	for _, v := range g.Vertices() {
		direct := g.DependenciesOf(v)
		for _, d := range direct {
			for _, implied := range g.Ancestors(d) {
				g.Disconnect(v, implied)
			}
		}
	}
	return nil
}

// sortedSet returns the members of set in order, or nil for an empty set.
func sortedSet(set map[string]struct{}) []string {
	if len(set) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(set))
}
