source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

migration "m" {
  from   = source.duckdb.a
  via    = [bucket.local.b]
  to     = target.duckdb.c
  tables = ["main.*"]
}

migration "m" { # ERROR: Duplicate migration "m"
  from   = source.duckdb.a
  via    = [bucket.local.b]
  to     = target.duckdb.c
  tables = ["main.other"]
}
