# The local quickstart: a DuckDB database plays Amazon Redshift (seeded on
# first run with the eight TPC-H tables), two directories play the S3
# staging and OSS landing buckets, and a second DuckDB database plays
# MaxCompute. Nothing here needs a cloud account.

variable "tpch_scale" {
  type        = number
  default     = 0.01
  description = "TPC-H scale factor of the seeded source (0.01 is about 86,000 rows)."
}

source "duckdb" "redshift" {
  path       = ".ferry/redshift.duckdb"
  tpch_scale = var.tpch_scale
}

bucket "local" "s3_unload" {
  path   = ".ferry/s3"
  prefix = "unload_from_redshift"
}

bucket "local" "oss_landing" {
  path   = ".ferry/oss"
  prefix = "from_redshift"
}

target "duckdb" "maxcompute" {
  path = ".ferry/maxcompute.duckdb"
}

migration "tpch" {
  from   = source.duckdb.redshift
  via    = [bucket.local.s3_unload, bucket.local.oss_landing]
  to     = target.duckdb.maxcompute
  copy   = { engine = "stream" }
  tables = ["main.*"]

  verify {
    level = "aggregates"

    query "tpch_q1" {
      sql       = file("queries/q1.sql")
      tolerance = 0.000001
    }
  }
}
