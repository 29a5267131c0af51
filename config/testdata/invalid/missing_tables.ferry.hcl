source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

migration "m" { # ERROR: Missing required argument
  from = source.duckdb.a
  via  = [bucket.local.b]
  to   = target.duckdb.c
}
