// Package local provides ferry's embedded providers, for trying a
// migration with no cloud account: a DuckDB database plays the Redshift
// source, a directory plays the object-store bucket, and another DuckDB
// database plays the MaxCompute target.
//
// The stand-ins keep the behaviour a real migration depends on, so that
// what works locally keeps working against the cloud:
//
//   - Source.Unload writes Parquet files named as Redshift UNLOAD names
//     them, keeps DECIMAL, DATE and integer widths in the file, writes a
//     MANIFEST VERBOSE style manifest, and refuses a non-empty folder.
//     With UnloadRequest.PartitionBy it writes Hive key=value/ folders as
//     Redshift's PARTITION BY does, keys left out of the files.
//   - Target.Load is as strict as MaxCompute LOAD: it reads every file
//     under the location, matches columns by name, fails with
//     ODPS-0123131 when a file type does not load directly into the column
//     type, and replaces the table's rows atomically. A partitioned load
//     replaces the listed partitions and drops the others in the same
//     transaction, and partition keys must have MaxCompute's key types.
//   - Bucket writes objects through a temporary file and a rename and
//     reports CRC-64/ECMA checksums, the checksum OSS reports.
//
// Declared types live in column comments: DuckDB stores CHAR(n) and
// VARCHAR(n) alike as VARCHAR, so the Source keeps each column's Redshift
// type and the Target each column's MaxCompute type in the comment.
//
// OpenSource can seed a missing database with the TPC-H tables at any
// scale factor, using the go-tpc generator. The generator builds a 300 MB
// text pool first, a fixed cost of about five seconds that stays in
// memory for the life of the process.
//
// Each database file is opened once per process and shared: Sources and
// Targets on the same file use one *sql.DB, which is safe for concurrent
// Query, Unload and Load calls.
package local
