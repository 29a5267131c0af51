package provider

import (
	"context"
	"errors"
	"io"
)

// ErrNotFound is returned (possibly wrapped) when an object or table does
// not exist. Callers test it with errors.Is.
var ErrNotFound = errors.New("not found")

// Column is one column of a source or target table. Type is spelled in the
// engine's own DDL dialect: Redshift types for a Source ("DECIMAL(15,2)",
// "CHARACTER VARYING(44)"), MaxCompute types for a Target ("DECIMAL(15,2)",
// "STRING").
type Column struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
	Comment  string `json:"comment,omitempty"`
}

// TableInfo describes a source table as observed in one catalog query.
type TableInfo struct {
	Schema  string   `json:"schema"`
	Name    string   `json:"name"`
	Columns []Column `json:"columns"`
	// Rows is the exact row count when the source can give it cheaply,
	// otherwise its best estimate.
	Rows int64 `json:"rows"`
	// Bytes is the table's stored size.
	Bytes int64 `json:"bytes"`
	// Version is an opaque token that changes whenever the table's data
	// changes, when the engine offers one (empty otherwise). The planner
	// compares it, together with Rows and Bytes, to detect source drift.
	Version string `json:"version,omitempty"`
}

// QualifiedName returns "schema.name".
func (t TableInfo) QualifiedName() string { return t.Schema + "." + t.Name }

// Result is a small, fully materialised query result. Every value is a
// canonical string (see package verify) or nil for SQL NULL, so that the
// two sides of a comparison never go through floating point.
type Result struct {
	Columns []string    `json:"columns"`
	Rows    [][]*string `json:"rows"`
}

// Querier runs read-only SQL and returns its result. Verification uses it
// on both sides of a migration; only results travel.
type Querier interface {
	// Query runs one SELECT statement. Values are converted to strings by
	// the engine (the SQL should cast them to text itself when the exact
	// text matters). Errors carry the engine's message.
	Query(ctx context.Context, sql string) (*Result, error)
	// Dialect names the SQL dialect the Querier speaks: "duckdb",
	// "redshift" or "maxcompute".
	Dialect() string
}

// Source is a warehouse ferry migrates from.
type Source interface {
	Querier
	// Tables lists every user table with its columns, row count and size,
	// in a single catalog round trip.
	Tables(ctx context.Context) ([]TableInfo, error)
	// Unload runs the request's SELECT and writes its result as Parquet
	// files under req.DataURL, and a manifest at req.ManifestURL. It
	// returns the manifest. A failed unload may leave partial files under
	// DataURL; the caller never reuses that location.
	Unload(ctx context.Context, req UnloadRequest) (*Manifest, error)
	// Close releases connections.
	Close() error
}

// UnloadRequest asks a Source to unload one table.
type UnloadRequest struct {
	// Table is the source table being unloaded ("schema.name").
	Table string
	// Select is the full SELECT statement to unload, with every column
	// aliased to its target name in target order.
	Select string
	// DataURL is the folder URL the data files go to, ending in "/"
	// (s3://bucket/prefix/…/data/, file:///dir/…/data/).
	DataURL string
	// ManifestURL is where the manifest is written: outside DataURL,
	// because a LOAD reads every object under its location.
	ManifestURL string
	// MaxFileSize bounds each data file, in bytes (0: engine default).
	MaxFileSize int64
	// PartitionBy, when set, names SELECT output columns to partition by:
	// the source writes Hive-style folders <col>=<value>/ under DataURL
	// (in the listed order, nested), leaves those columns out of the
	// files (Redshift's PARTITION BY without INCLUDE), writes a NULL key
	// as __HIVE_DEFAULT_PARTITION__, and percent-encodes characters other
	// than letters, digits and -_. in values.
	PartitionBy []string
}

// Manifest is what an unload wrote: the Redshift MANIFEST VERBOSE shape.
type Manifest struct {
	Entries []ManifestEntry `json:"entries"`
	Meta    ManifestMeta    `json:"meta"`
}

// ManifestEntry is one data file of an unload.
type ManifestEntry struct {
	URL  string       `json:"url"`
	Meta ManifestMeta `json:"meta"`
}

// ManifestMeta carries sizes and record counts.
type ManifestMeta struct {
	ContentLength int64 `json:"content_length"`
	RecordCount   int64 `json:"record_count"`
}

// Object is one object in a bucket.
type Object struct {
	// Key is relative to the bucket root.
	Key  string `json:"key"`
	Size int64  `json:"size"`
	// Checksum is a content checksum the store computed itself, as
	// "algorithm:value" (for example "crc64ecma:123…"), or empty when the
	// store keeps none that is a true content hash.
	Checksum string `json:"checksum,omitempty"`
}

// Bucket is an object store location: an S3 bucket, an OSS bucket or a
// local directory.
type Bucket interface {
	// URL returns the URL engines use to address key
	// ("s3://bucket/key", "oss://endpoint/bucket/key", "file:///dir/key").
	URL(key string) string
	// List returns every object whose key starts with prefix, sorted by
	// key, in as few round trips as the store allows.
	List(ctx context.Context, prefix string) ([]Object, error)
	// Open reads length bytes of key from offset (length < 0: to the end).
	// A missing key gives an error wrapping ErrNotFound.
	Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
	// Put stores size bytes from r under key, replacing any existing
	// object only once the whole body has arrived, and returns the stored
	// object.
	Put(ctx context.Context, key string, r io.Reader, size int64) (Object, error)
	// Delete removes the keys; missing keys are not an error.
	Delete(ctx context.Context, keys []string) error
}

