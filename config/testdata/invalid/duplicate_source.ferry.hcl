source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

source "duckdb" "a" { # ERROR: Duplicate source "source.duckdb.a"
  path = "other.duckdb"
}
