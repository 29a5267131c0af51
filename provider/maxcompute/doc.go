// Package maxcompute is ferry's Alibaba Cloud MaxCompute target, built on
// the ODPS Go SDK (github.com/aliyun/aliyun-odps-go-sdk).
//
// Every statement runs as an SQL instance with the 2.0 type flags
// (odps.sql.type.system.odps2 and odps.sql.decimal.odps2) in its settings,
// because the project defaults are unknown and without them INT silently
// becomes BIGINT, after which a Parquet LOAD fails on the type mismatch.
//
// Instances are polled by the Target itself with a growing interval, the
// caller's context and Config.InstanceTimeout (the SDK's WaitForSuccess
// has neither); an instance running for more than a few seconds has its
// Logview URL logged through Config.Logf. A failed task comes back as
// *Error with the ODPS error code and a hint. Each HTTP request is retried
// with backoff when IsRetryable says so (5xx, 429, network errors); SQL
// failures are not retried. The statements ferry sends are idempotent
// (IF NOT EXISTS, IF EXISTS, OVERWRITE, SELECT), so a request the service
// ran before its answer was lost does no harm when sent again.
//
// Load uses LOAD OVERWRITE … STORED AS PARQUET with the role ARN in
// SERDEPROPERTIES. MaxCompute matches Parquet types strictly, so a column
// whose file type differs from its table type goes through a staging
// table and INSERT OVERWRITE … SELECT CAST(…). An AccessKey written into
// a location is redacted from returned statements and errors.
//
// A partitioned table is loaded with a static spec per partition, LOAD
// OVERWRITE … PARTITION (k='v', n=5) of that partition's folder (dynamic
// partitioning from k=v/ folders turns a NULL key into a literal string
// and is not used); then SHOW PARTITIONS lists the table's partitions and
// ALTER TABLE … DROP IF EXISTS PARTITION removes those the load did not
// name. Partition keys are STRING, VARCHAR, CHAR or an integer type, as
// MaxCompute requires.
//
// Query results come from the instance's CSV result: NULL is \N there and
// becomes nil, the empty string stays "". At most 10,000 rows come back.
package maxcompute
