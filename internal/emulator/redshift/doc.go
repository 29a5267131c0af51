// Package redshift is an Amazon Redshift front for a real PostgreSQL
// server, for tests. It speaks the PostgreSQL wire protocol to clients
// (simple and extended query protocol), checks a password the way a
// Redshift cluster does (MD5 or cleartext), and hands every ordinary
// statement to its own upstream PostgreSQL session, one per client
// session, relaying the replies unchanged.
//
// What PostgreSQL lacks is emulated:
//
//   - UNLOAD ('select') TO 's3://bucket/prefix' … FORMAT PARQUET: the
//     statement is parsed and validated as Redshift does (authorization
//     required, option combinations Redshift rejects are rejected, an outer
//     LIMIT is refused), the inner SELECT runs in the client's upstream
//     session, and the rows are written as Parquet files named
//     <prefix>0000_part_00.parquet, <prefix>0000_part_01.parquet, … (split
//     by MAXFILESIZE) plus a <prefix>manifest, through an ObjectStore.
//     PARTITION BY (cols) [INCLUDE] writes Hive folders <col>=<value>/
//     under the prefix (a "/" is added to it when missing), each with its
//     own file sequence, leaves the partition columns out of the files
//     unless INCLUDE, writes a NULL key as __HIVE_DEFAULT_PARTITION__,
//     percent-encodes every byte of a value other than letters, digits and
//     -_., refuses key types Redshift refuses (VARBYTE, DOUBLE PRECISION,
//     TIMESTAMPTZ…) and a query with no column left besides the keys, and
//     writes one manifest at the root listing every file. CLEANPATH then
//     deletes only the folders about to be written.
//   - The catalog views ferry reads: SVV_TABLE_INFO (empty tables are not
//     listed), SVV_COLUMNS (Redshift type spellings), PG_TABLE_DEF, and
//     pg_last_unload_count(). They are created in pg_catalog of the
//     upstream database when the front starts.
//   - The Redshift Data API (DataAPI): an HTTP server speaking the JSON 1.1
//     protocol of service/redshiftdata, running each statement through the
//     front as its database user, with sessions and paginated results.
//   - Faults: connection resets and errors at configurable rates, so that
//     retry paths can be tested.
//
// The front follows Redshift's documented behaviour, not ferry's code: see
// the UNLOAD and catalog sections of the technical reference.
package redshift
