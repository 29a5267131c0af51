source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

migration "m" {
  from   = source.duckdb.a
  via    = [bucket.local.b]
  to     = target.duckdb.c
  copy   = { engine = "rsync", transfers = 4 } # ERROR: Invalid copy engine
  tables = ["main.*"]
}