// CopyRequest asks a Copier to copy every object under SrcPrefix in Src to
// the same relative key under DstPrefix in Dst.
type CopyRequest struct {
	Src       Bucket
	SrcPrefix string
	Dst       Bucket
	DstPrefix string
	// Progress, when set, is called from time to time with running totals.
	Progress func(CopyProgress)
}

// CopyProgress is a running total of a copy.
type CopyProgress struct {
	Objects, ObjectsTotal int64
	Bytes, BytesTotal     int64
}

// CopyResult summarises a finished copy.
type CopyResult struct {
	// Objects lists the destination objects, sorted by key.
	Objects []Object `json:"objects"`
	// Copied and Skipped count objects transferred and objects already
	// present with the same size and checksum.
	Copied  int64 `json:"copied"`
	Skipped int64 `json:"skipped"`
	Bytes   int64 `json:"bytes"`
}

// Copier moves staged objects between buckets.
type Copier interface {
	// Copy copies the objects. It is idempotent: objects already present
	// at the destination with the same size and checksum are skipped, and
	// a failed object never leaves a partial destination object.
	Copy(ctx context.Context, req CopyRequest) (*CopyResult, error)
}

// TargetTable is a table as the target reports it.
type TargetTable struct {
	Name    string   `json:"name"`
	Columns []Column `json:"columns"`
	// PartitionColumns are the table's partition keys, in order.
	PartitionColumns []Column `json:"partition_columns,omitempty"`
	// Rows is the row count when the target reports it cheaply (-1: unknown).
	Rows int64 `json:"rows"`
	// CreatedByFerry tells whether ferry created the table (ferry marks its
	// tables in a way the target keeps, such as a table comment).
	CreatedByFerry bool `json:"created_by_ferry"`
}

// TableSpec is a table ferry wants in the target.
type TableSpec struct {
	Name             string   `json:"name"`
	Columns          []Column `json:"columns"`
	PartitionColumns []Column `json:"partition_columns,omitempty"`
	Comment          string   `json:"comment,omitempty"`
	// Lifecycle in days (0: none).
	Lifecycle int `json:"lifecycle,omitempty"`
}

// LoadRequest asks a Target to replace a table's contents with the Parquet
// files under a location.
type LoadRequest struct {
	Table string
	// LocationURL is the folder to load, ending in "/".
	LocationURL string
	// Columns are the columns as the files carry them (name and target
	// type). When a column's file type differs from the table's type, the
	// target loads through a staging table and casts.
	FileColumns []Column
	// Partitions, for a partitioned table, lists every partition of the
	// load with its folder: the target loads each with a static partition
	// spec (LOAD OVERWRITE … PARTITION (k='v')) and drops the table's
	// partitions that are not listed, so the table ends up holding exactly
	// this load. Empty for unpartitioned tables (LocationURL is loaded).
	Partitions []Partition
}

// Partition is one partition of a load.
type Partition struct {
	// Values are the partition key values, in the table's partition
	// column order, decoded from the folder names.
	Values []string `json:"values"`
	// LocationURL is the partition's folder, ending in "/".
	LocationURL string `json:"location_url"`
}

// LoadResult reports a finished load.
type LoadResult struct {
	Rows int64 `json:"rows"`
	// Statements are the statements run, secrets redacted.
	Statements []string `json:"statements,omitempty"`
}

// Target is a warehouse ferry migrates to.
type Target interface {
	Querier
	// Tables lists the tables of the target in one round trip.
	Tables(ctx context.Context) ([]TargetTable, error)
	// CreateTable creates the table. It fails if a table of that name
	// exists already.
	CreateTable(ctx context.Context, spec TableSpec) error
	// DropTable drops a table ferry created; missing tables are not an
	// error.
	DropTable(ctx context.Context, name string) error
	// Load replaces the table's contents with the files at the location
	// (LOAD OVERWRITE): all or nothing.
	Load(ctx context.Context, req LoadRequest) (*LoadResult, error)
	// Close releases connections.
	Close() error
}

// FileColumn is a column as a written data file carries it.
type FileColumn struct {
	Name string `json:"name"`
	// Type is the MaxCompute type the file column loads as directly
	// ("" when the file's type has no MaxCompute equivalent).
	Type string `json:"type"`
	// Physical and Logical are the Parquet types read from the footer.
	Physical string `json:"physical"`
	Logical  string `json:"logical,omitempty"`
}

// FooterUnloader is an optional Source capability: an unload that also
// reads the footer of one written data file, so the types the engine
// actually wrote are recorded and checked against the plan before any
// load depends on them.
type FooterUnloader interface {
	UnloadWithFooter(ctx context.Context, req UnloadRequest) (*Manifest, []FileColumn, error)
}

// Preflighter is an optional capability: a check, before anything runs,
// that the system is reachable and lets ferry do what the plan needs. The
// error says what is missing.
type Preflighter interface {
	Preflight(ctx context.Context) error
}
