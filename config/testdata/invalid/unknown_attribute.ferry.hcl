source "redshift" "prod" {
  host     = "example.com"
  database = "dev"
  hostname = "other.example.com" # ERROR: Unsupported argument
}
