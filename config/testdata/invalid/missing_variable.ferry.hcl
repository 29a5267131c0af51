variable "region" {
  type    = string
  default = "ap-southeast-1"
}

variable "password" { # ERROR: No value for required variable
  type      = string
  sensitive = true
}

source "redshift" "prod" {
  host     = "example.com"
  database = "dev"
  password = var.password
}
