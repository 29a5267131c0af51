package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ferry-dev/ferry/bench/internal/measure"
	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/state"
)

// template is the table a real, targeted apply migrates; every other
// table is cloned from it.
const template = "t000000"

// synthesize converges the workspace without a full apply, which takes
// hours at 10,000 tables (see README): a real `ferry apply -target` of the
// first table records genuine resources, then for every other table
//   - the target table is created the way ferry created the first one
//     (same DDL, table and column comments, two rows),
//   - the staged files of the first table are copied under the other
//     table's folder in both buckets, and
//   - the first table's five state resources are cloned with the table
//     name replaced and the fingerprints `ferry plan -out` computes.
//
// The caller checks that the resulting plan is a no-op.
func synthesize(ferry, dir string, n int) error {
	t0 := time.Now()
	addr := "migration.many.table.main." + template
	if _, err := measure.Run(measure.Cmd{Path: ferry, Args: []string{"apply", "-auto-approve", "-no-color", "-target", addr}, Dir: dir}); err != nil {
		return fmt.Errorf("targeted apply: %w", err)
	}
	planPath := filepath.Join(dir, "full.plan.json")
	if _, err := measure.Run(measure.Cmd{Path: ferry, Args: []string{"plan", "-no-color", "-out", planPath}, Dir: dir}); err != nil {
		return fmt.Errorf("plan -out: %w", err)
	}
	pf, err := os.Open(planPath)
	if err != nil {
		return err
	}
	p, err := plan.Decode(pf)
	pf.Close()
	if err != nil {
		return err
	}
	statePath := filepath.Join(dir, "ferry.state.json")
	sf, err := os.Open(statePath)
	if err != nil {
		return err
	}
	st, err := state.Read(sf)
	sf.Close()
	if err != nil {
		return err
	}
	tmpl := map[string]*state.Resource{} // kind -> template resource
	for a, r := range st.Resources {
		if strings.HasPrefix(a, addr+".") {
			tmpl[r.Kind] = r
		}
	}
	if len(tmpl) != 5 {
		return fmt.Errorf("targeted apply recorded %d resources for %s, want 5", len(tmpl), template)
	}
	for _, r := range p.Resources {
		if r.SourceTable == "" || r.SourceTable == "main."+template {
			continue
		}
		name := strings.TrimPrefix(r.SourceTable, "main.")
		t := tmpl[string(r.Kind)]
		if t == nil {
			if r.Action == plan.NoOp {
				continue // planned but never recorded (a cleanup that keeps staged files)
			}
			return fmt.Errorf("no template for %s", r.Addr)
		}
		c := *t
		c.Addr = r.Addr
		c.Fingerprint = r.Fingerprint
		c.Output = json.RawMessage(bytes.ReplaceAll(t.Output, []byte(template), []byte(name)))
		if t.Observed != nil {
			c.Observed = map[string]string{}
			for k, v := range t.Observed {
				c.Observed[k] = strings.ReplaceAll(v, template, name)
			}
		}
		st.Resources[r.Addr] = &c
	}
	st.Serial++
	data, err := state.Marshal(st)
	if err != nil {
		return err
	}
	if err := os.WriteFile(statePath, data, 0o600); err != nil {
		return err
	}
	gen := tmpl["unload"].Generation
	for _, b := range []string{"s3", "oss"} {
		if err := cloneStaged(filepath.Join(dir, ".ferry", b), n, gen); err != nil {
			return err
		}
	}
	if err := cloneTarget(filepath.Join(dir, ".ferry", "target.duckdb"), n); err != nil {
		return err
	}
	fmt.Printf("state: synthesized %d resources (%s) in %s\n", len(st.Resources), measure.MiB(int64(len(data))), measure.Secs(time.Since(t0)))
	return nil
}

// cloneStaged copies the template table's generation folder to every
// other table's folder under root.
func cloneStaged(root string, n int, gen string) error {
	var src string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "main."+template {
			src = p
			return filepath.SkipAll
		}
		return nil
	})
	if err != nil {
		return err
	}
	if src == "" {
		return fmt.Errorf("no staged folder for %s under %s", template, root)
	}
	var files []string
	err = filepath.WalkDir(filepath.Join(src, gen), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	for i := 1; i < n; i++ {
		dst := filepath.Join(filepath.Dir(src), fmt.Sprintf("main.t%06d", i))
		for _, f := range files {
			rel, _ := filepath.Rel(src, f)
			out := filepath.Join(dst, rel)
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return err
			}
			data, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// cloneTarget creates every other table in the target database like the
// template table: columns, table and column comments, and its rows.
func cloneTarget(path string, n int) error {
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	var tcomment string
	if err := db.QueryRowContext(ctx, "SELECT coalesce(comment, '') FROM duckdb_tables() WHERE table_name = ?", template).Scan(&tcomment); err != nil {
		return fmt.Errorf("template target table: %w", err)
	}
	rows, err := db.QueryContext(ctx, "SELECT column_name, data_type, coalesce(comment, ''), is_nullable FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", template)
	if err != nil {
		return err
	}
	type col struct {
		name, typ, comment string
		nullable           bool
	}
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.name, &c.typ, &c.comment, &c.nullable); err != nil {
			return err
		}
		cols = append(cols, c)
	}
	rows.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return err
	}
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	var b strings.Builder
	for i := 1; i < n; i++ {
		t := fmt.Sprintf(`main."t%06d"`, i)
		var defs []string
		for _, c := range cols {
			d := fmt.Sprintf("%q %s", c.name, c.typ)
			if !c.nullable {
				d += " NOT NULL"
			}
			defs = append(defs, d)
		}
		fmt.Fprintf(&b, "CREATE TABLE %s (%s);\n", t, strings.Join(defs, ", "))
		fmt.Fprintf(&b, "COMMENT ON TABLE %s IS %s;\n", t, q(tcomment))
		for _, c := range cols {
			if c.comment != "" {
				fmt.Fprintf(&b, "COMMENT ON COLUMN %s.%q IS %s;\n", t, c.name, q(c.comment))
			}
		}
		fmt.Fprintf(&b, "INSERT INTO %s SELECT * FROM main.%q;\n", t, template)
		if i%200 == 0 || i == n-1 {
			if _, err := conn.ExecContext(ctx, b.String()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "CHECKPOINT")
	return err
}
