package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// alwaysSensitive names attributes that hold secrets whatever they are set
// from, so a literal password in a file is still redacted.
var alwaysSensitive = map[string]bool{
	"password":          true,
	"secret_key":        true,
	"access_key_secret": true,
	"security_token":    true,
}

// stdFunctions are the general-purpose functions available everywhere,
// including variable validations.
func stdFunctions() map[string]function.Function {
	return map[string]function.Function{
		"can":      tryfunc.CanFunc,
		"coalesce": stdlib.CoalesceFunc,
		"concat":   stdlib.ConcatFunc,
		"contains": stdlib.ContainsFunc,
		"format":   stdlib.FormatFunc,
		"join":     stdlib.JoinFunc,
		"length":   lengthFunc,
		"lower":    stdlib.LowerFunc,
		"regex":    stdlib.RegexFunc,
		"try":      tryfunc.TryFunc,
		"upper":    stdlib.UpperFunc,
	}
}

// lengthFunc is length(x): characters of a string, or elements of a list,
// map or object, so validations can use one name for both.
var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		switch ty := v.Type(); {
		case ty == cty.String:
			return stdlib.Strlen(v)
		case ty.IsListType() || ty.IsMapType() || ty.IsSetType() || ty.IsTupleType() || ty.IsObjectType():
			return v.Length(), nil
		}
		return cty.NilVal, function.NewArgErrorf(0, "length needs a string, list, map or object")
	},
})

// evalContext builds the context for provider, backend and migration
// attributes: var.* plus env() and file() on top of the standard functions.
func (l *loader) evalContext() *hcl.EvalContext {
	vals := map[string]cty.Value{}
	for name, v := range l.cfg.Variables {
		vals[name] = v.Value
	}
	fns := stdFunctions()
	fns["env"] = l.envFunc()
	fns["file"] = l.fileFunc()
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(vals)},
		Functions: fns,
	}
}

// envUnsetError is env()'s error for a variable that is not set and has no
// default; the loader turns it into its own diagnostic.
type envUnsetError struct{ name string }

func (e *envUnsetError) Error() string {
	return fmt.Sprintf("environment variable %s is not set", e.name)
}

// fileError is file()'s error; path is as written in the configuration.
type fileError struct {
	path     string
	resolved string
	err      error
}

func (e *fileError) Error() string { return fmt.Sprintf("read %s: %s", e.path, e.err) }

// envFunc is env(name) or env(name, default).
func (l *loader) envFunc() function.Function {
	return function.New(&function.Spec{
		Params:   []function.Parameter{{Name: "name", Type: cty.String}},
		VarParam: &function.Parameter{Name: "default", Type: cty.String},
		Type:     function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 2 {
				return cty.NilVal, function.NewArgErrorf(2, "env takes a name and at most one default")
			}
			name := args[0].AsString()
			if v, ok := l.env[name]; ok {
				l.inputs["env:"+name] = v
				return cty.StringVal(v), nil
			}
			if len(args) == 2 {
				return args[1], nil
			}
			return cty.NilVal, &envUnsetError{name: name}
		},
	})
}

// fileFunc is file(path): a UTF-8 file's contents, path relative to the
// configuration directory.
func (l *loader) fileFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			rel := args[0].AsString()
			path := rel
			if !filepath.IsAbs(path) {
				path = filepath.Join(l.dir, path)
			}
			// Only regular files, and not huge ones: file("/dev/zero") or
			// a FIFO must fail, not hang or eat memory.
			fi, err := os.Stat(path)
			if err != nil {
				return cty.NilVal, &fileError{path: rel, resolved: path, err: unwrapPathError(err)}
			}
			if !fi.Mode().IsRegular() {
				return cty.NilVal, &fileError{path: rel, resolved: path, err: errors.New("not a regular file")}
			}
			if fi.Size() > maxFileFuncBytes {
				return cty.NilVal, &fileError{path: rel, resolved: path, err: fmt.Errorf("larger than %d MiB", maxFileFuncBytes>>20)}
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return cty.NilVal, &fileError{path: rel, resolved: path, err: unwrapPathError(err)}
			}
			if !utf8.Valid(b) {
				return cty.NilVal, &fileError{path: rel, resolved: path, err: errors.New("contents are not valid UTF-8")}
			}
			l.inputs["file:"+rel] = string(b)
			return cty.StringVal(string(b)), nil
		},
	})
}

