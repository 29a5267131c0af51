backend "gcs" { # ERROR: Unsupported backend kind "gcs"
  bucket = "x"
}

backend "s3" { # ERROR: Duplicate backend block
  bucket = "state"
  key    = "ferry.json"
}
