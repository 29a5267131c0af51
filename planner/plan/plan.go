package plan

import (
	"sort"
	"time"
)

// FormatVersion is the version of the JSON plan and saved-plan format.
// Minor versions add fields; a new major version breaks readers.
const FormatVersion = "1.0"

// Plan is everything apply needs: the desired resources with the action
// planned for each, and what the plan was made against.
type Plan struct {
	FormatVersion string `json:"format_version"`
	FerryVersion  string `json:"ferry_version"`
	// ID identifies the plan in the history.
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	// Lineage and Serial of the state the plan was made against: a saved
	// plan is refused when the state moved on.
	Lineage string `json:"lineage"`
	Serial  uint64 `json:"serial"`
	// ConfigHash of the configuration the plan was made from.
	ConfigHash string `json:"config_hash"`
	// Resources in dependency order (every resource after the ones it
	// depends on), NoOps included.
	Resources []*Resource `json:"resources"`
	// Moves rename recorded resources (from moved blocks); apply rewrites
	// the state before running anything.
	Moves []Move `json:"moves,omitempty"`
	// Warnings are risks the reviewer should see (lossy mappings first).
	Warnings []Warning `json:"warnings,omitempty"`
}

// Warning is a risk found while planning, with a stable code.
type Warning struct {
	Code    string `json:"code"`
	Addr    string `json:"addr,omitempty"`
	Message string `json:"message"`
}

// Resource is one node of the plan.
type Resource struct {
	Addr      string `json:"address"`
	Kind      Kind   `json:"kind"`
	Migration string `json:"migration"`
	// SourceTable is the source's "schema.table"; TargetTable the target
	// table's name. Empty for query resources.
	SourceTable string `json:"source_table,omitempty"`
	TargetTable string `json:"target_table,omitempty"`
	Action      Action `json:"action"`
	Reason      Reason `json:"reason,omitempty"`
	// Detail says more about the reason ("rows 150 -> 160").
	Detail    string   `json:"detail,omitempty"`
	DependsOn []string `json:"depends_on,omitempty"`
	// Fingerprint is a hash of the resource's configuration and of its
	// dependencies' fingerprints.
	Fingerprint string `json:"fingerprint"`
	// Exactly one of the specs is set, matching Kind (none for Forget).
	Unload *UnloadSpec `json:"unload,omitempty"`
	Copy   *CopySpec   `json:"copy,omitempty"`
	Table  *TableSpec  `json:"table,omitempty"`
	Load   *LoadSpec   `json:"load,omitempty"`
	Verify *VerifySpec `json:"verify,omitempty"`
	Query  *QuerySpec  `json:"query,omitempty"`
	// Cleanup lists the staged folders a cleanup deletes.
	Cleanup *CleanupSpec `json:"cleanup,omitempty"`
}

// CleanupSpec deletes staged generations of one table: only folders ferry
// created (<table prefix><generation>/), never anything else.
type CleanupSpec struct {
	KeepStaged bool           `json:"keep_staged"`
	Staging    string         `json:"staging"`
	Landing    string         `json:"landing"`
	Deletes    []StagedFolder `json:"deletes,omitempty"`
	// CurrentToo also deletes, once verified, the generation this apply
	// writes (keep_staged = false).
	CurrentToo bool `json:"current_too,omitempty"`
}

// StagedFolder is one generation folder to delete.
type StagedFolder struct {
	Bucket  string `json:"bucket"`
	Prefix  string `json:"prefix"`
	Objects int    `json:"objects"`
}

// Column is a column with its type in one engine's dialect.
type Column struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
}

// ColumnMapping is how one source column becomes a target column.
type ColumnMapping struct {
	Source     string `json:"source"`
	SourceType string `json:"source_type"`
	Target     string `json:"target"`
	TargetType string `json:"target_type"`
	// FileType is the type the unloaded Parquet column carries, as a
	// target type; it differs from TargetType when the load casts.
	FileType string `json:"file_type"`
	Nullable bool   `json:"nullable"`
	// Expr is the unload expression template (%s: the quoted source
	// column) when the unload transforms the column; empty otherwise.
	Expr  string `json:"expr,omitempty"`
	Exact bool   `json:"exact"`
	Note  string `json:"note,omitempty"`
	// Override is true when the configuration chose the target type.
	Override bool `json:"override,omitempty"`
}

