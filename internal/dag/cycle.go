package dag

import (
	"container/heap"
	"slices"
	"strings"
)

// CycleError reports the dependency cycles that make a graph impossible to
// order. Each cycle lists vertex names in dependency direction (each name
// depends on the next, and the last depends on the first), starts at its
// smallest name, and the cycles are sorted, so the message is the same on
// every run.
type CycleError struct {
	// Cycles holds one entry per cycle found. A self-edge is a cycle of one
	// name. A strongly connected group of vertices is represented by its
	// shortest cycle through its smallest name: breaking that cycle is
	// always a necessary step, and the next Validate reports what remains.
	Cycles [][]string
}

// Error renders one line per cycle, for example
// "dependency cycle: a -> b -> c -> a".
func (e *CycleError) Error() string {
	lines := make([]string, len(e.Cycles))
	for i, c := range e.Cycles {
		lines[i] = "dependency cycle: " + strings.Join(c, " -> ") + " -> " + c[0]
	}
	return strings.Join(lines, "\n")
}

// Validate reports whether the graph can be ordered. It returns nil for an
// acyclic graph and a *CycleError listing every self-edge and every cycle
// otherwise.
func (g *Graph) Validate() error {
	var cycles [][]string
	for _, v := range g.Vertices() {
		if _, ok := g.deps[v][v]; ok {
			cycles = append(cycles, []string{v})
		}
	}
	for _, scc := range g.stronglyConnected() {
		if len(scc) > 1 {
			cycles = append(cycles, g.shortestCycle(scc))
		}
	}
	if len(cycles) == 0 {
		return nil
	}
	slices.SortFunc(cycles, slices.Compare)
	return &CycleError{Cycles: cycles}
}

// stronglyConnected returns the strongly connected components of the graph
// using Tarjan's algorithm, visiting vertices and edges in name order so the
// result does not depend on map iteration.
func (g *Graph) stronglyConnected() [][]string {
	t := tarjan{
		g:       g,
		index:   make(map[string]int),
		lowlink: make(map[string]int),
		onStack: make(map[string]bool),
	}
	for _, v := range g.Vertices() {
		if _, seen := t.index[v]; !seen {
			t.visit(v)
		}
	}
	return t.components
}

// tarjan carries the bookkeeping of one run of Tarjan's algorithm.
type tarjan struct {
	g          *Graph
	next       int
	index      map[string]int
	lowlink    map[string]int
	onStack    map[string]bool
	stack      []string
	components [][]string
}

func (t *tarjan) visit(v string) {
	t.index[v] = t.next
	t.lowlink[v] = t.next
	t.next++
	t.stack = append(t.stack, v)
	t.onStack[v] = true

	for _, w := range t.g.DependenciesOf(v) {
		if _, seen := t.index[w]; !seen {
			t.visit(w)
			t.lowlink[v] = min(t.lowlink[v], t.lowlink[w])
		} else if t.onStack[w] {
			t.lowlink[v] = min(t.lowlink[v], t.index[w])
		}
	}

	if t.lowlink[v] != t.index[v] {
		return
	}
	var comp []string
	for {
		w := t.stack[len(t.stack)-1]
		t.stack = t.stack[:len(t.stack)-1]
		t.onStack[w] = false
		comp = append(comp, w)
		if w == v {
			break
		}
	}
	slices.Sort(comp)
	t.components = append(t.components, comp)
}

// shortestCycle returns the shortest cycle through the smallest member of a
// strongly connected component (given sorted, with at least two members),
// found by a breadth-first search in name order so ties resolve the same way
// every time. The cycle starts at that smallest member.
func (g *Graph) shortestCycle(scc []string) []string {
	start := scc[0]
	members := make(map[string]bool, len(scc))
	for _, v := range scc {
		members[v] = true
	}
	parent := map[string]string{}
	queue := []string{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, w := range g.DependenciesOf(v) {
			if w == start && v == start {
				continue // a self-edge is reported on its own
			}
			if w == start {
				var path []string
				for u := v; u != start; u = parent[u] {
					path = append(path, u)
				}
				path = append(path, start)
				slices.Reverse(path)
				return path
			}
			if _, seen := parent[w]; seen || !members[w] {
				continue
			}
			parent[w] = v
			queue = append(queue, w)
		}
	}
	// Unreachable for a genuine component; fall back to listing it whole.
	return scc
}

// TopologicalOrder returns every vertex with each one after all of its
// dependencies. Among vertices whose dependencies are all placed, the
// smallest name comes first, so the order is fully determined by the graph.
// It returns the Validate error when the graph has a cycle.
func (g *Graph) TopologicalOrder() ([]string, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	waiting := make(map[string]int, len(g.deps))
	ready := &nameHeap{}
	for v, deps := range g.deps {
		waiting[v] = len(deps)
		if len(deps) == 0 {
			heap.Push(ready, v)
		}
	}
	order := make([]string, 0, len(g.deps))
	for ready.Len() > 0 {
		v := heap.Pop(ready).(string)
		order = append(order, v)
		for w := range g.dependents[v] {
			waiting[w]--
			if waiting[w] == 0 {
				heap.Push(ready, w)
			}
		}
	}
	return order, nil
}

// nameHeap is a min-heap of vertex names for container/heap.
type nameHeap []string

func (h nameHeap) Len() int           { return len(h) }
func (h nameHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h nameHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nameHeap) Push(x any)        { *h = append(*h, x.(string)) }
func (h *nameHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}
