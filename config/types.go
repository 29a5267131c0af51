package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Config is a fully decoded ferry configuration: every *.ferry.hcl file of
// one directory, with variables resolved.
type Config struct {
	// Dir is the directory the files were read from; relative paths in
	// the configuration (local buckets and databases, file()) resolve
	// against it.
	Dir       string
	Variables map[string]*Variable
	Sources   map[string]*Provider // key "source.<kind>.<name>"
	Buckets   map[string]*Provider // key "bucket.<kind>.<name>"
	Targets   map[string]*Provider // key "target.<kind>.<name>"
	// Migrations in declaration order.
	Migrations []*Migration
	Backend    *Backend // nil: the local default
	// Moves are the moved blocks, in declaration order.
	Moves []*Move
	// Removals are the removed blocks, in declaration order.
	Removals []*Removal
	// Files maps each file name to its bytes, for diagnostics rendering.
	Files map[string]*hcl.File
	// Hash is a hex SHA-256 over the files' names and contents, sorted by
	// name, and the resolved variable values (sensitive ones included, so
	// a changed secret changes it; the hash does not reveal them).
	Hash string
}

// Variable is a declared input variable and its resolved value.
type Variable struct {
	Name        string
	Description string
	Type        cty.Type
	Default     cty.Value // cty.NilVal when none
	Sensitive   bool
	Value       cty.Value // the resolved value
	DeclRange   hcl.Range
}

// Provider is a source, bucket or target block. Attributes holds every
// attribute evaluated (variables and functions applied); which attributes a
// kind accepts is checked by the loader against the kind's schema.
type Provider struct {
	Role  string // "source", "bucket" or "target"
	Kind  string // "redshift", "duckdb", "s3", "oss", "local", "maxcompute"
	Name  string
	Attrs map[string]Value
	// DeclRange covers the block header; for errors about the block.
	DeclRange hcl.Range
}

// Addr returns "role.kind.name".
func (p *Provider) Addr() string { return p.Role + "." + p.Kind + "." + p.Name }

// String returns the attribute's value as a string, or def when absent.
func (p *Provider) String(name, def string) string {
	v, ok := p.Attrs[name]
	if !ok || v.Value.IsNull() || v.Value.Type() != cty.String {
		return def
	}
	return v.Value.AsString()
}

// Value is one evaluated attribute.
type Value struct {
	Value cty.Value
	// Sensitive is true when the value came from a sensitive variable (or
	// an expression using one); it must be redacted wherever it is shown.
	Sensitive bool
	Range     hcl.Range
}

// Migration is one migration block.
type Migration struct {
	Name        string
	From        string           // source address, "source.redshift.prod"
	Via         []string         // bucket addresses, staging first then landing (1 or 2)
	To          string           // target address
	CopyEngine  string           // "stream" (default), "online_migration" or "external"
	CopyOptions map[string]Value // the rest of the copy object (transfers, part_size, …)
	Include     []Pattern
	Exclude     []Pattern
	Tables      []*TableOverride // table blocks, in order
	Verify      *Verify          // never nil after loading: defaults applied
	// KeepStaged keeps the staged files of the current, verified
	// generation (default true). Superseded generations are always
	// cleaned up once a newer one is verified.
	KeepStaged bool
	DeclRange  hcl.Range
}

// Pattern is a table glob as written, with where it was written.
type Pattern struct {
	Glob  string // "public.*", "sales.order_*"
	Range hcl.Range
}

// TableOverride is a table block inside a migration.
type TableOverride struct {
	Source      string // "schema.table" label
	Name        string // target table name; "" keeps the converted name
	NameRange   hcl.Range
	PartitionBy []string
	Where       string // row filter appended to the unload SELECT
	// Key names the columns (source names) that identify a row; on a
	// verification mismatch ferry fetches samples of differing rows by it.
	Key       []string
	KeyRange  hcl.Range
	Columns   []*ColumnOverride
	DeclRange hcl.Range
}

// ColumnOverride is a column block inside a table block.
type ColumnOverride struct {
	Name      string
	Type      string // MaxCompute type, "" keeps the mapping's
	TypeRange hcl.Range
	Rename    string // target column name; "" keeps the converted name
	DeclRange hcl.Range
}

// Verify is a migration's verify block.
type Verify struct {
	// Level is "files", "count", "schema", "aggregates" or
	// "fingerprint"; each includes the cheaper ones. Default
	// "aggregates".
	Level   string
	Queries []*Query
}

// Query is a custom query run on both sides and compared.
type Query struct {
	Name      string
	SQL       string // used on both sides unless overridden
	SourceSQL string
	TargetSQL string
	// Tolerance is the absolute difference allowed between numeric values
	// (0: exact).
	Tolerance float64
	DeclRange hcl.Range
}

// Backend is the backend block: where state lives.
type Backend struct {
	Kind      string // "local", "s3", "oss"
	Attrs     map[string]Value
	DeclRange hcl.Range
}

// Move is a moved block: resources recorded under From now live under To
// (a migration or table renamed in the configuration). The plan shows the
// move and apply rewrites the state, instead of redoing the work and
// forgetting the old addresses.
type Move struct {
	From, To  string
	DeclRange hcl.Range
}

// Removal is a removed block: ferry stops managing the resources at or
// under From — a forget, planned and reviewed like any change, that never
// touches target tables or staged files.
type Removal struct {
	From      string
	DeclRange hcl.Range
}
