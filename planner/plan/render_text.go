package plan

import (
	"fmt"
	"io"
	"strings"
)

// NoChangesMessage is printed when a plan has nothing to do.
const NoChangesMessage = "No changes. Targets match the configuration and the state."

// TextOptions tune the human rendering.
type TextOptions struct {
	// Color adds ANSI colors to the action symbols.
	Color bool
	// ShowNoOps lists unchanged resources too.
	ShowNoOps bool
}

// RenderText writes the plan for people: one group per table, the action
// and reason of each resource, the type mapping of tables to be created,
// risks first and a summary line last.
func RenderText(w io.Writer, p *Plan, opts TextOptions) error {
	tw := &textWriter{w: w, color: opts.Color}
	if !p.HasChanges() {
		tw.printf("%s\n", NoChangesMessage)
		return tw.err
	}
	tw.printf("ferry will perform the following actions:\n")
	tw.legend(p)
	if len(p.Moves) > 0 {
		tw.printf("\nState moves (from moved blocks; no data moves):\n")
		for _, m := range p.Moves {
			tw.printf("  # %s has moved to %s\n", m.From, m.To)
		}
	}
	if len(p.Warnings) > 0 {
		tw.printf("\nRisks:\n")
		for _, wn := range p.Warnings {
			tw.printf("  ! [%s] %s\n", wn.Code, wn.Message)
		}
	}
	for _, g := range groups(p) {
		if !g.changed() && !opts.ShowNoOps {
			continue
		}
		tw.printf("\n%s\n", g.header())
		for _, r := range g.resources {
			if r.Action == NoOp && !opts.ShowNoOps {
				continue
			}
			tw.resource(r)
		}
	}
	s := p.Summarize()
	tw.printf("\nPlan: %d to create, %d to replace, %d to forget.\n", s.Create, s.Replace, s.Forget)
	if rows, bytes, tables := p.Volume(); tables > 0 {
		tw.printf("Data to move: %d tables, %s rows, %s.\n", tables, Count(rows), Bytes(bytes))
	}
	return tw.err
}

type textWriter struct {
	w     io.Writer
	color bool
	err   error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err != nil {
		return
	}
	_, t.err = fmt.Fprintf(t.w, format, args...)
}

func (t *textWriter) symbol(a Action) string {
	s := fmt.Sprintf("%3s", a.Symbol())
	if !t.color {
		return s
	}
	code := map[Action]string{Create: "32", Replace: "33", Forget: "36"}[a]
	if code == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (t *textWriter) legend(p *Plan) {
	used := map[Action]bool{}
	for _, r := range p.Resources {
		used[r.Action] = true
	}
	for _, a := range []Action{Create, Replace, Forget} {
		if !used[a] {
			continue
		}
		desc := map[Action]string{
			Create:  "create",
			Replace: "replace (run again, replacing its previous result)",
			Forget:  "forget (remove from state only; no data is dropped)",
		}[a]
		t.printf("  %s %s\n", t.symbol(a), desc)
	}
}

func (t *textWriter) resource(r *Resource) {
	reason := r.Reason.String()
	if r.Detail != "" {
		reason += ": " + r.Detail
	}
	if reason != "" {
		reason = "(" + reason + ")"
	}
	t.printf("  %s %-7s %s\n", t.symbol(r.Action), r.Kind, strings.TrimSpace(describe(r)+" "+reason))
	if r.Table != nil && (r.Action == Create || r.Action == Replace) {
		t.columns(r.Table.Columns)
		for _, p := range r.Table.PartitionColumns {
			t.printf("            partitioned by %s %s\n", p.Name, p.Type)
		}
	}
	if r.Cleanup != nil && r.Action != NoOp {
		for _, d := range r.Cleanup.Deletes {
			t.printf("          - %s: %s (%d objects)\n", d.Bucket, d.Prefix, d.Objects)
		}
		if r.Cleanup.CurrentToo {
			t.printf("          - the generation this apply writes, once verified\n")
		}
	}
}

func (t *textWriter) columns(cols []ColumnMapping) {
	wName, wType := 0, 0
	for _, c := range cols {
		wName = max(wName, len(c.Target))
		wType = max(wType, len(c.SourceType))
	}
	for _, c := range cols {
		mark := " "
		note := ""
		if !c.Exact {
			mark = "!"
			note = "  lossy: " + c.Note
		} else if c.Override {
			note = "  (override)"
		}
		if c.FileType != "" && c.FileType != c.TargetType {
			note += fmt.Sprintf("  (loaded as %s, then cast)", c.FileType)
		}
		t.printf("          %s %-*s %-*s -> %s%s\n", mark, wName, c.Target, wType, c.SourceType, c.TargetType, note)
	}
}

// describe is the one-line summary of what a resource does.
func describe(r *Resource) string {
	switch {
	case r.Unload != nil:
		return fmt.Sprintf("%s -> %s (%s rows, %s)", r.SourceTable, r.Unload.Bucket, Count(r.Unload.Rows), Bytes(r.Unload.Bytes))
	case r.Copy != nil:
		return fmt.Sprintf("%s -> %s [%s]", r.Copy.From, r.Copy.To, r.Copy.Engine)
	case r.Table != nil:
		return fmt.Sprintf("%s in %s", r.Table.Name, r.Table.Target)
	case r.Load != nil:
		return fmt.Sprintf("%s <- %s", r.Load.Table, r.Load.Bucket)
	case r.Verify != nil:
		return r.Verify.Level
	case r.Query != nil:
		return r.Query.Name
	case r.Cleanup != nil:
		n := 0
		for _, d := range r.Cleanup.Deletes {
			n += d.Objects
		}
		return fmt.Sprintf("delete %d staged objects in %d folders", n, len(r.Cleanup.Deletes))
	}
	return ""
}

type group struct {
	key       string
	resources []*Resource
}

func (g group) changed() bool {
	for _, r := range g.resources {
		if r.Action != NoOp {
			return true
		}
	}
	return false
}

func (g group) header() string {
	r := g.resources[0]
	if r.SourceTable == "" {
		return "# " + g.key
	}
	return fmt.Sprintf("# %s (%s -> %s)", g.key, r.SourceTable, r.TargetTable)
}

// groups collects resources by table (or query), keeping plan order.
func groups(p *Plan) []group {
	var out []group
	idx := map[string]int{}
	for _, r := range p.Resources {
		key := GroupKey(r.Addr)
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, group{key: key})
		}
		out[i].resources = append(out[i].resources, r)
	}
	return out
}

// GroupKey is the address without its last element: the table (or query)
// a resource belongs to.
func GroupKey(addr string) string {
	if i := strings.LastIndexByte(addr, '.'); i > 0 {
		return addr[:i]
	}
	return addr
}

// Volume sums rows and bytes of the planned unloads.
func (p *Plan) Volume() (rows, bytes int64, tables int) {
	for _, r := range p.Resources {
		if r.Unload != nil && r.Action != NoOp {
			rows += r.Unload.Rows
			bytes += r.Unload.Bytes
			tables++
		}
	}
	return rows, bytes, tables
}

// Count formats n with thousands separators.
func Count(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Bytes formats a byte count in binary units.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
