source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

bucket "local" "d" { path = "d" }
bucket "local" "e" { path = "e" }

migration "m" {
  from   = source.duckdb.a
  via    = [bucket.local.b, bucket.local.d, bucket.local.e] # ERROR: Wrong number of buckets in via
  to     = target.duckdb.c
  tables = ["main.*"]
}
