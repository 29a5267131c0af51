source "duckdb" "a" {
  path = = "a.duckdb" # ERROR: Invalid expression
}
