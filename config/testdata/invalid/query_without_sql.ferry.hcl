source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

migration "m" {
  from   = source.duckdb.a
  via    = [bucket.local.b]
  to     = target.duckdb.c
  tables = ["main.*"]

  verify {
    query "only_source" { # ERROR: Missing query SQL
      source_sql = "SELECT 1"
    }
    query "negative" {
      sql       = "SELECT sum(x) FROM t"
      tolerance = -1 # ERROR: Invalid tolerance
    }
  }
}
