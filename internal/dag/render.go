package dag

import (
	"fmt"
	"strings"
	"unicode"
)

// String renders the graph as plain text: each vertex on its own line,
// followed by its dependencies indented by two spaces, everything sorted.
// It is the compact form planner tests compare against.
func (g *Graph) String() string {
	var b strings.Builder
	for _, v := range g.Vertices() {
		b.WriteString(v)
		b.WriteByte('\n')
		for _, d := range g.DependenciesOf(v) {
			fmt.Fprintf(&b, "  %s\n", d)
		}
	}
	return b.String()
}

// Dot renders the graph in Graphviz DOT syntax, left to right, with edges
// drawn in execution direction (dependency -> dependent). Vertices and edges
// are sorted, so the text is stable enough to compare in tests and diff
// between plans.
func (g *Graph) Dot() string {
	var b strings.Builder
	b.WriteString("digraph {\n")
	b.WriteString("\trankdir=LR;\n")
	for _, v := range g.Vertices() {
		fmt.Fprintf(&b, "\t%s;\n", dotQuote(v))
	}
	for _, e := range g.drawnEdges() {
		fmt.Fprintf(&b, "\t%s -> %s;\n", dotQuote(e[0]), dotQuote(e[1]))
	}
	b.WriteString("}\n")
	return b.String()
}

// dotQuote returns s as a DOT double-quoted string.
func dotQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + s + `"`
}

// Mermaid renders the graph as a Mermaid "flowchart LR", with edges drawn in
// execution direction (dependency --> dependent). Vertex names are not valid
// Mermaid identifiers in general (they contain dots, and "end" is a
// keyword), so each node gets a sanitized id and carries its real name as a
// quoted label. Vertices and edges are sorted.
func (g *Graph) Mermaid() string {
	ids := mermaidIDs(g.Vertices())
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, v := range g.Vertices() {
		fmt.Fprintf(&b, "    %s[\"%s\"]\n", ids[v], mermaidLabel(v))
	}
	for _, e := range g.drawnEdges() {
		fmt.Fprintf(&b, "    %s --> %s\n", ids[e[0]], ids[e[1]])
	}
	return b.String()
}

// drawnEdges returns every edge as (dependency, dependent) pairs, sorted by
// dependency and then dependent, which is the order both renderings list.
func (g *Graph) drawnEdges() [][2]string {
	var out [][2]string
	for _, v := range g.Vertices() {
		for _, d := range g.DependentsOf(v) {
			out = append(out, [2]string{v, d})
		}
	}
	return out
}

// mermaidIDs assigns each name (given sorted) a Mermaid node id: the name
// with every character other than an ASCII letter, digit or underscore
// replaced by "_", prefixed with "v_" when it would be empty, start with a
// digit or be the keyword "end", and suffixed with "_2", "_3", ... when two
// names sanitize to the same id.
func mermaidIDs(names []string) map[string]string {
	ids := make(map[string]string, len(names))
	taken := make(map[string]bool, len(names))
	for _, n := range names {
		base := sanitizeID(n)
		id := base
		for i := 2; taken[id]; i++ {
			id = fmt.Sprintf("%s_%d", base, i)
		}
		taken[id] = true
		ids[n] = id
	}
	return ids
}

func sanitizeID(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	id := b.String()
	if id == "" || (id[0] >= '0' && id[0] <= '9') || strings.EqualFold(id, "end") {
		id = "v_" + id
	}
	return id
}

// mermaidLabel escapes the characters that would end a quoted Mermaid label
// or be read as markup.
func mermaidLabel(name string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;").Replace(name)
}
