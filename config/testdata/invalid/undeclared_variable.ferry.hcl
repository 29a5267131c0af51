source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

target "maxcompute" "dw" {
  endpoint = "http://service.example.com/api"
  project  = var.project # ERROR: Unsupported attribute
}
