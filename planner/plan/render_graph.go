package plan

import (
	"fmt"
	"sort"
	"strings"
)

// RenderDOT renders the resource graph in Graphviz DOT: one node per
// resource labelled "symbol kind table", one cluster per migration, and an
// edge from each dependency to its dependent. With changedOnly, no-op
// resources and the edges touching them are left out, so the graph shows
// exactly what apply will run and in which order.
func RenderDOT(p *Plan, changedOnly bool) string {
	g := buildGraph(p, changedOnly)
	var b strings.Builder
	b.WriteString("digraph ferry {\n")
	b.WriteString("\trankdir=LR;\n")
	b.WriteString("\tnode [shape=box];\n")
	for _, c := range g.clusters() {
		indent := "\t"
		if c.migration != "" {
			fmt.Fprintf(&b, "\tsubgraph %s {\n", dotID("cluster_"+c.migration))
			fmt.Fprintf(&b, "\t\tlabel=%s;\n", dotID("migration "+c.migration))
			indent = "\t\t"
		}
		for _, i := range c.nodes {
			r := g.nodes[i]
			fmt.Fprintf(&b, "%s%s [label=%s%s];\n", indent, dotID(r.Addr), dotID(nodeLabel(r)), dotStyle(r.Action))
		}
		if c.migration != "" {
			b.WriteString("\t}\n")
		}
	}
	for _, e := range g.edges {
		fmt.Fprintf(&b, "\t%s -> %s;\n", dotID(g.nodes[e.from].Addr), dotID(g.nodes[e.to].Addr))
	}
	b.WriteString("}\n")
	return b.String()
}

// RenderMermaid renders the resource graph as a Mermaid flowchart, which
// GitHub and GitLab draw inline in pull requests. Nodes, subgraphs and
// edges are the same as RenderDOT's; node ids are derived from addresses
// with everything but letters, digits and underscores replaced.
func RenderMermaid(p *Plan, changedOnly bool) string {
	g := buildGraph(p, changedOnly)
	ids := mermaidIDs(g.nodes)
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	b.WriteString("\tclassDef create fill:#e6ffed,stroke:#22863a\n")
	b.WriteString("\tclassDef replace fill:#fff5b1,stroke:#b08800\n")
	b.WriteString("\tclassDef forget fill:#f6f8fa,stroke:#6a737d,stroke-dasharray:4 4\n")
	subgraphIDs := map[string]bool{}
	for _, c := range g.clusters() {
		indent := "\t"
		if c.migration != "" {
			id := uniqueID("m_"+sanitizeID(c.migration), subgraphIDs)
			fmt.Fprintf(&b, "\tsubgraph %s [\"%s\"]\n", id, mermaidText("migration "+c.migration))
			indent = "\t\t"
		}
		for _, i := range c.nodes {
			r := g.nodes[i]
			class := ""
			if r.Action != NoOp {
				class = ":::" + r.Action.String()
			}
			fmt.Fprintf(&b, "%s%s[\"%s\"]%s\n", indent, ids[i], mermaidText(nodeLabel(r)), class)
		}
		if c.migration != "" {
			b.WriteString("\tend\n")
		}
	}
	for _, e := range g.edges {
		fmt.Fprintf(&b, "\t%s --> %s\n", ids[e.from], ids[e.to])
	}
	return b.String()
}

// graph is the part of a plan a graph rendering shows.
type graph struct {
	nodes []*Resource // plan order
	edges []edge      // sorted by dependency, then dependent
}

// edge runs from a dependency to its dependent, as indexes into nodes.
type edge struct{ from, to int }

// cluster is one migration's nodes; migration is empty for resources
// whose migration is unknown.
type cluster struct {
	migration string
	nodes     []int
}

