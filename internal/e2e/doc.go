// Package e2e runs ferry's whole cloud path end to end, through the real
// SDKs and wire protocols, with no cloud account:
//
//	PostgreSQL (TPC-H at scale 0.01, Redshift column types)
//	  behind the Redshift front (password auth, UNLOAD to Parquet)
//	  ──UNLOAD──▶ versitygw (S3, SigV4)
//	  ──stream copy──▶ the OSS emulator (V4 signatures, CRC-64)
//	  ──LOAD OVERWRITE──▶ the MaxCompute emulator (aliyun-odps-go-sdk),
//	                       whose LOAD reads the OSS emulator
//	  ──verify──▶ aggregates and TPC-H Q1 on both sides
//
// The tests write an HCL configuration into a temporary directory, with
// every secret in a sensitive variable passed through FERRY_VAR_*, and
// run `ferry apply` in-process through cli.Main. They then check the
// results on both sides independently of ferry (pgx on PostgreSQL, the
// MaxCompute provider's Query on the emulator), that a second plan has
// nothing to do, that no secret reached the state, the history or the
// output, and that the UNLOAD manifest is outside the loaded folder.
//
// A second test injects faults: transient 503s from OSS and 500/503s from
// MaxCompute are retried and the apply converges. A wrong OSS secret
// fails the apply while planning, with an error naming the bucket and the
// state untouched; OSS refusing writes (403) fails the copy, which the
// next plan shows as tainted; without the fault the apply converges.
//
// The package has only tests. Without PostgreSQL or versitygw they skip
// with an install hint, unless CI=true, where a missing server fails.
package e2e
