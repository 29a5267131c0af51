source "redshift" "prod" { # ERROR: Missing required argument
  database = "dev"
}
