package plan

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// MarkdownLimit is the most bytes one comment from RenderMarkdown holds:
// under GitHub's 65,536-character limit on a pull-request comment, with
// room left for a bot's own header or footer.
const MarkdownLimit = 65000

// Mermaid's default limits (maxEdges, maxTextSize): past them the diagram
// is replaced by an error, so RenderMarkdown leaves the graph out instead.
const (
	mermaidMaxEdges = 500
	mermaidMaxText  = 50000
)

// markdownCellMax caps one table cell, so that no single row can outgrow
// a comment.
const markdownCellMax = 1000

// RenderMarkdown renders the plan as pull-request comments: a heading with
// the summary line, counts by migration, kind and action, the risks (lossy
// type mappings first), one collapsible block per changed table with its
// resources and column mapping, and a Mermaid graph of the changes.
//
// It returns one comment, or several when the text is longer than
// MarkdownLimit: each is a complete document whose heading says "(part i
// of n)", and none splits a <details> block, table or code fence.
func RenderMarkdown(p *Plan) []string {
	s := p.Summarize()
	title := fmt.Sprintf("### ferry plan: %d to create, %d to replace, %d to forget", s.Create, s.Replace, s.Forget)
	if !p.HasChanges() {
		return []string{"### ferry plan: no changes\n\n" + mdText(NoChangesMessage) + "\n"}
	}
	sections := mdSections(p)
	parts := packMarkdown(sections, MarkdownLimit-len(title)-len("\n\n"))
	if len(parts) == 1 {
		return []string{title + "\n\n" + parts[0]}
	}
	parts = packMarkdown(sections, MarkdownLimit-len(partTitle(title, len(parts)*10, len(parts)*10))-len("\n\n"))
	for i, body := range parts {
		parts[i] = partTitle(title, i+1, len(parts)) + "\n\n" + body
	}
	return parts
}

// mdSections are the comment's sections in order.
func mdSections(p *Plan) []mdSection {
	var out []mdSection
	if o := mdOverview(p); o != "" {
		out = append(out, mdSection{open: func(bool) string { return o }})
	}
	out = append(out, mdCounts(p), mdRisks(p))
	for i, sec := range mdTables(p) {
		if i == 0 {
			// The heading travels with the first table so that it never
			// ends a comment on its own.
			open := sec.open
			sec.open = func(cont bool) string { return "#### Changes by table\n\n" + open(cont) }
		}
		out = append(out, sec)
	}
	graph := mdGraph(p)
	return append(out, mdSection{open: func(bool) string { return graph }, keep: true})
}

// packMarkdown lays the sections out in comment bodies of at most budget
// bytes. A section that must stay together and fits in a comment moves
// whole to the next comment when the current one is full; any other
// section fills the current comment and goes on in the next.
func packMarkdown(sections []mdSection, budget int) []string {
	var parts [][]string
	size := 0
	place := func(b string) {
		if b == "" {
			return
		}
		if len(parts) == 0 || size+1+len(b) > budget {
			parts = append(parts, nil)
			size = -1
		}
		parts[len(parts)-1] = append(parts[len(parts)-1], b)
		size += 1 + len(b)
	}
	for _, sec := range sections {
		if sec.keep {
			if whole := sec.render(budget, budget); len(whole) == 1 {
				place(whole[0])
				continue
			}
		}
		room := budget
		if len(parts) > 0 {
			room = budget - size - 1
		}
		for _, b := range sec.render(room, budget) {
			place(b)
		}
	}
	out := make([]string, len(parts))
	for i, bs := range parts {
		out[i] = strings.Join(bs, "\n")
	}
	return out
}

func partTitle(title string, i, n int) string {
	return fmt.Sprintf("%s (part %d of %d)", title, i, n)
}

// mdOverview is the volume line and what the plan was made against, or
// empty when there is neither.
func mdOverview(p *Plan) string {
	var b strings.Builder
	if rows, bytes, tables := p.Volume(); tables > 0 {
		fmt.Fprintf(&b, "Data to move: %d tables, %s rows, %s.\n", tables, Count(rows), Bytes(bytes))
	}
	var meta []string
	if p.ID != "" {
		meta = append(meta, "plan "+mdCode(p.ID))
	}
	if p.Lineage != "" || p.Serial > 0 {
		meta = append(meta, fmt.Sprintf("state serial %d", p.Serial))
	}
	if p.Lineage != "" {
		meta = append(meta, "lineage "+mdCode(p.Lineage))
	}
	if p.FerryVersion != "" {
		meta = append(meta, "ferry "+mdCode(p.FerryVersion))
	}
	if len(meta) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("<sub>" + strings.Join(meta, " · ") + "</sub>\n")
	}
	return b.String()
}

