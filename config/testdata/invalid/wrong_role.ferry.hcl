source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

migration "m" {
  from   = bucket.local.b # ERROR: Invalid reference
  via    = [bucket.local.b]
  to     = "target.duckdb.c" # ERROR: Invalid expression
  tables = ["main.*"]
}
