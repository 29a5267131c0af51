variable "scale" {
  type    = number
  default = 0

  validation {
    condition     = var.scale > 0 # ERROR: Invalid value for variable
    error_message = "scale must be positive."
  }
}
