bucket "oss" "landing" { # ERROR: Missing required argument
  bucket = "my-landing"
}
