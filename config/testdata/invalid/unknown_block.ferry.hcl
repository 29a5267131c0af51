source "duckdb" "a" { path = "a.duckdb" }
bucket "local" "b" { path = "stage" }
target "duckdb" "c" { path = "out.duckdb" }

resource "aws_instance" "web" { # ERROR: Unsupported block type
  ami = "x"
}
