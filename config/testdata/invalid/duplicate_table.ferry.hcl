source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

migration "m" {
  from   = source.duckdb.a
  via    = [bucket.local.b]
  to     = target.duckdb.c
  tables = ["main.*"]

  table "main.lineitem" {
    name = "lineitem"
  }
  table "main.lineitem" { # ERROR: Duplicate table "main.lineitem"
    name = "li"
  }
}