func buildGraph(p *Plan, changedOnly bool) graph {
	var g graph
	index := map[string]int{}
	for _, r := range p.Resources {
		if changedOnly && r.Action == NoOp {
			continue
		}
		if _, dup := index[r.Addr]; dup {
			continue
		}
		index[r.Addr] = len(g.nodes)
		g.nodes = append(g.nodes, r)
	}
	seen := map[edge]bool{}
	for to, r := range g.nodes {
		for _, dep := range r.DependsOn {
			from, ok := index[dep]
			if !ok || seen[edge{from, to}] {
				continue
			}
			seen[edge{from, to}] = true
			g.edges = append(g.edges, edge{from, to})
		}
	}
	sort.Slice(g.edges, func(i, j int) bool {
		a, b := g.edges[i], g.edges[j]
		if a.from != b.from {
			return a.from < b.from
		}
		return a.to < b.to
	})
	return g
}

// clusters groups the nodes by migration, sorted by name, with resources
// of no known migration last.
func (g graph) clusters() []cluster {
	var out []cluster
	idx := map[string]int{}
	for i, r := range g.nodes {
		m := migrationOf(r)
		j, ok := idx[m]
		if !ok {
			j = len(out)
			idx[m] = j
			out = append(out, cluster{migration: m})
		}
		out[j].nodes = append(out[j].nodes, i)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].migration, out[j].migration
		if (a == "") != (b == "") {
			return b == ""
		}
		return a < b
	})
	return out
}

// nodeLabel is "symbol kind table"; the symbol is left out for no-ops.
func nodeLabel(r *Resource) string {
	return strings.TrimSpace(strings.TrimSpace(r.Action.Symbol()) + " " + string(r.Kind) + " " + tableOf(r))
}

// migrationOf is the resource's migration, read from its address when the
// resource does not carry it (Forget resources are built from state).
func migrationOf(r *Resource) string {
	if r.Migration != "" {
		return r.Migration
	}
	rest, ok := strings.CutPrefix(r.Addr, "migration.")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, ".")
	return name
}

// tableOf is the source table a resource belongs to ("schema.table"), or
// the query name for a query; it is read from the address when the
// resource does not carry it.
func tableOf(r *Resource) string {
	if r.SourceTable != "" {
		return r.SourceTable
	}
	if r.Query != nil && r.Query.Name != "" {
		return r.Query.Name
	}
	rest, ok := strings.CutPrefix(r.Addr, "migration.")
	if !ok {
		return GroupKey(r.Addr)
	}
	_, rest, _ = strings.Cut(rest, ".")
	if q, ok := strings.CutPrefix(rest, "query."); ok {
		return q
	}
	rest, _ = strings.CutPrefix(rest, "table.")
	return GroupKey(rest)
}

func dotID(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func dotStyle(a Action) string {
	switch a {
	case Create:
		return `, color="darkgreen"`
	case Replace:
		return `, color="darkorange"`
	case Forget:
		return `, color="gray50", style="dashed"`
	}
	return ""
}

// mermaidIDs gives every node an id made from its address, prefixed so
// that no id is a Mermaid keyword ("end") or starts an edge token ("o",
// "x"), and suffixed when two addresses sanitize to the same id.
func mermaidIDs(nodes []*Resource) []string {
	used := map[string]bool{}
	ids := make([]string, len(nodes))
	for i, r := range nodes {
		ids[i] = uniqueID("r_"+sanitizeID(r.Addr), used)
	}
	return ids
}

func uniqueID(id string, used map[string]bool) string {
	out := id
	for n := 2; used[out]; n++ {
		out = fmt.Sprintf("%s_%d", id, n)
	}
	used[out] = true
	return out
}

func sanitizeID(s string) string {
	return strings.Map(func(c rune) rune {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
			return c
		}
		return '_'
	}, s)
}

// mermaidText escapes a quoted Mermaid label with Mermaid's entity codes.
var mermaidText = strings.NewReplacer(
	`#`, "#35;", `"`, "#quot;", `<`, "#lt;", `>`, "#gt;", "`", "#96;", "\n", " ",
).Replace
