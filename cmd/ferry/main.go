// Command ferry migrates data-warehouse tables from Amazon Redshift to
// Alibaba Cloud MaxCompute, Terraform-style: declare the migration in HCL,
// review `ferry plan`, run `ferry apply`.
package main

import (
	"os"

	"github.com/ferry-dev/ferry/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.StdIO()))
}
