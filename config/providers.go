package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// attrSpec is one attribute a block kind accepts.
type attrSpec struct {
	name     string
	ty       cty.Type
	required bool
}

// kindSpec is what one kind of source, bucket, target or backend accepts.
type kindSpec struct {
	attrs []attrSpec
	// defaults are filled in when an attribute is absent.
	defaults map[string]cty.Value
	// check runs after decoding, for rules the schema cannot express.
	check func(attrs map[string]Value, body hcl.Body) hcl.Diagnostics
}

func (k *kindSpec) schema() *hcl.BodySchema {
	s := &hcl.BodySchema{}
	for _, a := range k.attrs {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: a.name, Required: a.required})
	}
	return s
}

func str(name string) attrSpec    { return attrSpec{name: name, ty: cty.String} }
func reqStr(name string) attrSpec { return attrSpec{name: name, ty: cty.String, required: true} }
func num(name string) attrSpec    { return attrSpec{name: name, ty: cty.Number} }
func boolean(name string) attrSpec {
	return attrSpec{name: name, ty: cty.Bool}
}

// kinds lists, per role, every supported kind. Adding a provider means
// adding its attributes here; the loader itself does not change.
var kinds = map[string]map[string]*kindSpec{
	"source": {
		"redshift": {
			attrs: []attrSpec{
				str("host"), num("port"), reqStr("database"), str("user"), str("password"),
				str("unload_role"), boolean("iam_auth"), str("cluster_identifier"), str("workgroup"),
				str("region"), boolean("data_api"), str("sslmode"), str("endpoint"),
			},
			defaults: map[string]cty.Value{"port": cty.NumberIntVal(5439)},
			check:    checkRedshiftHost,
		},
		"duckdb": {attrs: []attrSpec{reqStr("path"), num("tpch_scale")}},
	},
	"bucket": {
		"s3": {attrs: []attrSpec{
			reqStr("bucket"), str("prefix"), str("region"), str("endpoint"), boolean("path_style"),
			str("access_key"), str("secret_key"), str("profile"),
		}},
		"oss": {attrs: []attrSpec{
			reqStr("bucket"), str("prefix"), reqStr("endpoint"), str("region"), str("internal_endpoint"),
			str("access_key_id"), str("access_key_secret"), str("security_token"), str("role_arn"),
		}},
		"local": {attrs: []attrSpec{reqStr("path"), str("prefix")}},
	},
	"target": {
		"maxcompute": {attrs: []attrSpec{
			reqStr("endpoint"), reqStr("project"), str("schema"), str("load_role_arn"),
			str("access_key_id"), str("access_key_secret"), str("security_token"), str("region"),
			str("timezone"), num("lifecycle"),
		}},
		"duckdb": {attrs: []attrSpec{reqStr("path")}},
	},
	"backend": {
		"local": {attrs: []attrSpec{str("path")}},
		"s3": {attrs: []attrSpec{
			reqStr("bucket"), reqStr("key"), str("region"), str("endpoint"), boolean("path_style"),
			str("profile"), str("access_key"), str("secret_key"),
		}},
		"oss": {attrs: []attrSpec{
			reqStr("bucket"), reqStr("key"), reqStr("endpoint"), str("region"),
			str("access_key_id"), str("access_key_secret"), str("security_token"),
		}},
	},
}

// checkRedshiftHost requires host unless the cluster is found another way.
func checkRedshiftHost(attrs map[string]Value, body hcl.Body) hcl.Diagnostics {
	for _, name := range []string{"host", "workgroup", "cluster_identifier"} {
		if _, ok := attrs[name]; ok {
			return nil
		}
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Missing required argument",
		Detail:   `The argument "host" is required unless workgroup (Redshift Serverless) or cluster_identifier is set.`,
		Subject:  body.MissingItemRange().Ptr(),
	}}
}

