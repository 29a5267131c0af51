// Package provider defines the narrow interfaces ferry's engine uses to talk
// to the systems on a migration's path: a Source warehouse (Redshift, or the
// local DuckDB stand-in), object-store Buckets (S3, OSS, a local directory),
// a Copier that moves staged objects between buckets, and a Target warehouse
// (MaxCompute, or local DuckDB).
//
// The engine (planner, executor, verify) depends only on these interfaces.
// Each implementation lives in its own sub-package, asserts the interface at
// compile time, and runs the conformance suites in provider/providertest.
package provider
