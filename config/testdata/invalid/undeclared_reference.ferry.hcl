source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

migration "m" {
  from   = source.duckdb.nope # ERROR: Reference to undeclared source
  via    = [bucket.local.b, bucket.s3.missing] # ERROR: Reference to undeclared bucket
  to     = target.duckdb.c
  tables = ["main.*"]
}
