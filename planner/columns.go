package planner

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/provider/typemap"
)

// column is one mapped column with the unload expression that produces
// its file form.
type column struct {
	m plan.ColumnMapping
	// hints are the type mapping's MaxCompute settings.
	hints map[string]string
	expr  string
}

// mapColumns maps every source column to its MaxCompute column, applying
// the table block's column overrides. An override's type must be a valid
// MaxCompute type that the unloaded file can be loaded into, directly or
// through the staging cast.
func mapColumns(m *config.Migration, t selected, base string, declRange hcl.Range) ([]column, []plan.Warning, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var warns []plan.Warning
	q := t.info.QualifiedName()
	overrides := map[string]*config.ColumnOverride{}
	if t.override != nil {
		for _, c := range t.override.Columns {
			overrides[strings.ToLower(c.Name)] = c
		}
	}
	seen := map[string]bool{}
	out := make([]column, 0, len(t.info.Columns))
	for _, sc := range t.info.Columns {
		rt, err := typemap.ParseRedshift(sc.Type)
		if err != nil {
			diags = append(diags, diag("Unsupported column type",
				fmt.Sprintf("Column %s.%s: %v.", q, sc.Name, err), declRange))
			continue
		}
		tm := typemap.Map(rt, typemap.Options{})
		if tm.Unsupported != nil {
			diags = append(diags, diag("Unsupported column type",
				fmt.Sprintf("Column %s.%s (%s): %v.", q, sc.Name, rt, tm.Unsupported), declRange))
			continue
		}
		ov := overrides[strings.ToLower(sc.Name)]
		var name string
		if ov != nil && ov.Rename != "" {
			name = ov.Rename // checked below
		} else if name, err = typemap.ColumnName(sc.Name); err != nil {
			diags = append(diags, diag("Invalid column name", fmt.Sprintf("Table %s: %v.", q, err), declRange))
			continue
		}
		cm := plan.ColumnMapping{
			Source: sc.Name, SourceType: rt.String(), Target: name,
			TargetType: tm.Target.String(), FileType: tm.FileType.String(),
			Nullable: sc.Nullable, Exact: tm.Exact, Note: tm.Note,
		}
		if ov != nil {
			seen[strings.ToLower(sc.Name)] = true
			if ov.Rename != "" {
				if name, err = typemap.ColumnName(ov.Rename); err != nil {
					diags = append(diags, diag("Invalid column name", err.Error(), ov.DeclRange))
					continue
				}
				cm.Target = name
			}
			if ov.Type != "" {
				mt, err := typemap.ParseMaxCompute(ov.Type)
				if err != nil {
					diags = append(diags, diag("Invalid column type",
						fmt.Sprintf("Column %s.%s: %v.", q, sc.Name, err), ov.TypeRange))
					continue
				}
				switch {
				case typemap.DirectLoad(tm.FileType, mt):
					cm.FileType = mt.String()
				default:
					if err := typemap.CastLoad(tm.FileType, mt); err != nil {
						diags = append(diags, diag("Incompatible column type",
							fmt.Sprintf("Column %s.%s is unloaded as %s: %v.", q, sc.Name, tm.FileType, err), ov.TypeRange))
						continue
					}
				}
				cm.TargetType = mt.String()
				cm.Override = true
			}
		} else if typemap.DirectLoad(tm.FileType, tm.Target) {
			cm.FileType = cm.TargetType
		}
		if tm.Expr != "%s" {
			cm.Expr = tm.Expr
		}
		if !cm.Exact {
			warns = append(warns, plan.Warning{
				Code: "lossy_type", Addr: base + ".table",
				Message: fmt.Sprintf("%s.%s: %s -> %s: %s", q, sc.Name, cm.SourceType, cm.TargetType, cm.Note),
			})
		}
		out = append(out, column{m: cm, hints: tm.Hints, expr: tm.Expr})
	}
	if t.override != nil {
		for _, c := range t.override.Columns {
			if !seen[strings.ToLower(c.Name)] {
				diags = append(diags, diag("Unknown column",
					fmt.Sprintf("Table %s has no column %q.", q, c.Name), c.DeclRange))
			}
		}
	}
	return out, warns, diags
}
