// Package typemap holds the facts that decide how a Redshift table becomes a
// MaxCompute table: which MaxCompute type each Redshift column type gets, the
// expression that unloads it, what the Parquet file will hold, whether
// MaxCompute LOAD can read that file column straight into the table or needs
// a staging table and a CAST, the settings each statement must carry, and the
// rules that turn Redshift identifiers into MaxCompute ones.
//
// The package is a leaf: it imports only the standard library, so the
// planner can render a plan's type mapping and the providers can generate SQL
// from the same decisions without depending on each other.
//
// MaxCompute reads Parquet with strict type matching and cannot read DECIMAL
// without its native reader, TIMESTAMP_NTZ or JSON at all. The mapping
// therefore casts in the unload SELECT only towards a few types whose Parquet
// encoding is predictable (INTEGER, BIGINT, DOUBLE PRECISION, VARCHAR, hex
// text), and every Mapping says both what the file holds (FileType) and what
// the table gets (Target), so callers can ask DirectLoad and CastLoad which
// route the load takes.
package typemap
