source "redshift" "prod" {
  host     = "example.com"
  port     = "fifty" # ERROR: Incorrect attribute value type
  database = "dev"
}
