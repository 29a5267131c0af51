package config

import (
	"math/big"

	"github.com/zclconf/go-cty/cty"
)

// The accessors below complement Provider.String for the non-string
// attributes (port, iam_auth, path_style, tpch_scale, lifecycle …). Each
// returns def when the attribute is absent, null or unknown, so providers
// need no cty knowledge of their own; the loader has already checked the
// type, so a present value always has the attribute's declared type.

// Bool returns the attribute's value as a bool, or def when absent.
func (p *Provider) Bool(name string, def bool) bool {
	v, ok := p.known(name, cty.Bool)
	if !ok {
		return def
	}
	return v.True()
}

// Int returns the attribute's value as an int64, or def when absent. A
// fractional number is truncated toward zero.
func (p *Provider) Int(name string, def int64) int64 {
	v, ok := p.known(name, cty.Number)
	if !ok {
		return def
	}
	i, _ := v.AsBigFloat().Int64()
	return i
}

// Float returns the attribute's value as a float64, or def when absent.
func (p *Provider) Float(name string, def float64) float64 {
	v, ok := p.known(name, cty.Number)
	if !ok {
		return def
	}
	f, _ := v.AsBigFloat().Float64()
	return f
}

// IsSensitive reports whether the attribute must be redacted when shown.
func (p *Provider) IsSensitive(name string) bool {
	return p.Attrs[name].Sensitive
}

// known returns the attribute's value when it is set to a known, non-null
// value of type ty.
func (p *Provider) known(name string, ty cty.Type) (cty.Value, bool) {
	v, ok := p.Attrs[name]
	if !ok || !v.Value.IsKnown() || v.Value.IsNull() || !v.Value.Type().Equals(ty) {
		return cty.NilVal, false
	}
	return v.Value, true
}

// CopyInt returns the copy option's value as an int64, or def when absent or
// not a whole number that fits; for options like transfers and part_size.
func (m *Migration) CopyInt(name string, def int64) int64 {
	v, ok := m.CopyOptions[name]
	if !ok || !v.Value.IsKnown() || v.Value.IsNull() || v.Value.Type() != cty.Number {
		return def
	}
	i, acc := v.Value.AsBigFloat().Int64()
	if acc != big.Exact {
		return def
	}
	return i
}

// Text renders a primitive value the way a user wrote it: strings as is,
// numbers in decimal, booleans as true/false; other values in cty's form.
func (v Value) Text() string {
	val := v.Value
	switch val.Type() {
	case cty.String:
		return val.AsString()
	case cty.Number:
		return val.AsBigFloat().Text('f', -1)
	case cty.Bool:
		if val.True() {
			return "true"
		}
		return "false"
	}
	return val.GoString()
}
