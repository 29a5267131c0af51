variable "region" {
  default = "a"
}

variable "region" { # ERROR: Duplicate variable
  default = "b"
}