// maxFileFuncBytes bounds what file() reads (SQL files, not data).
const maxFileFuncBytes = 16 << 20

// unwrapPathError drops the *os.PathError wrapper, whose message repeats
// the resolved path the diagnostic already names.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// explainCalls gives failed env() and file() calls their own summaries, in
// place of HCL's generic "Error in function call".
func explainCalls(diags hcl.Diagnostics) hcl.Diagnostics {
	for _, d := range diags {
		extra, ok := hcl.DiagnosticExtra[hclsyntax.FunctionCallDiagExtra](d)
		if !ok {
			continue
		}
		var eu *envUnsetError
		var fe *fileError
		switch err := extra.FunctionCallError(); {
		case errors.As(err, &eu):
			d.Summary = fmt.Sprintf("Environment variable %s is not set", eu.name)
			d.Detail = fmt.Sprintf("Set %s, or give env() a default as its second argument: env(%q, \"default\").", eu.name, eu.name)
		case errors.As(err, &fe):
			d.Summary = "Failed to read file"
			d.Detail = fmt.Sprintf("Could not read %q, looked up as %s (relative paths start at the configuration directory): %s.", fe.path, fe.resolved, fe.err)
		}
	}
	return diags
}

// eval evaluates an attribute's expression and converts it to ty. On error
// the value is unknown, so callers can carry on without more diagnostics.
func (l *loader) eval(attr *hcl.Attribute, ty cty.Type) (Value, hcl.Diagnostics) {
	return l.evalExpr(attr.Name, attr.Expr, ty)
}

// evalExpr is eval for an expression that is not a whole attribute, such as
// an item of the copy object; name is what the user calls it.
func (l *loader) evalExpr(name string, expr hcl.Expression, ty cty.Type) (Value, hcl.Diagnostics) {
	out := Value{
		Value:     cty.UnknownVal(ty),
		Sensitive: alwaysSensitive[name] || l.referencesSensitive(expr),
		Range:     expr.Range(),
	}
	val, diags := expr.Value(l.ctx)
	diags = explainCalls(diags)
	ctx := l.ctx
	if out.Sensitive {
		// HCL's diagnostic writer prints the variables an expression
		// uses ("with var.x as ..."); without a context it cannot.
		ctx = nil
		hideValues(diags)
	}
	if diags.HasErrors() {
		return out, diags
	}
	conv, err := convert.Convert(val, ty)
	if err != nil {
		return out, append(diags, &hcl.Diagnostic{
			Severity:    hcl.DiagError,
			Summary:     "Incorrect attribute value type",
			Detail:      fmt.Sprintf("Inappropriate value for attribute %q: %s.", name, err),
			Subject:     expr.Range().Ptr(),
			Expression:  expr,
			EvalContext: ctx,
		})
	}
	out.Value = conv
	return out, diags
}

// hideValues removes from diags what would let a renderer show the values
// of the variables involved.
func hideValues(diags hcl.Diagnostics) {
	for _, d := range diags {
		d.EvalContext = nil
	}
}

// referencesSensitive reports whether expr reads a sensitive variable.
// Looking at references rather than values means a secret stays marked
// however it is combined (interpolated, passed to a function, …).
func (l *loader) referencesSensitive(expr hcl.Expression) bool {
	for _, tr := range expr.Variables() {
		if tr.RootName() != "var" || len(tr) < 2 {
			continue
		}
		attr, ok := tr[1].(hcl.TraverseAttr)
		if !ok {
			continue
		}
		if v := l.cfg.Variables[attr.Name]; v != nil && v.Sensitive {
			return true
		}
	}
	return false
}

// knownString returns a value as a Go string; unknown and null are "".
func knownString(v cty.Value) string {
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}
