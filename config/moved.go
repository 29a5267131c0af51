package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

var movedSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "from", Required: true},
		{Name: "to", Required: true},
	},
}

// loadMoves decodes moved blocks. Addresses are strings naming a
// migration ("migration.old"), a table ("migration.m.table.public.t") or
// one resource; from and to must be of the same shape, and no address may
// be moved twice.
func (l *loader) loadMoves(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]hcl.Range{}
	for _, b := range blocks {
		content, d := b.Body.Content(movedSchema)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		from, fd := l.eval(content.Attributes["from"], cty.String)
		to, td := l.eval(content.Attributes["to"], cty.String)
		diags = append(diags, fd...)
		diags = append(diags, td...)
		if fd.HasErrors() || td.HasErrors() || !from.Value.IsKnown() || !to.Value.IsKnown() {
			continue
		}
		mv := &Move{From: from.Value.AsString(), To: to.Value.AsString(), DeclRange: b.DefRange}
		bad := func(rng hcl.Range, detail string) {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid moved block", Detail: detail, Subject: rng.Ptr()})
		}
		switch {
		case !strings.HasPrefix(mv.From, "migration."):
			bad(from.Range, fmt.Sprintf("from = %q: a moved address starts with migration.", mv.From))
		case !strings.HasPrefix(mv.To, "migration."):
			bad(to.Range, fmt.Sprintf("to = %q: a moved address starts with migration.", mv.To))
		case mv.From == mv.To:
			bad(to.Range, "from and to are the same address.")
		case strings.Count(mv.From, ".") != strings.Count(mv.To, ".") && strings.Contains(mv.From, ".table.") != strings.Contains(mv.To, ".table."):
			bad(to.Range, fmt.Sprintf("%q and %q are not the same kind of address.", mv.From, mv.To))
		default:
			if prev, dup := seen[mv.From]; dup {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate moved block",
					Detail: fmt.Sprintf("%q is already moved at %s.", mv.From, prev), Subject: b.DefRange.Ptr()})
				continue
			}
			seen[mv.From] = b.DefRange
			l.cfg.Moves = append(l.cfg.Moves, mv)
		}
	}
	return diags
}

var removedSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "from", Required: true}},
}

// loadRemovals decodes removed blocks.
func (l *loader) loadRemovals(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range blocks {
		content, d := b.Body.Content(removedSchema)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		from, fd := l.eval(content.Attributes["from"], cty.String)
		diags = append(diags, fd...)
		if fd.HasErrors() || !from.Value.IsKnown() {
			continue
		}
		if !strings.HasPrefix(from.Value.AsString(), "migration.") {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid removed block",
				Detail: fmt.Sprintf("from = %q: a removed address starts with migration.", from.Value.AsString()), Subject: from.Range.Ptr()})
			continue
		}
		l.cfg.Removals = append(l.cfg.Removals, &Removal{From: from.Value.AsString(), DeclRange: b.DefRange})
	}
	return diags
}
