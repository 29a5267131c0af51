source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

bucket "s3" "unload" {
  bucket     = "my-unload"
  access_key = env("FERRY_TEST_UNSET") # ERROR: Environment variable FERRY_TEST_UNSET is not set
  profile    = env("FERRY_TEST_UNSET", "default")
}