// supportedKinds describes a role's kinds for error messages.
func supportedKinds(role string) string {
	names := make([]string, 0, len(kinds[role]))
	for k := range kinds[role] {
		names = append(names, fmt.Sprintf("%q", k))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// providerMap returns the Config map holding a role's blocks.
func (l *loader) providerMap(role string) map[string]*Provider {
	switch role {
	case "source":
		return l.cfg.Sources
	case "bucket":
		return l.cfg.Buckets
	case "target":
		return l.cfg.Targets
	}
	return nil
}

// loadProviders decodes the source, bucket or target blocks of one role.
func (l *loader) loadProviders(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range blocks {
		role, kind, name := b.Type, b.Labels[0], b.Labels[1]
		spec, d := kindFor(role, kind, b)
		diags = append(diags, d...)
		if spec == nil {
			continue
		}
		if !hclsyntax.ValidIdentifier(name) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid " + role + " name",
				Detail:   fmt.Sprintf("A %s name is used in references like %s.%s.<name>, so it must be a valid identifier: letters, digits, underscores and dashes, not starting with a digit.", role, role, kind),
				Subject:  b.LabelRanges[1].Ptr(),
			})
			continue
		}
		p := &Provider{Role: role, Kind: kind, Name: name, DeclRange: b.DefRange}
		m := l.providerMap(role)
		if prev, ok := m[p.Addr()]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Duplicate %s %q", role, p.Addr()),
				Detail: fmt.Sprintf("%s was already defined at %s. Each %s needs its own kind and name.",
					p.Addr(), prev.DeclRange, role),
				Subject: b.DefRange.Ptr(),
			})
			continue
		}
		attrs, d := l.decodeAttrs(spec, b.Body)
		diags = append(diags, d...)
		p.Attrs = attrs
		m[p.Addr()] = p
	}
	return diags
}

// loadBackend decodes the backend block, of which there is at most one.
func (l *loader) loadBackend(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for i, b := range blocks {
		if i > 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate backend block",
				Detail:   fmt.Sprintf("A backend was already defined at %s. State lives in one place.", blocks[0].DefRange),
				Subject:  b.DefRange.Ptr(),
			})
			continue
		}
		spec, d := kindFor("backend", b.Labels[0], b)
		diags = append(diags, d...)
		if spec == nil {
			continue
		}
		attrs, d := l.decodeAttrs(spec, b.Body)
		diags = append(diags, d...)
		l.cfg.Backend = &Backend{Kind: b.Labels[0], Attrs: attrs, DeclRange: b.DefRange}
	}
	return diags
}

// kindFor finds the spec for role and kind, or diagnoses the kind label.
func kindFor(role, kind string, b *hcl.Block) (*kindSpec, hcl.Diagnostics) {
	if spec, ok := kinds[role][kind]; ok {
		return spec, nil
	}
	return nil, hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Unsupported %s kind %q", role, kind),
		Detail:   fmt.Sprintf("The supported %s kinds are %s.", role, supportedKinds(role)),
		Subject:  b.LabelRanges[0].Ptr(),
	}}
}

// decodeAttrs checks a body against a kind's schema and evaluates every
// attribute present, then fills in defaults and runs the kind's own checks.
func (l *loader) decodeAttrs(spec *kindSpec, body hcl.Body) (map[string]Value, hcl.Diagnostics) {
	content, diags := body.Content(spec.schema())
	attrs := map[string]Value{}
	for _, a := range spec.attrs {
		attr, ok := content.Attributes[a.name]
		if !ok {
			if def, ok := spec.defaults[a.name]; ok {
				attrs[a.name] = Value{Value: def, Range: body.MissingItemRange()}
			}
			continue
		}
		v, d := l.eval(attr, a.ty)
		diags = append(diags, d...)
		attrs[a.name] = v
	}
	if spec.check != nil {
		diags = append(diags, spec.check(attrs, body)...)
	}
	return attrs, diags
}
