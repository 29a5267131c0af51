// Package parquetmeta reads the part of a Parquet footer that ferry needs:
// the row count and the type of every leaf column.
//
// A Parquet footer is a FileMetaData struct (parquet-format's
// parquet.thrift) in Thrift's compact protocol. ferry used to decode it
// with arrow-go, which brought its compute kernels into the binary and
// their package initialisation into every ferry command's start and
// resident memory; this package is the few hundred lines of it that
// ferry uses, with no dependencies. arrow-go remains the reference the
// tests compare Decode with.
//
// # What is decoded
//
// Decode reads FileMetaData's num_rows and schema and checks that the
// other required fields (version, row_groups) are present; everything else
// (row groups, key-value metadata, column orders, encryption, fields added
// to the format later) is skipped without being interpreted. The schema, a
// depth-first list of SchemaElements, becomes the leaf columns in file
// order, each with its physical type and its logical type. When an
// element has no logicalType, its logical type is derived from the legacy
// converted_type the way arrow-go's parquet/schema package derives it: in
// particular TIMESTAMP_MILLIS and TIMESTAMP_MICROS become timestamps
// adjusted to UTC, and TIME_MILLIS and TIME_MICROS times adjusted to UTC.
//
// # Untrusted input
//
// A footer comes from a file someone else wrote, so Decode never panics,
// allocates nothing before checking that the bytes it has left can hold
// what a length or count claims (every encoded value takes at least one
// byte), bounds Thrift nesting at 64 levels, and reports what it could not
// read as a *FormatError naming the problem and its byte offset.
//
// Where arrow-go accepts nonsense or panics, Decode returns an error
// instead: a schema element outside the tree its first element roots, a
// leaf without a physical type or with an unknown one, a logicalType
// union with no member or with two, an unknown TIME or TIMESTAMP unit,
// a DECIMAL whose scale or precision is out of range, an INTEGER width
// other than 8, 16, 32 or 64, an unknown converted_type, a negative row
// or child count, an unknown repetition_type, a field Decode reads whose
// wire type is not the one parquet.thrift gives it, and varints too long
// for their type. A logicalType member this package does not know (one
// added to parquet.thrift later) is LogicalUnrecognized rather than an
// error, so that new files still give their columns' physical types.
// Fields Decode skips (row groups and the rest) are checked only for
// being well-formed Thrift, where arrow-go also checks their required
// fields.
package parquetmeta