// UnloadSpec unloads one source table to the staging bucket.
type UnloadSpec struct {
	Source string `json:"source"` // provider address
	Select string `json:"select"`
	Bucket string `json:"bucket"` // staging bucket address
	// Prefix is the table's folder in the staging bucket; each run writes
	// a new generation below it: <prefix><generation>/data/ and
	// <prefix><generation>/manifest.
	Prefix      string `json:"prefix"`
	MaxFileSize int64  `json:"max_file_size,omitempty"`
	// PartitionBy names the SELECT columns the unload partitions by.
	PartitionBy []string `json:"partition_by,omitempty"`
	// Columns are the source table's columns as the catalog reported
	// them; the state keeps them so a plan without refresh needs no
	// catalog query.
	Columns []Column `json:"columns,omitempty"`
	// Observed source facts at plan time.
	Rows    int64  `json:"rows"`
	Bytes   int64  `json:"bytes"`
	Version string `json:"version,omitempty"`
}

// CopySpec copies one generation from the staging to the landing bucket.
type CopySpec struct {
	Engine     string            `json:"engine"`
	From       string            `json:"from"`
	FromPrefix string            `json:"from_prefix"`
	To         string            `json:"to"`
	ToPrefix   string            `json:"to_prefix"`
	Options    map[string]string `json:"options,omitempty"`
	// Bytes is the expected volume (from the source size) for display.
	Bytes int64 `json:"bytes"`
}

// TableSpec creates the target table.
type TableSpec struct {
	Target           string            `json:"target"`
	Name             string            `json:"name"`
	Columns          []ColumnMapping   `json:"columns"`
	PartitionColumns []Column          `json:"partition_columns,omitempty"`
	Lifecycle        int               `json:"lifecycle,omitempty"`
	Hints            map[string]string `json:"hints,omitempty"`
}

// LoadSpec loads the landed generation into the target table.
type LoadSpec struct {
	Target string `json:"target"`
	Table  string `json:"table"`
	Bucket string `json:"bucket"` // landing bucket address
	Prefix string `json:"prefix"` // the table's folder in the landing bucket
	// FileColumns are the columns as the files carry them.
	FileColumns []Column          `json:"file_columns"`
	Hints       map[string]string `json:"hints,omitempty"`
	Rows        int64             `json:"rows"`
	// PartitionColumns are the table's partition keys: the landed files
	// sit in <key>=<value>/ folders, each loaded as one partition.
	PartitionColumns []Column `json:"partition_columns,omitempty"`
}

// VerifySpec compares one table on both sides.
type VerifySpec struct {
	Source      string          `json:"source"`
	Target      string          `json:"target"`
	Level       string          `json:"level"`
	SourceTable string          `json:"source_table"`
	TargetTable string          `json:"target_table"`
	Where       string          `json:"where,omitempty"`
	Columns     []ColumnMapping `json:"columns"`
	// UnloadAddr names the unload whose manifest and row count pin the
	// source side.
	UnloadAddr string `json:"unload_addr"`
	// Key lists the target columns that identify a row, for samples of
	// differing rows on a mismatch.
	Key []string `json:"key,omitempty"`
	// Partitions names the partition keys (source and target names);
	// counts are then compared per partition.
	Partitions []ColumnMapping `json:"partitions,omitempty"`
}

// QuerySpec is a custom query compared on both sides.
type QuerySpec struct {
	Source    string  `json:"source"`
	Target    string  `json:"target"`
	Name      string  `json:"name"`
	SourceSQL string  `json:"source_sql"`
	TargetSQL string  `json:"target_sql"`
	Tolerance float64 `json:"tolerance"`
}

// Changes returns the resources whose action is not NoOp, in order.
func (p *Plan) Changes() []*Resource {
	var out []*Resource
	for _, r := range p.Resources {
		if r.Action != NoOp {
			out = append(out, r)
		}
	}
	return out
}

// Move renames one recorded resource.
type Move struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// HasChanges tells whether apply would do anything.
func (p *Plan) HasChanges() bool { return len(p.Changes()) > 0 || len(p.Moves) > 0 }

// Resource returns the resource at addr, or nil.
func (p *Plan) Resource(addr string) *Resource {
	for _, r := range p.Resources {
		if r.Addr == addr {
			return r
		}
	}
	return nil
}

// Summary counts planned actions by kind of action.
type Summary struct {
	Create, Replace, Forget int
}

// Summarize counts the plan's actions.
func (p *Plan) Summarize() Summary {
	var s Summary
	for _, r := range p.Resources {
		switch r.Action {
		case Create:
			s.Create++
		case Replace:
			s.Replace++
		case Forget:
			s.Forget++
		}
	}
	return s
}

// Tables returns the distinct (migration, source table) pairs with at
// least one change, sorted.
func (p *Plan) Tables() []string {
	seen := map[string]bool{}
	for _, r := range p.Changes() {
		if r.SourceTable != "" {
			seen[r.Migration+"."+r.SourceTable] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
