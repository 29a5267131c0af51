variable "a" {
  default = "x"
}

variable "b" {
  default = "y"

  validation {
    condition     = var.b != var.a # ERROR: Invalid variable validation condition
    error_message = "b must differ from a."
  }
}
