package config

import (
	"fmt"
	"path"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

var migrationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "from", Required: true},
		{Name: "via", Required: true},
		{Name: "to", Required: true},
		{Name: "copy"},
		{Name: "tables", Required: true},
		{Name: "exclude"},
		{Name: "keep_staged"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "table", LabelNames: []string{"address"}},
		{Type: "verify"},
	},
}

// copyEngines are the accepted values of copy.engine; the first is the
// default.
var copyEngines = []string{"stream", "online_migration", "external"}

// loadMigrations decodes the migration blocks, in declaration order.
func (l *loader) loadMigrations(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]*Migration{}
	for _, b := range blocks {
		name := b.Labels[0]
		if prev, ok := seen[name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Duplicate migration %q", name),
				Detail:   fmt.Sprintf("A migration named %q was already defined at %s. Migration names must be unique.", name, prev.DeclRange),
				Subject:  b.DefRange.Ptr(),
			})
			continue
		}
		m, d := l.decodeMigration(b)
		diags = append(diags, d...)
		seen[name] = m
		l.cfg.Migrations = append(l.cfg.Migrations, m)
	}
	return diags
}

func (l *loader) decodeMigration(b *hcl.Block) (*Migration, hcl.Diagnostics) {
	m := &Migration{Name: b.Labels[0], CopyEngine: copyEngines[0], KeepStaged: true, DeclRange: b.DefRange}
	content, diags := b.Body.Content(migrationSchema)

	if attr, ok := content.Attributes["from"]; ok {
		addr, d := l.reference(attr, "source")
		diags = append(diags, d...)
		m.From = addr
	}
	if attr, ok := content.Attributes["via"]; ok {
		via, d := l.decodeVia(attr)
		diags = append(diags, d...)
		m.Via = via
	}
	if attr, ok := content.Attributes["to"]; ok {
		addr, d := l.reference(attr, "target")
		diags = append(diags, d...)
		m.To = addr
	}
	if attr, ok := content.Attributes["copy"]; ok {
		diags = append(diags, l.decodeCopy(m, attr)...)
	}
	if attr, ok := content.Attributes["tables"]; ok {
		pats, known, d := l.patterns(attr)
		diags = append(diags, d...)
		m.Include = pats
		if known && len(pats) == 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Empty tables list",
				Detail:   `tables selects what to migrate and needs at least one glob, like ["public.*"].`,
				Subject:  attr.Expr.Range().Ptr(),
			})
		}
	}
	if attr, ok := content.Attributes["keep_staged"]; ok {
		v, d := l.eval(attr, cty.Bool)
		diags = append(diags, d...)
		if !d.HasErrors() && v.Value.IsKnown() && !v.Value.IsNull() {
			m.KeepStaged = v.Value.True()
		}
	}
	if attr, ok := content.Attributes["exclude"]; ok {
		pats, _, d := l.patterns(attr)
		diags = append(diags, d...)
		m.Exclude = pats
	}

	m.Verify = &Verify{Level: defaultVerifyLevel}
	var verifyBlock *hcl.Block
	for _, nb := range content.Blocks {
		switch nb.Type {
		case "table":
			t, d := l.decodeTable(nb)
			diags = append(diags, d...)
			if t == nil {
				continue
			}
			if prev := findTable(m.Tables, t.Source); prev != nil {
				diags = append(diags, duplicate("table", t.Source, prev.DeclRange, t.DeclRange))
				continue
			}
			m.Tables = append(m.Tables, t)
		case "verify":
			if verifyBlock != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate verify block",
					Detail:   fmt.Sprintf("This migration already has a verify block at %s.", verifyBlock.DefRange),
					Subject:  nb.DefRange.Ptr(),
				})
				continue
			}
			verifyBlock = nb
			v, d := l.decodeVerify(nb)
			diags = append(diags, d...)
			m.Verify = v
		}
	}
	return m, diags
}

// reference decodes a from or to attribute: a reference such as
// source.redshift.prod to a declared block of the given role.
func (l *loader) reference(attr *hcl.Attribute, role string) (string, hcl.Diagnostics) {
	return l.referenceExpr(attr.Name, attr.Expr, role)
}

func (l *loader) referenceExpr(what string, expr hcl.Expression, role string) (string, hcl.Diagnostics) {
	tr, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() {
		return "", diags
	}
	invalid := func(detail string) (string, hcl.Diagnostics) {
		return "", hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid reference",
			Detail:   detail,
			Subject:  expr.Range().Ptr(),
		}}
	}
	kind, kok := attrStep(tr, 1)
	name, nok := attrStep(tr, 2)
	if len(tr) != 3 || !kok || !nok {
		return invalid(fmt.Sprintf("%s must refer to a %s block as %s.<kind>.<name>, like %s.", what, role, role, exampleAddr[role]))
	}
	root := tr.RootName()
	addr := root + "." + kind + "." + name
	if root != role {
		return invalid(fmt.Sprintf("%s must refer to a %s block; %s is not one.", what, role, addr))
	}
	if _, ok := l.providerMap(role)[addr]; !ok {
		return "", hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Reference to undeclared " + role,
			Detail:   fmt.Sprintf("There is no %s %q in this configuration.", role, addr),
			Subject:  expr.Range().Ptr(),
		}}
	}
	return addr, nil
}

