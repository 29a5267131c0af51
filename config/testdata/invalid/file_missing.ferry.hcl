source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

migration "m" {
  from   = source.duckdb.a
  via    = [bucket.local.b]
  to     = target.duckdb.c
  tables = ["main.*"]

  verify {
    query "q1" {
      sql = file("queries/missing.sql") # ERROR: Failed to read file
    }
  }
}
