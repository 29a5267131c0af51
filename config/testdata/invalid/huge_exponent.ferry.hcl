# A number the parser would take minutes over is refused before parsing;
# the same text in a string or a comment is fine: 1e-99999999.
source "duckdb" "a" {
  path       = "1e-99999999"
  tpch_scale = 1e-99999999 # ERROR: Number out of range
}