var exampleAddr = map[string]string{
	"source": "source.redshift.prod",
	"bucket": "bucket.s3.unload",
	"target": "target.maxcompute.dw",
}

// attrStep returns the name of the i-th step of tr when it is an attribute.
func attrStep(tr hcl.Traversal, i int) (string, bool) {
	if i >= len(tr) {
		return "", false
	}
	a, ok := tr[i].(hcl.TraverseAttr)
	return a.Name, ok
}

// decodeVia reads the list of one or two bucket references.
func (l *loader) decodeVia(attr *hcl.Attribute) ([]string, hcl.Diagnostics) {
	exprs, diags := hcl.ExprList(attr.Expr)
	if diags.HasErrors() {
		return nil, diags
	}
	if len(exprs) < 1 || len(exprs) > 2 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Wrong number of buckets in via",
			Detail:   fmt.Sprintf("via lists one bucket (the unload bucket, also read by the target) or two (the unload bucket, then the landing bucket the target reads); got %d.", len(exprs)),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	var via []string
	for _, e := range exprs {
		addr, d := l.referenceExpr("via", e, "bucket")
		diags = append(diags, d...)
		if addr != "" {
			via = append(via, addr)
		}
	}
	return via, diags
}

// decodeCopy reads the copy object: engine, and every other key as an
// engine option.
func (l *loader) decodeCopy(m *Migration, attr *hcl.Attribute) hcl.Diagnostics {
	v, diags := l.eval(attr, cty.DynamicPseudoType)
	val := v.Value
	if diags.HasErrors() || !val.IsWhollyKnown() {
		return diags
	}
	if val.IsNull() || !(val.Type().IsObjectType() || val.Type().IsMapType()) {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail:   `copy must be an object, like { engine = "stream" }.`,
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	// Point each option at its own item when the object is written out.
	itemRanges := map[string]hcl.Range{}
	if pairs, d := hcl.ExprMap(attr.Expr); !d.HasErrors() {
		for _, p := range pairs {
			if k, d := p.Key.Value(nil); !d.HasErrors() && k.Type() == cty.String && k.IsKnown() {
				itemRanges[k.AsString()] = p.Value.Range()
			}
		}
	}
	m.CopyOptions = map[string]Value{}
	for it := val.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		key := k.AsString()
		rng, ok := itemRanges[key]
		if !ok {
			rng = attr.Expr.Range()
		}
		if key != "engine" {
			m.CopyOptions[key] = Value{Value: ev, Sensitive: v.Sensitive || alwaysSensitive[key], Range: rng}
			continue
		}
		engine := knownString(ev)
		if !slices.Contains(copyEngines, engine) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid copy engine",
				Detail:   fmt.Sprintf("copy.engine must be one of %s; got %s.", quoteList(copyEngines), describe(ev)),
				Subject:  rng.Ptr(),
			})
			continue
		}
		m.CopyEngine = engine
	}
	return diags
}

// patterns reads a list of table globs, keeping each element's range when
// the list is written out literally. known is false when the value depends
// on a variable that could not be resolved.
func (l *loader) patterns(attr *hcl.Attribute) (pats []Pattern, known bool, diags hcl.Diagnostics) {
	v, diags := l.eval(attr, cty.List(cty.String))
	if diags.HasErrors() || !v.Value.IsWhollyKnown() {
		return nil, false, diags
	}
	if v.Value.IsNull() {
		return nil, true, diags
	}
	elems, d := hcl.ExprList(attr.Expr)
	literal := !d.HasErrors() && len(elems) == v.Value.LengthInt()
	for i, ev := range v.Value.AsValueSlice() {
		rng := attr.Expr.Range()
		if literal {
			rng = elems[i].Range()
		}
		glob := knownString(ev)
		if _, err := path.Match(glob, ""); glob == "" || err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid table glob",
				Detail:   fmt.Sprintf("%q is not a glob of schema.table names, like \"public.*\".", glob),
				Subject:  rng.Ptr(),
			})
			continue
		}
		pats = append(pats, Pattern{Glob: glob, Range: rng})
	}
	return pats, true, diags
}

// describe renders a value the user wrote, for error details.
func describe(v cty.Value) string {
	if v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
		return fmt.Sprintf("%q", v.AsString())
	}
	return "a " + v.Type().FriendlyName()
}

// duplicate is the diagnostic for a repeated labelled block, naming where
// the first one is.
func duplicate(what, label string, prev, this hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Duplicate %s %q", what, label),
		Detail:   fmt.Sprintf("A %s block for %q was already defined at %s.", what, label, prev),
		Subject:  this.Ptr(),
	}
}

// quoteList renders `"a", "b" or "c"`.
func quoteList(list []string) string {
	s := ""
	for i, x := range list {
		switch {
		case i == 0:
		case i == len(list)-1:
			s += " or "
		default:
			s += ", "
		}
		s += fmt.Sprintf("%q", x)
	}
	return s
}
