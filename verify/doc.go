// Package verify proves that a migrated table holds what the source held
// at unload, without moving the data to do it.
//
// Every check is a statement computed inside each engine — Redshift or
// DuckDB on the source side, MaxCompute or DuckDB on the target side — and
// only its small result travels. Results are compared as canonical text
// (canonical.go defines it once for every type family), never as floats,
// so an exact decimal sum of 38 digits compares exactly.
//
// Checks run cheapest first, each level including the previous ones:
//
//   - count: COUNT(*) on both sides against the unload manifest. A source
//     that changed since the unload while the target matches the unload is
//     reported as drift (Report.SourceChanged), never as a mismatch, and
//     the content checks are then skipped rather than compare live data
//     with a snapshot.
//   - schema: every mapped column exists under its name on both sides;
//     given the target catalog's columns (TableCheck.TargetColumns), each
//     declared type also equals the planned one (ColumnPair.TargetType),
//     and no column is missing or unplanned.
//   - aggregates: per column, in one statement per side: non-null count,
//     minimum and maximum, exact sum of numbers, total string length, count
//     of true values; float sums are rounded, float extremes compared with
//     a relative tolerance.
//   - fingerprint: every row is hashed in the engine and, per bucket of
//     rows, the row count and exact sums of the hashes are compared, which
//     is order-independent and catches any cell difference, including a
//     duplicated row standing in for a missing one, which counts and
//     aggregates can miss.
//
// The fingerprint's row hash depends on the engines; Report.Fingerprint
// names the one used:
//
//   - "md5" whenever the two sides are different engines (Redshift to
//     MaxCompute): the MD5 of the row's canonical text, which every
//     engine builds alike; two 60-bit slices of every hash are summed per
//     bucket (the hash's last hex digit). DuckDB computes the same text
//     and slices with its own functions (one concat call, md5_number and
//     bit arithmetic instead of hex substrings).
//   - "<engine> hash" when both sides are the same engine (the local
//     DuckDB quickstart): the engine's own 64-bit hash() of the row's
//     typed canonical values (CHAR trimmed, decimals at the column's
//     scale, integers as BIGINT, timestamps in UTC, …) and of a bitmask
//     of its NULL columns, summed per bucket (the hash mod 16). It builds
//     no text: on TPC-H lineitem it costs about two full scans of the
//     table where md5 costs over twenty. Floats are hashed as the exact
//     double rather than rounded to FloatDigits; the hash is the engine's
//     own (and may change between its versions), so it never compares
//     two engines.
//
// With a key (TableCheck.Key), differing fingerprint buckets are drilled
// into: a bounded, key-ordered sample of the rows that differ is fetched
// from both sides into Report.Samples, naming the columns that differ.
//
// Custom queries (Query) then run on both sides and are compared cell by
// cell, numbers exactly or within an absolute tolerance, per result column
// when Query.Tolerances names it.
//
// Reports render as text, JSON and Markdown (RenderReportsText, …) and,
// for a whole apply, as one self-contained HTML page (RenderReportsHTML).
//
// The SQL is built by a Dialect per engine ("duckdb", "redshift",
// "maxcompute"); the package talks to engines only through
// provider.Querier.
package verify
