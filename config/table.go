package config

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

var tableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "name"},
		{Name: "partition_by"},
		{Name: "where"},
		{Name: "key"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "column", LabelNames: []string{"name"}}},
}

var columnSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "type"}, {Name: "rename"}},
}

var verifySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "level"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "query", LabelNames: []string{"name"}}},
}

var querySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "sql"},
		{Name: "source_sql"},
		{Name: "target_sql"},
		{Name: "tolerance"},
	},
}

// verifyLevels are the accepted verify levels, cheapest first.
var verifyLevels = []string{"files", "count", "schema", "aggregates", "fingerprint"}

// defaultVerifyLevel is used when a migration has no verify block or the
// block sets no level.
const defaultVerifyLevel = "aggregates"

// decodeTable reads a table block. It returns nil when the label is not a
// table address, since nothing else in the block can be matched then.
func (l *loader) decodeTable(b *hcl.Block) (*TableOverride, hcl.Diagnostics) {
	label := b.Labels[0]
	content, diags := b.Body.Content(tableSchema)
	if schema, table, ok := strings.Cut(label, "."); !ok || schema == "" || table == "" || strings.Contains(table, ".") {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid table address",
			Detail:   fmt.Sprintf("A table block is labelled with the source table as schema.table, like \"public.lineitem\"; got %q.", label),
			Subject:  b.LabelRanges[0].Ptr(),
		})
	}
	t := &TableOverride{Source: label, DeclRange: b.DefRange, NameRange: b.DefRange}
	if attr, ok := content.Attributes["name"]; ok {
		v, d := l.eval(attr, cty.String)
		diags = append(diags, d...)
		t.Name, t.NameRange = knownString(v.Value), v.Range
	}
	if attr, ok := content.Attributes["where"]; ok {
		v, d := l.eval(attr, cty.String)
		diags = append(diags, d...)
		t.Where = knownString(v.Value)
	}
	if attr, ok := content.Attributes["key"]; ok {
		v, d := l.eval(attr, cty.List(cty.String))
		diags = append(diags, d...)
		if v.Value.IsWhollyKnown() && !v.Value.IsNull() {
			for _, e := range v.Value.AsValueSlice() {
				t.Key = append(t.Key, knownString(e))
			}
		}
		t.KeyRange = v.Range
	}
	if attr, ok := content.Attributes["partition_by"]; ok {
		v, d := l.eval(attr, cty.List(cty.String))
		diags = append(diags, d...)
		if v.Value.IsWhollyKnown() && !v.Value.IsNull() {
			for _, e := range v.Value.AsValueSlice() {
				t.PartitionBy = append(t.PartitionBy, knownString(e))
			}
		}
	}
	for _, cb := range content.Blocks {
		c, d := l.decodeColumn(cb)
		diags = append(diags, d...)
		if i := slices.IndexFunc(t.Columns, func(x *ColumnOverride) bool { return x.Name == c.Name }); i >= 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate column",
				Detail:   fmt.Sprintf("Column %q of %s was already configured at %s; merge the two blocks.", c.Name, label, t.Columns[i].DeclRange),
				Subject:  c.DeclRange.Ptr(),
			})
			continue
		}
		t.Columns = append(t.Columns, c)
	}
	return t, diags
}

func (l *loader) decodeColumn(b *hcl.Block) (*ColumnOverride, hcl.Diagnostics) {
	content, diags := b.Body.Content(columnSchema)
	c := &ColumnOverride{Name: b.Labels[0], DeclRange: b.DefRange, TypeRange: b.DefRange}
	if attr, ok := content.Attributes["type"]; ok {
		v, d := l.eval(attr, cty.String)
		diags = append(diags, d...)
		c.Type, c.TypeRange = knownString(v.Value), v.Range
	}
	if attr, ok := content.Attributes["rename"]; ok {
		v, d := l.eval(attr, cty.String)
		diags = append(diags, d...)
		c.Rename = knownString(v.Value)
	}
	return c, diags
}

// findTable returns the override for a source table, if any.
func findTable(tables []*TableOverride, source string) *TableOverride {
	for _, t := range tables {
		if t.Source == source {
			return t
		}
	}
	return nil
}

// decodeVerify reads a verify block, defaulting the level.
func (l *loader) decodeVerify(b *hcl.Block) (*Verify, hcl.Diagnostics) {
	content, diags := b.Body.Content(verifySchema)
	v := &Verify{Level: defaultVerifyLevel}
	if attr, ok := content.Attributes["level"]; ok {
		val, d := l.eval(attr, cty.String)
		diags = append(diags, d...)
		level := knownString(val.Value)
		switch {
		case d.HasErrors() || !val.Value.IsKnown():
		case slices.Contains(verifyLevels, level):
			v.Level = level
		default:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid verify level",
				Detail:   fmt.Sprintf("level must be %s; got %q.", quoteList(verifyLevels), level),
				Subject:  attr.Expr.Range().Ptr(),
			})
		}
	}
	for _, qb := range content.Blocks {
		q, d := l.decodeQuery(qb)
		diags = append(diags, d...)
		if i := slices.IndexFunc(v.Queries, func(x *Query) bool { return x.Name == q.Name }); i >= 0 {
			diags = append(diags, duplicate("query", q.Name, v.Queries[i].DeclRange, q.DeclRange))
			continue
		}
		v.Queries = append(v.Queries, q)
	}
	return v, diags
}

func (l *loader) decodeQuery(b *hcl.Block) (*Query, hcl.Diagnostics) {
	content, diags := b.Body.Content(querySchema)
	q := &Query{Name: b.Labels[0], DeclRange: b.DefRange}
	set := map[string]bool{}
	fields := []struct {
		name string
		dst  *string
	}{{"sql", &q.SQL}, {"source_sql", &q.SourceSQL}, {"target_sql", &q.TargetSQL}}
	for _, f := range fields {
		name, dst := f.name, f.dst
		attr, ok := content.Attributes[name]
		if !ok {
			continue
		}
		v, d := l.eval(attr, cty.String)
		diags = append(diags, d...)
		*dst = knownString(v.Value)
		set[name] = true
	}
	if !set["sql"] && !(set["source_sql"] && set["target_sql"]) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing query SQL",
			Detail:   fmt.Sprintf("Query %q needs sql (run on both sides), or both source_sql and target_sql.", q.Name),
			Subject:  b.DefRange.Ptr(),
		})
	}
	if attr, ok := content.Attributes["tolerance"]; ok {
		v, d := l.eval(attr, cty.Number)
		diags = append(diags, d...)
		if !d.HasErrors() && v.Value.IsKnown() && !v.Value.IsNull() {
			f, _ := v.Value.AsBigFloat().Float64()
			if f < 0 || math.IsInf(f, 0) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid tolerance",
					Detail:   "tolerance is the absolute difference allowed between numeric results: a finite number, 0 or more.",
					Subject:  attr.Expr.Range().Ptr(),
				})
			} else {
				q.Tolerance = f
			}
		}
	}
	return q, diags
}