// mdCounts counts the changes by migration, kind and action.
func mdCounts(p *Plan) mdSection {
	type key struct {
		migration string
		kind      Kind
	}
	counts := map[key]*[3]int{}
	for _, r := range p.Changes() {
		k := key{migrationOf(r), r.Kind}
		c := counts[k]
		if c == nil {
			c = &[3]int{}
			counts[k] = c
		}
		switch r.Action {
		case Create:
			c[0]++
		case Replace:
			c[1]++
		case Forget:
			c[2]++
		}
	}
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.migration != b.migration {
			return a.migration < b.migration
		}
		if kindRank(a.kind) != kindRank(b.kind) {
			return kindRank(a.kind) < kindRank(b.kind)
		}
		return a.kind < b.kind
	})
	head := "| Migration | Kind | `+` create | `-/+` replace | `.` forget |\n|---|---|--:|--:|--:|\n"
	sec := mdSection{open: func(cont bool) string {
		if cont {
			return "#### Changes by migration and kind (continued)\n\n"
		}
		return "#### Changes by migration and kind\n\n"
	}}
	for _, k := range keys {
		c := counts[k]
		sec.items = append(sec.items, mdItem{head: head, text: fmt.Sprintf("| %s | %s | %d | %d | %d |\n",
			mdCell(orDash(k.migration)), mdCell(string(k.kind)), c[0], c[1], c[2])})
	}
	return sec
}

func kindRank(k Kind) int {
	for i, c := range []Kind{KindUnload, KindCopy, KindTable, KindLoad, KindVerify, KindQuery} {
		if c == k {
			return i
		}
	}
	return 99
}

// mdRisks lists the plan's warnings, lossy type mappings first.
func mdRisks(p *Plan) mdSection {
	ws := append([]Warning(nil), p.Warnings...)
	sort.SliceStable(ws, func(i, j int) bool {
		return ws[i].Code == RiskLossyType && ws[j].Code != RiskLossyType
	})
	sec := mdSection{open: func(cont bool) string {
		if cont {
			return "#### Risks (continued)\n\n"
		}
		return "#### Risks\n\n"
	}}
	if len(ws) == 0 {
		sec.items = append(sec.items, mdItem{text: "None found.\n"})
	}
	for _, w := range ws {
		line := "- :warning: " + mdCode(w.Code)
		if w.Addr != "" {
			line += " " + mdCode(w.Addr)
		}
		sec.items = append(sec.items, mdItem{text: line + ": " + mdText(clip(w.Message)) + "\n"})
	}
	return sec
}

// mdTables is one collapsible section per changed table (or a
// migration's queries), in address order.
func mdTables(p *Plan) []mdSection {
	byKey := map[string][]*Resource{}
	var keys []string
	for _, r := range p.Resources {
		k := GroupKey(r.Addr)
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], r)
	}
	sort.Strings(keys)
	var out []mdSection
	for _, k := range keys {
		var changed []*Resource
		for _, r := range byKey[k] {
			if r.Action != NoOp {
				changed = append(changed, r)
			}
		}
		if len(changed) > 0 {
			out = append(out, mdTable(k, changed))
		}
	}
	return out
}

func mdTable(key string, rs []*Resource) mdSection {
	summary := "<code>" + htmlText(key) + "</code>"
	if first := rs[0]; first.SourceTable != "" && first.TargetTable != "" {
		summary += " (" + htmlText(first.SourceTable+" → "+first.TargetTable) + ")"
	}
	summary += ": " + countsText(rs)
	sec := mdSection{
		open: func(cont bool) string {
			s := summary
			if cont {
				s += " (continued)"
			}
			return "<details><summary>" + s + "</summary>\n"
		},
		close: "\n</details>\n",
		keep:  true,
	}
	head := "\n| Action | Kind | Resource | Reason | Detail |\n|---|---|---|---|---|\n"
	for _, r := range rs {
		sec.items = append(sec.items, mdItem{head: head, text: fmt.Sprintf("| %s | %s | %s | %s | %s |\n",
			mdCode(r.Action.Symbol()), mdCell(string(r.Kind)), mdCell(resourceText(r)), mdCell(r.Reason.String()), mdCell(r.Detail))})
	}
	for _, r := range rs {
		if r.Table == nil || (r.Action != Create && r.Action != Replace) {
			continue
		}
		intro := "Column mapping of " + mdCode(r.Table.Name)
		if r.Table.Target != "" {
			intro += " in " + mdCode(r.Table.Target)
		}
		sec.items = append(sec.items, mdItem{text: "\n" + intro + ":\n"})
		colHead := "\n| Source column | Source type | Target type | Mapping | Note |\n|---|---|---|---|---|\n"
		for _, c := range r.Table.Columns {
			mapping := "exact"
			if !c.Exact {
				mapping = "**lossy**"
			}
			var notes []string
			if c.Note != "" {
				notes = append(notes, c.Note)
			}
			if c.Override {
				notes = append(notes, "type set in configuration")
			}
			if c.FileType != "" && c.FileType != c.TargetType {
				notes = append(notes, "loaded as "+c.FileType+", then cast")
			}
			sec.items = append(sec.items, mdItem{head: colHead, text: fmt.Sprintf("| %s | %s | %s | %s | %s |\n",
				mdCode(c.Source), mdCode(c.SourceType), mdCode(c.TargetType), mapping, mdCell(strings.Join(notes, "; ")))})
		}
	}
	return sec
}

