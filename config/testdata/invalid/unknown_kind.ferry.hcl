source "mysql" "prod" { # ERROR: Unsupported source kind "mysql"
  host = "example.com"
}
