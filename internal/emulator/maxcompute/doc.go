// Package maxcompute is a MaxCompute (ODPS) REST service for tests: the
// real aliyun-odps-go-sdk talks to it over HTTP on loopback, and it runs
// the SQL on an in-memory DuckDB database.
//
// Protocol (the SDK v0.4.24 wire format, under /api):
//
//   - every request's V2 or V4 signature is verified; a bad one gets 403
//     with the service's <Error> document (ODPS-0410042 "User signature
//     dose not match", sic);
//   - POST /projects/{p}/instances takes one SQL task, decodes its
//     settings JSON, answers 201 with the instance in Location and runs it
//     in the background;
//   - GET /projects/{p}/instances/{id} answers Load (Running/Terminated),
//     ?taskstatus (the first Options.RunningPolls answers say Running),
//     ?result (CSV with a header row for a SELECT, "OK" otherwise, the
//     error text "FAILED: ODPS-…" for a failed task) and ?instancesummary;
//     PUT terminates it;
//   - GET /projects/{p}/tables, POST /projects/{p}/tables?query and
//     GET /projects/{p}/tables/{t} list and describe tables with the
//     schema JSON the SDK parses; a missing table is "404 Not Found";
//   - GET /projects/{p}, /webconsole/host, /logview/host and POST
//     /projects/{p}/authorization serve the SDK's Logview helpers.
//
// SQL: CREATE TABLE [IF NOT EXISTS] (which, like the service, succeeds
// silently when a table of another schema exists), DROP TABLE, INSERT
// {INTO|OVERWRITE} … SELECT/VALUES, SELECT, SET and LOAD {OVERWRITE|INTO}
// TABLE t [PARTITION (k='v')] FROM LOCATION 'oss://…' … STORED AS PARQUET.
//
// Partitions: PARTITIONED BY keys must be STRING, VARCHAR, CHAR, TINYINT,
// SMALLINT, INT or BIGINT, at most six levels. A partitioned table is
// written only through a static spec naming every key, PARTITION
// (k='v', k2=5): a NULL value is refused, an integer key's value must be
// an integer of its width, and LOAD refuses files that contain a
// partition column. A static LOAD or INSERT creates the partition (it
// stays, empty or not, until dropped); SHOW PARTITIONS t answers one
// "k=v/k2=v2" line per partition, as plain text; ALTER TABLE t DROP [IF
// EXISTS] PARTITION (…)[, PARTITION (…)] removes partitions and their
// rows.
// Backtick identifiers become DuckDB identifiers; the declared MaxCompute
// types live in DuckDB column comments so that schema reads return them.
// MaxCompute's TO_CHAR(datetime, format) (yyyy, mm, dd, hh, mi, ss) is
// added as a macro, since DuckDB has no such function.
//
// Type system: without odps.sql.type.system.odps2=true (in the task
// settings or Options.Settings) INT silently becomes BIGINT and the other
// 2.0 types are refused, as on the service.
//
// LOAD is as strict as the service: every object under the location is
// read through Options.Locations and one that is not Parquet fails the
// load; columns match by name (missing ones load as NULL); a file type
// must equal the column type (INT32 into INT only, INT64 into BIGINT only,
// DECIMAL(p,s) into the same DECIMAL(p,s)), else the task fails with
// "ODPS-0123131:User defined function exception - column X: file type Y
// does not match table type Z"; a DECIMAL is read only with
// odps.ext.parquet.native=true; TIMESTAMP_NTZ and JSON columns cannot be
// read from Parquet. OVERWRITE and the insert share one transaction, so a
// failed LOAD leaves the previous rows.
//
// Results: a SELECT's CSV writes NULL as \N and the empty string as an
// empty field, TIMESTAMP values in odps.sql.timezone (default
// Asia/Shanghai), at most 10,000 rows.
//
// Faults: Options.FaultRate answers that share of requests (after
// authentication, before any effect) with 500 or 503.
package maxcompute
