package redshift

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferry-dev/ferry/provider"
	"github.com/jackc/pgx/v5"
)

// TableKeys are a table's Redshift distribution and sort keys, which a
// MaxCompute target may turn into clustering or partitioning.
type TableKeys struct {
	// DistKey is the distribution key column ("" when the table is
	// distributed EVEN, ALL or AUTO).
	DistKey string `json:"dist_key,omitempty"`
	// SortKey lists the sort key columns in key order.
	SortKey []string `json:"sort_key,omitempty"`
	// Interleaved is set for an INTERLEAVED sort key (negative sortkey
	// positions in PG_TABLE_DEF).
	Interleaved bool `json:"interleaved,omitempty"`
}

// schemasQuery lists the schemas holding user tables, for the
// search_path PG_TABLE_DEF needs.
const schemasQuery = `
SELECT DISTINCT c.table_schema::text
FROM svv_columns c
WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema', 'pg_internal', 'pg_automv')
  AND left(c.table_schema, 8) <> 'pg_temp_'
ORDER BY 1`

// keysQuery reads the key columns of the tables on the search_path.
const keysQuery = `
SELECT schemaname::text, tablename::text, "column"::text, distkey, sortkey::int
FROM pg_table_def
WHERE distkey OR sortkey <> 0
ORDER BY schemaname, tablename, abs(sortkey)`

// searchPath is the SET statement putting schemas on the search_path.
func searchPath(schemas []string) string {
	quoted := make([]string, len(schemas))
	for i, s := range schemas {
		quoted[i] = quoteIdent(s)
	}
	return "SET search_path TO " + strings.Join(quoted, ", ")
}

// Keys returns the distribution and sort keys of every table that has
// any, by "schema.table". PG_TABLE_DEF lists only tables on the
// search_path, so Keys sets it in the same session first; when two
// schemas hold a table of the same name, only the first one's keys are
// visible, as in Redshift.
func (s *Source) Keys(ctx context.Context) (map[string]TableKeys, error) {
	res, err := s.Query(ctx, schemasQuery)
	if err != nil {
		return nil, fmt.Errorf("read Redshift keys: %w", err)
	}
	schemas := column0(res)
	if len(schemas) == 0 {
		return map[string]TableKeys{}, nil
	}
	var keys *provider.Result
	err = s.withConn(ctx, true, func(c *pgx.Conn) error {
		if _, err := c.Exec(ctx, searchPath(schemas), pgx.QueryExecModeSimpleProtocol); err != nil {
			return err
		}
		defer c.Exec(ctx, "RESET search_path", pgx.QueryExecModeSimpleProtocol)
		var err error
		keys, err = queryConn(ctx, c, keysQuery)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read Redshift keys: %w", err)
	}
	return parseKeys(keys)
}

// column0 returns the first column's non-NULL values.
func column0(res *provider.Result) []string {
	var out []string
	for _, r := range res.Rows {
		if len(r) > 0 && r[0] != nil {
			out = append(out, *r[0])
		}
	}
	return out
}

// parseKeys reads the rows of keysQuery.
func parseKeys(res *provider.Result) (map[string]TableKeys, error) {
	out := map[string]TableKeys{}
	for _, r := range res.Rows {
		if len(r) != 5 || r[0] == nil || r[1] == nil || r[2] == nil || r[3] == nil || r[4] == nil {
			return nil, fmt.Errorf("read Redshift keys: unexpected row shape")
		}
		pos, err := strconv.Atoi(*r[4])
		if err != nil {
			return nil, fmt.Errorf("read Redshift keys: sortkey %q", *r[4])
		}
		name := *r[0] + "." + *r[1]
		k := out[name]
		if *r[3] == "true" {
			k.DistKey = *r[2]
		}
		if pos != 0 {
			k.SortKey = append(k.SortKey, *r[2])
			k.Interleaved = pos < 0
		}
		out[name] = k
	}
	return out, nil
}
