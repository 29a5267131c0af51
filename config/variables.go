package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
		{Name: "sensitive"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

// validation is one validation block of a variable, checked once the value
// is resolved.
type validation struct {
	condition hcl.Expression
	message   string
}

// loadVariables decodes the variable blocks, resolves each value from its
// sources and runs the validations.
func (l *loader) loadVariables(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	checks := map[string][]validation{}
	for _, b := range blocks {
		v, vals, d := decodeVariable(b)
		diags = append(diags, d...)
		if v == nil {
			continue
		}
		if prev, ok := l.cfg.Variables[v.Name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate variable",
				Detail: fmt.Sprintf("A variable named %q was already declared at %s. Variable names must be unique.",
					v.Name, prev.DeclRange),
				Subject: v.DeclRange.Ptr(),
			})
			continue
		}
		l.cfg.Variables[v.Name] = v
		checks[v.Name] = vals
	}

	diags = append(diags, l.resolveVariables()...)
	for _, name := range sortedKeys(l.cfg.Variables) {
		v := l.cfg.Variables[name]
		for _, c := range checks[name] {
			diags = append(diags, checkValidation(v, c)...)
		}
	}
	return diags
}

// decodeVariable reads one variable block. It returns a nil Variable when
// the block is unusable.
func decodeVariable(b *hcl.Block) (*Variable, []validation, hcl.Diagnostics) {
	name := b.Labels[0]
	v := &Variable{Name: name, Type: cty.DynamicPseudoType, DeclRange: b.DefRange}
	content, diags := b.Body.Content(variableSchema)
	if !hclsyntax.ValidIdentifier(name) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid variable name",
			Detail:   "A variable name must start with a letter or underscore and contain only letters, digits, underscores and dashes.",
			Subject:  b.LabelRanges[0].Ptr(),
		})
		return nil, nil, diags
	}

	if attr, ok := content.Attributes["type"]; ok {
		ty, d := typeexpr.TypeConstraint(attr.Expr)
		diags = append(diags, d...)
		if !d.HasErrors() {
			v.Type = ty
		}
	}
	if attr, ok := content.Attributes["description"]; ok {
		diags = append(diags, gohcl.DecodeExpression(attr.Expr, nil, &v.Description)...)
	}
	if attr, ok := content.Attributes["sensitive"]; ok {
		diags = append(diags, gohcl.DecodeExpression(attr.Expr, nil, &v.Sensitive)...)
	}
	if attr, ok := content.Attributes["default"]; ok {
		val, d := attr.Expr.Value(nil)
		diags = append(diags, d...)
		if !d.HasErrors() {
			conv, err := convert.Convert(val, v.Type)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid default value for variable",
					Detail:   fmt.Sprintf("The default for variable %q is not a %s: %s.", name, typeexpr.TypeString(v.Type), err),
					Subject:  attr.Expr.Range().Ptr(),
				})
			} else {
				v.Default = conv
			}
		}
	}

	var vals []validation
	for _, vb := range content.Blocks {
		vc, d := vb.Body.Content(validationSchema)
		diags = append(diags, d...)
		cond, hasCond := vc.Attributes["condition"]
		msg, hasMsg := vc.Attributes["error_message"]
		if !hasCond || !hasMsg {
			continue
		}
		var c validation
		c.condition = cond.Expr
		diags = append(diags, gohcl.DecodeExpression(msg.Expr, nil, &c.message)...)
		if d := checkConditionRefs(name, cond.Expr); d != nil {
			diags = append(diags, d)
			continue
		}
		vals = append(vals, c)
	}
	return v, vals, diags
}

// checkConditionRefs makes sure a validation only looks at its own
// variable: the others may not be resolved in a meaningful order.
func checkConditionRefs(name string, expr hcl.Expression) *hcl.Diagnostic {
	for _, tr := range expr.Variables() {
		ok := tr.RootName() == "var" && len(tr) >= 2
		if ok {
			attr, isAttr := tr[1].(hcl.TraverseAttr)
			ok = isAttr && attr.Name == name
		}
		if !ok {
			return &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid variable validation condition",
				Detail:   fmt.Sprintf("The condition for variable %q can only refer to the variable itself, as var.%s.", name, name),
				Subject:  tr.SourceRange().Ptr(),
			}
		}
	}
	return nil
}

// checkValidation evaluates one condition against the resolved value.
func checkValidation(v *Variable, c validation) hcl.Diagnostics {
	if !v.Value.IsWhollyKnown() {
		return nil // already reported as missing
	}
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{v.Name: v.Value})},
		Functions: stdFunctions(),
	}
	result, diags := c.condition.Value(ctx)
	if v.Sensitive {
		hideValues(diags)
	}
	if diags.HasErrors() {
		return diags
	}
	result, err := convert.Convert(result, cty.Bool)
	if err != nil || result.IsNull() {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid validation condition",
			Detail:   "The condition must produce true or false.",
			Subject:  c.condition.Range().Ptr(),
		})
	}
	if result.IsKnown() && result.False() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   c.message,
			Subject:  c.condition.Range().Ptr(),
		})
	}
	return diags
}

