source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

migration "m" {
  from   = source.duckdb.a
  via    = [bucket.local.b]
  to     = target.duckdb.c
  tables = ["main.*"]

  table "main.lineitem" {
    column "l_comment" { type = "STRING" }
    column "l_comment" { rename = "comment" } # ERROR: Duplicate column
  }
}
