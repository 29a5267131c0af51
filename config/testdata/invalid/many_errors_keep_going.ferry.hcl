source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

source "redshift" "prod" {
  host     = "example.com"
  database = "dev"
  schemas  = ["public"] # ERROR: Unsupported argument
}

target "bigquery" "bq" { # ERROR: Unsupported target kind "bigquery"
}

migration "m" {
  from   = source.redshift.prod
  via    = bucket.local.b # ERROR: Invalid expression
  to     = target.bigquery.bq # ERROR: Reference to undeclared target
  tables = ["main.*"]
  order  = 1 # ERROR: Unsupported argument

  table "main.t" {
    column "c" {
      kind = "STRING" # ERROR: Unsupported argument
    }
  }
}