// parseVarString turns a value given as text (a --var flag or a FERRY_VAR_
// environment variable) into a value of the variable's type. Strings are
// taken as they are; other types are read as an HCL expression.
func parseVarString(s string, ty cty.Type) (cty.Value, error) {
	if ty == cty.String || ty == cty.DynamicPseudoType {
		return cty.StringVal(s), nil
	}
	if d := checkNumbers([]byte(s), "<value>", hcl.InitialPos); d.HasErrors() {
		return cty.NilVal, fmt.Errorf("%q: %s", abbreviate(s), strings.TrimSuffix(d[0].Detail, "."))
	}
	switch {
	case ty == cty.Number:
		v, err := cty.ParseNumberVal(strings.TrimSpace(s))
		if err != nil {
			return cty.NilVal, fmt.Errorf("%q is not a number", s)
		}
		return v, nil
	case ty == cty.Bool:
		switch strings.TrimSpace(s) {
		case "true":
			return cty.True, nil
		case "false":
			return cty.False, nil
		}
		return cty.NilVal, fmt.Errorf("%q is not true or false", s)
	}
	expr, diags := hclsyntax.ParseExpression([]byte(s), "<value>", hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("%q is not a valid %s expression: %s", s, typeexpr.TypeString(ty), diags[0].Summary)
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("%q: %s", s, diags[0].Detail)
	}
	val, err := convert.Convert(val, ty)
	if err != nil {
		return cty.NilVal, fmt.Errorf("%q is not a %s: %s", s, typeexpr.TypeString(ty), err)
	}
	return val, nil
}

// resolveVariables sets Variable.Value from, weakest first: the default,
// FERRY_VAR_<name> in the environment, each --var-file in order, and --var
// flags. A variable left without a value is an error, and its value becomes
// unknown so that the blocks using it do not report follow-on errors.
func (l *loader) resolveVariables() hcl.Diagnostics {
	var diags hcl.Diagnostics
	vars := l.cfg.Variables
	for _, v := range vars {
		v.Value = v.Default
	}

	for _, k := range sortedKeys(l.env) {
		name, ok := strings.CutPrefix(k, envVarPrefix)
		if !ok {
			continue
		}
		v, declared := vars[name]
		if !declared {
			continue // the environment is shared with other tools
		}
		diags = append(diags, setFromString(v, l.env[k], "environment variable "+k)...)
	}

	for _, path := range l.opts.VarFiles {
		diags = append(diags, l.applyVarFile(path)...)
	}

	for _, name := range sortedKeys(l.opts.Vars) {
		v, declared := vars[name]
		if !declared {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("A value was given with --var %s=..., but no variable %q is declared.", name, name),
			})
			continue
		}
		diags = append(diags, setFromString(v, l.opts.Vars[name], "--var "+name)...)
	}

	for _, name := range sortedKeys(vars) {
		v := vars[name]
		if v.Value != cty.NilVal {
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No value for required variable",
			Detail: fmt.Sprintf("The variable %q has no default; set it with --var %s=..., a --var-file, or %s%s.",
				name, name, envVarPrefix, name),
			Subject: v.DeclRange.Ptr(),
		})
		v.Value = cty.UnknownVal(v.Type)
	}
	return diags
}

// setFromString parses text for v; origin says where the text came from.
func setFromString(v *Variable, text, origin string) hcl.Diagnostics {
	val, err := parseVarString(text, v.Type)
	if err != nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("The value of %s for variable %q is invalid: %s.", origin, v.Name, err),
		}}
	}
	v.Value = val
	return nil
}

// applyVarFile reads one --var-file. Its attributes are constants (no
// references or functions), as in Terraform's .tfvars files. The file is
// added to Config.Files so its own errors can be rendered.
func (l *loader) applyVarFile(path string) hcl.Diagnostics {
	f, diags := l.parseFile(path)
	if f == nil {
		return diags
	}
	l.cfg.Files[path] = f
	if diags.HasErrors() {
		return diags
	}
	attrs, d := f.Body.JustAttributes()
	diags = append(diags, d...)
	for _, name := range sortedKeys(attrs) {
		attr := attrs[name]
		v, declared := l.cfg.Variables[name]
		if !declared {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("%s sets %q, but no variable %q is declared; the value is ignored.", path, name, name),
				Subject:  attr.NameRange.Ptr(),
			})
			continue
		}
		val, d := attr.Expr.Value(nil)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		val, err := convert.Convert(val, v.Type)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("Variable %q must be a %s: %s.", name, typeexpr.TypeString(v.Type), err),
				Subject:  attr.Expr.Range().Ptr(),
			})
			continue
		}
		v.Value = val
	}
	return diags
}
