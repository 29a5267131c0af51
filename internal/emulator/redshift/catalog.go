package redshift

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// catalogSQL creates Redshift's system views and functions in pg_catalog,
// so that they resolve whatever the search_path, as in Redshift.
//
// SVV_TABLE_INFO lists user tables with at least one row (Redshift leaves
// empty tables out); tbl_rows is an exact count and size is the table's
// total on-disk size in 1 MB blocks, rounded up. SVV_COLUMNS is
// information_schema.columns with Redshift's spellings and defaults
// (TEXT is VARCHAR(256), bare NUMERIC is NUMERIC(18,0), bytea is VARBYTE,
// json and jsonb are SUPER, intervals are INTERVAL YEAR TO MONTH or DAY TO
// SECOND); to_hex(bytea) is Redshift's VARBYTE form of it. PG_TABLE_DEF
// lists only tables on the search_path, as in Redshift.
//
// PostgreSQL has no distribution or sort keys, so tests declare them as
// rows of pg_catalog.ferry_table_keys (schemaname, tablename, "column",
// distkey, sortkey); PG_TABLE_DEF and SVV_TABLE_INFO report them as
// Redshift would. SVV_COLUMNS and PG_TABLE_DEF are readable by every
// user, SVV_TABLE_INFO only by superusers, as in Redshift.
const catalogSQL = `
SET LOCAL allow_system_table_mods = on;

CREATE TABLE IF NOT EXISTS pg_catalog.ferry_table_keys (
  schemaname text NOT NULL,
  tablename  text NOT NULL,
  "column"   text NOT NULL,
  distkey    boolean NOT NULL DEFAULT false,
  sortkey    integer NOT NULL DEFAULT 0
);
GRANT SELECT ON pg_catalog.ferry_table_keys TO PUBLIC;

CREATE OR REPLACE FUNCTION pg_catalog.ferry_exact_rows(rel regclass) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM %s', rel) INTO n;
  RETURN n;
END $$;

CREATE OR REPLACE FUNCTION pg_catalog.to_hex(bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT encode($1, 'hex') $$;

CREATE OR REPLACE FUNCTION pg_catalog.strtol(s text, base integer) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  IF base <> 16 THEN
    RAISE EXCEPTION 'strtol: only base 16 is emulated';
  END IF;
  RETURN ('x' || lpad(s, 16, '0'))::bit(64)::bigint;
END $$;

CREATE OR REPLACE FUNCTION pg_catalog.json_serialize(jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT $1::text $$;

CREATE OR REPLACE FUNCTION pg_catalog.pg_last_unload_count() RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('ferry.last_unload_count', true), ''), '0')::bigint
$$;

CREATE OR REPLACE VIEW pg_catalog.svv_table_info AS
SELECT * FROM (
  SELECT current_database()::text AS database,
         n.nspname::text AS schema,
         c.oid::bigint AS table_id,
         c.relname::text AS "table",
         'Y'::text AS encoded,
         coalesce((SELECT 'KEY(' || k."column" || ')' FROM pg_catalog.ferry_table_keys k
                   WHERE k.schemaname = n.nspname AND k.tablename = c.relname AND k.distkey LIMIT 1),
                  'AUTO(EVEN)')::text AS diststyle,
         coalesce((SELECT k."column" FROM pg_catalog.ferry_table_keys k
                   WHERE k.schemaname = n.nspname AND k.tablename = c.relname AND k.sortkey = 1 LIMIT 1),
                  'AUTO(SORTKEY)')::text AS sortkey1,
         0::integer AS max_varchar,
         NULL::text AS sortkey1_enc,
         (SELECT count(*) FROM pg_catalog.ferry_table_keys k
          WHERE k.schemaname = n.nspname AND k.tablename = c.relname AND k.sortkey > 0)::integer AS sortkey_num,
         ceil(pg_catalog.pg_total_relation_size(c.oid) / 1048576.0)::bigint AS size,
         0::numeric(10,4) AS pct_used,
         0::numeric(5,2) AS unsorted,
         0::numeric(5,2) AS stats_off,
         pg_catalog.ferry_exact_rows(c.oid)::numeric(38,0) AS tbl_rows,
         NULL::numeric(19,2) AS skew_sortkey1,
         NULL::numeric(19,2) AS skew_rows
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
) t
WHERE tbl_rows > 0;

CREATE OR REPLACE VIEW pg_catalog.svv_columns AS
SELECT c.table_catalog::text AS table_catalog,
       c.table_schema::text AS table_schema,
       c.table_name::text AS table_name,
       c.column_name::text AS column_name,
       c.ordinal_position::integer AS ordinal_position,
       c.column_default::text AS column_default,
       c.is_nullable::text AS is_nullable,
       (CASE c.data_type
          WHEN 'text' THEN 'character varying'
          WHEN 'bytea' THEN 'binary varying'
          WHEN 'json' THEN 'super'
          WHEN 'jsonb' THEN 'super'
          WHEN 'USER-DEFINED' THEN c.udt_name
          WHEN 'interval' THEN CASE WHEN c.interval_type = 'YEAR TO MONTH' THEN 'interval year to month'
                                    ELSE 'interval day to second' END
          ELSE c.data_type END)::text AS data_type,
       (CASE WHEN c.data_type IN ('character varying', 'text') THEN coalesce(c.character_maximum_length, 256)
             WHEN c.data_type = 'character' THEN coalesce(c.character_maximum_length, 1)
             ELSE c.character_maximum_length END)::integer AS character_maximum_length,
       (CASE WHEN c.data_type = 'numeric' THEN coalesce(c.numeric_precision, 18)
             ELSE c.numeric_precision END)::integer AS numeric_precision,
       c.numeric_precision_radix::integer AS numeric_radix,
       (CASE WHEN c.data_type = 'numeric' THEN coalesce(c.numeric_scale, 0)
             ELSE c.numeric_scale END)::integer AS numeric_scale,
       c.datetime_precision::integer AS datetime_precision,
       c.interval_type::text AS interval_type,
       c.interval_precision::integer AS interval_precision,
       NULL::text AS character_set_catalog,
       NULL::text AS character_set_schema,
       NULL::text AS character_set_name,
       NULL::text AS collation_catalog,
       NULL::text AS collation_schema,
       NULL::text AS collation_name,
       NULL::text AS domain_name,
       pg_catalog.col_description(format('%I.%I', c.table_schema, c.table_name)::regclass, a.attnum)::text AS remarks
FROM information_schema.columns c
JOIN pg_catalog.pg_namespace n ON n.nspname = c.table_schema
JOIN pg_catalog.pg_class k ON k.relnamespace = n.oid AND k.relname = c.table_name
JOIN pg_catalog.pg_attribute a ON a.attrelid = k.oid AND a.attname = c.column_name
WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema');

CREATE OR REPLACE VIEW pg_catalog.pg_table_def AS
SELECT n.nspname AS schemaname,
       c.relname AS tablename,
       a.attname AS "column",
       pg_catalog.format_type(a.atttypid, a.atttypmod)::text AS type,
       'none'::text AS encoding,
       coalesce(k.distkey, false) AS distkey,
       coalesce(k.sortkey, 0)::integer AS sortkey,
       a.attnotnull AS "notnull"
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.ferry_table_keys k
  ON k.schemaname = n.nspname AND k.tablename = c.relname AND k."column" = a.attname
WHERE c.relkind IN ('r', 'p') AND pg_catalog.pg_table_is_visible(c.oid)
  AND n.nspname NOT IN ('pg_catalog', 'information_schema');

REVOKE ALL ON pg_catalog.svv_table_info FROM PUBLIC;
GRANT SELECT ON pg_catalog.svv_columns, pg_catalog.pg_table_def TO PUBLIC;
`

// catalogLock serialises installs by fronts sharing one database, which
// would otherwise race on CREATE OR REPLACE.
const catalogLock = 0x6665727279 // "ferry"

// installCatalog creates the views in the upstream database.
func installCatalog(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("redshift front: connect upstream: %w", err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(catalogLock)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, catalogSQL); err != nil {
		return fmt.Errorf("redshift front: create catalog views: %w", err)
	}
	return tx.Commit(ctx)
}
