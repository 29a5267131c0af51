// Package redshift is ferry's Amazon Redshift source. It talks to a
// cluster over the PostgreSQL protocol (pgx, port 5439), reads the
// catalog in one round trip (SVV_COLUMNS joined with SVV_TABLE_INFO), and
// unloads tables with UNLOAD … FORMAT AS PARQUET MANIFEST VERBOSE.
//
// Redshift writes the manifest as <prefix>manifest inside the data folder,
// but a MaxCompute LOAD reads every object under its location. So Unload
// runs UNLOAD into the request's DataURL and then moves the manifest: it
// reads DataURL+"manifest" through the ObjectStore, writes it to the
// request's ManifestURL and deletes it from the data folder. The
// ObjectStore is therefore required; S3Objects implements it over
// aws-sdk-go-v2, DirObjects over a local directory. A request's
// PartitionBy becomes PARTITION BY (cols) without INCLUDE: the files go to
// key=value/ folders under DataURL and the one manifest, at its root, is
// moved the same way.
//
// With Config.IAM the database password is replaced by temporary
// credentials from GetClusterCredentials (provisioned) or GetCredentials
// (Serverless), refreshed before they expire. NewDataAPI returns a
// DataSource that runs the same statements through the Redshift Data API
// instead (ExecuteStatement, DescribeStatement polled with back-off,
// GetStatementResult pages), for clusters without a network path to port
// 5439. Keys adds distribution and sort keys (PG_TABLE_DEF, in one
// session), and UnloadDetailed also reads the Parquet footer of the first
// file so that its column types can be checked against the mapping.
//
// Parameter-free statements (UNLOAD, catalog queries, Query) run with the
// simple query protocol, the cautious default for Redshift, which lacks
// some extended-protocol features drivers assume.
//
// Secrets (the database password, access keys for UNLOAD) never appear in
// returned errors or statements: errors are scrubbed and UnloadSQL
// redacts them.
package redshift