// countsText is "2 to create, 3 to replace" for a table's resources.
func countsText(rs []*Resource) string {
	n := map[Action]int{}
	for _, r := range rs {
		n[r.Action]++
	}
	var parts []string
	for _, a := range []Action{Create, Replace, Forget} {
		if n[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", n[a], a))
		}
	}
	return strings.Join(parts, ", ")
}

// resourceText says in a few words what the resource moves where.
func resourceText(r *Resource) string {
	switch {
	case r.Unload != nil:
		return fmt.Sprintf("%s → %s (%s rows, %s)", r.SourceTable, r.Unload.Bucket, Count(r.Unload.Rows), Bytes(r.Unload.Bytes))
	case r.Copy != nil:
		return fmt.Sprintf("%s → %s [%s]", r.Copy.From, r.Copy.To, r.Copy.Engine)
	case r.Table != nil:
		return fmt.Sprintf("%s in %s", r.Table.Name, r.Table.Target)
	case r.Load != nil:
		return fmt.Sprintf("%s ← %s", r.Load.Table, r.Load.Bucket)
	case r.Verify != nil:
		return "level " + r.Verify.Level
	case r.Query != nil:
		return r.Query.Name
	}
	return tableOf(r)
}

// mdGraph is the Mermaid graph of the changes, or a note saying why it is
// left out.
func mdGraph(p *Plan) string {
	const heading = "#### Dependency graph of changes\n\n"
	g := buildGraph(p, true)
	src := RenderMermaid(p, true)
	block := heading + "```mermaid\n" + src + "```\n"
	if len(g.edges) <= mermaidMaxEdges && len(src) <= mermaidMaxText {
		return block
	}
	return heading + fmt.Sprintf("Left out: %d changed resources with %d edges are more than Mermaid draws in a comment (%d edges, %s characters).\n",
		len(g.nodes), len(g.edges), mermaidMaxEdges, Count(mermaidMaxText))
}

// mdSection is a run of Markdown that can be cut between items into
// several self-contained blocks: each block reopens the section and
// repeats the header of a table it continues.
type mdSection struct {
	open  func(cont bool) string
	close string
	items []mdItem
	// keep moves the section whole to the next comment rather than
	// cutting it, unless it is longer than a comment.
	keep bool
}

// mdItem is one line (a table row or list item) or paragraph. head is the
// header of the table the row belongs to; it is written before the first
// row of the table in each block.
type mdItem struct{ head, text string }

// render cuts the section into blocks: the first of at most first
// bytes (empty when not even one item fits there), the others of at most
// rest bytes.
func (s mdSection) render(first, rest int) []string {
	var out []string
	var b strings.Builder
	head, n, limit := "", 0, first
	start := func(cont bool) {
		b.Reset()
		b.WriteString(s.open(cont))
		head, n = "", 0
	}
	start(false)
	if len(s.items) == 0 && b.Len()+len(s.close) > limit && limit < rest {
		return []string{"", b.String() + s.close}
	}
	for _, it := range s.items {
		piece := it.text
		if it.head != head {
			piece = it.head + piece
		}
		if b.Len()+len(piece)+len(s.close) > limit && (n > 0 || limit < rest) {
			if n > 0 {
				out = append(out, b.String()+s.close)
			} else {
				out = append(out, "")
			}
			start(len(out) > 0 && out[len(out)-1] != "")
			limit = rest
			piece = it.head + it.text
		}
		if room := limit - b.Len() - len(s.close); len(piece) > room {
			piece = truncate(piece, room-len("…\n")) + "…\n"
		}
		b.WriteString(piece)
		head = it.head
		n++
	}
	return append(out, b.String()+s.close)
}

// mdCode is s as an inline code span, safe in a table cell.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(clip(s), "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdCell is s as plain text in a table cell.
func mdCell(s string) string { return mdText(clip(s)) }

// mdText escapes the characters Markdown or HTML would interpret.
func mdText(s string) string {
	return strings.NewReplacer(
		`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
		`<`, `&lt;`, `>`, `&gt;`, `&`, `&amp;`, `|`, `\|`, `~`, `\~`, "\n", " ",
	).Replace(s)
}

// htmlText escapes s for an HTML element such as <summary>.
func htmlText(s string) string {
	return strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&quot;", "\n", " ").Replace(s)
}

func clip(s string) string {
	if len(s) <= markdownCellMax {
		return s
	}
	return truncate(s, markdownCellMax) + "…"
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
