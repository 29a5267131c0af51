package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/internal/connect"
	"github.com/ferry-dev/ferry/internal/initcfg"
	"github.com/ferry-dev/ferry/provider/redshift"
)

// InitOptions are the init command's flags.
type InitOptions struct {
	g            *globals
	FromRedshift bool
	Conn         initcfg.Connection
	Password     string
	SSLMode      string
	Schemas      []string
	Include      []string
	Exclude      []string
	Migration    string
	Out          string
	Force        bool
}

func newCmdInit(g *globals) *cobra.Command {
	opts := &InitOptions{g: g}
	cmd := &cobra.Command{
		Use:   "init --from-redshift --host HOST --database DB --user USER",
		Short: "Write a configuration from a live Redshift catalog",
		Long: `Read the catalog of a Redshift cluster and write main.ferry.hcl: the source,
placeholders for the buckets and the MaxCompute target, and one migration
selecting the chosen tables, formatted and ready for ferry plan. The
password comes from FERRY_REDSHIFT_PASSWORD (never a flag) and is written
as a sensitive variable, not as a value.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !opts.FromRedshift {
				return fmt.Errorf("init needs --from-redshift (the only catalog ferry reads today)")
			}
			return initRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.FromRedshift, "from-redshift", false, "read the catalog of a Redshift cluster")
	f.StringVar(&opts.Conn.Host, "host", "", "cluster endpoint `HOST`")
	f.IntVar(&opts.Conn.Port, "port", 5439, "`PORT`")
	f.StringVar(&opts.Conn.Database, "database", "dev", "`DATABASE`")
	f.StringVar(&opts.Conn.User, "user", "", "database `USER`")
	f.StringVar(&opts.Conn.UnloadRole, "unload-role", "", "IAM role `ARN` for UNLOAD")
	f.StringVar(&opts.Conn.Region, "region", "", "AWS `REGION` (IAM auth, Data API)")
	f.StringVar(&opts.Conn.ClusterIdentifier, "cluster-identifier", "", "provisioned cluster `ID` (IAM auth, Data API)")
	f.StringVar(&opts.Conn.Workgroup, "workgroup", "", "Serverless `WORKGROUP` (IAM auth, Data API)")
	f.BoolVar(&opts.Conn.IAM, "iam-auth", false, "use IAM temporary credentials instead of a password")
	f.BoolVar(&opts.Conn.DataAPI, "data-api", false, "use the Redshift Data API")
	f.StringVar(&opts.SSLMode, "sslmode", "", "TLS mode (default require)")
	f.StringSliceVar(&opts.Schemas, "schemas", []string{"public"}, "`SCHEMAS` to select")
	f.StringSliceVar(&opts.Include, "include", nil, "table `GLOBS` to include (schema.table)")
	f.StringSliceVar(&opts.Exclude, "exclude", nil, "table `GLOBS` to exclude")
	f.StringVar(&opts.Migration, "migration", "main", "migration `NAME`")
	f.StringVar(&opts.Out, "out", "main.ferry.hcl", "write to `FILE`")
	f.BoolVar(&opts.Force, "force", false, "overwrite FILE if it exists")
	return cmd
}

func initRun(ctx context.Context, opts *InitOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	g := opts.g
	if _, err := os.Stat(opts.Out); err == nil && !opts.Force {
		return fmt.Errorf("%s exists; use --force to overwrite it", opts.Out)
	}
	p := &config.Provider{Role: "source", Kind: "redshift", Name: "prod", Attrs: map[string]config.Value{}}
	cfg := connect.RedshiftConfig(p, nil)
	c := opts.Conn
	cfg.Host, cfg.Port, cfg.Database, cfg.User, cfg.UnloadRole = c.Host, c.Port, c.Database, c.User, c.UnloadRole
	cfg.Password, cfg.SSLMode = os.Getenv("FERRY_REDSHIFT_PASSWORD"), opts.SSLMode
	cfg.IAM, cfg.Region, cfg.ClusterIdentifier, cfg.WorkgroupName, cfg.DBUser = c.IAM, c.Region, c.ClusterIdentifier, c.Workgroup, c.User
	if c.DataAPI {
		cfg.DataAPI = &redshift.DataAPIConfig{Region: c.Region, ClusterIdentifier: c.ClusterIdentifier, WorkgroupName: c.Workgroup, Database: c.Database, DBUser: c.User}
	}
	src, err := redshift.Open(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to Redshift: %w", err)
	}
	defer src.Close()
	out, err := initcfg.Generate(ctx, src, initcfg.Options{
		SourceName: "prod", Schemas: opts.Schemas, Include: opts.Include, Exclude: opts.Exclude,
		Connection: c, MigrationName: opts.Migration,
	})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(opts.Out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(opts.Out, out, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(g.io.Out, "Wrote %s. Fill in the bucket and target blocks marked TODO, then run ferry plan.\n", opts.Out)
	return nil
}
