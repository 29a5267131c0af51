package planner

import (
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/typemap"
)

// tableResources builds the five resources of one table, in dependency
// order: unload, copy, table, load, verify.
func tableResources(cfg *config.Config, m *config.Migration, t selected) ([]*plan.Resource, []plan.Warning, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	q := t.info.QualifiedName()
	base := TableAddr(m.Name, q)
	ov := t.override
	declRange := m.DeclRange
	if ov != nil {
		declRange = ov.DeclRange
	}
	target := ""
	if ov != nil && ov.Name != "" {
		target = ov.Name
		if _, err := typemap.TableName(target); err != nil || strings.ToLower(target) != target {
			if err == nil {
				err = fmt.Errorf("table name %q: use lower case, MaxCompute folds names to lower case", target)
			}
			diags = append(diags, diag("Invalid target table name", err.Error(), ov.NameRange))
		}
	} else {
		var err error
		if target, err = typemap.TableName(t.info.Name); err != nil {
			diags = append(diags, diag("Invalid target table name", err.Error(), declRange))
		}
	}
	cols, warns, cdiags := mapColumns(m, t, base, declRange)
	diags = append(diags, cdiags...)
	if diags.HasErrors() {
		return nil, nil, diags
	}
	cols, parts, pdiags := partitionColumns(q, ov, cols)
	diags = append(diags, pdiags...)
	if diags.HasErrors() {
		return nil, nil, diags
	}

	staging, landing := m.Via[0], m.Via[len(m.Via)-1]
	stagingPrefix := MigrationPrefix(cfg.Buckets[staging], m.Name) + q + "/"
	landingPrefix := MigrationPrefix(cfg.Buckets[landing], m.Name) + q + "/"

	var sel strings.Builder
	sel.WriteString("SELECT ")
	for i, c := range cols {
		if i > 0 {
			sel.WriteString(", ")
		}
		fmt.Fprintf(&sel, "%s AS %s", fmt.Sprintf(c.expr, quoteSource(c.m.Source)), quoteSource(c.m.Target))
	}
	for _, p := range parts {
		fmt.Fprintf(&sel, ", %s AS %s", fmt.Sprintf(p.expr, quoteSource(p.m.Source)), quoteSource(p.m.Target))
	}
	fmt.Fprintf(&sel, " FROM %s.%s", quoteSource(t.info.Schema), quoteSource(t.info.Name))
	where := ""
	if ov != nil && ov.Where != "" {
		where = ov.Where
		fmt.Fprintf(&sel, " WHERE %s", where)
	}

	mappings := make([]plan.ColumnMapping, len(cols))
	fileCols := make([]plan.Column, len(cols))
	hints := typemap.Hints(nil)
	for i, c := range cols {
		mappings[i] = c.m
		fileCols[i] = plan.Column{Name: c.m.Target, Type: c.m.FileType, Nullable: c.m.Nullable}
		maps.Copy(hints, c.hints)
	}
	var partCols []plan.Column
	var partMaps []plan.ColumnMapping
	var partBy []string
	for _, p := range parts {
		partCols = append(partCols, plan.Column{Name: p.m.Target, Type: p.m.TargetType})
		partMaps = append(partMaps, p.m)
		partBy = append(partBy, p.m.Target)
	}

	unload := &plan.Resource{
		Addr: base + ".unload", Kind: plan.KindUnload,
		Unload: &plan.UnloadSpec{
			Source: m.From, Select: sel.String(), Bucket: staging, Prefix: stagingPrefix,
			MaxFileSize: 1 << 30, PartitionBy: partBy,
			Rows: t.info.Rows, Bytes: t.info.Bytes, Version: t.info.Version,
			Columns: sourceColumns(t.info.Columns),
		},
	}
	copyRes := &plan.Resource{
		Addr: base + ".copy", Kind: plan.KindCopy, DependsOn: []string{unload.Addr},
		Copy: &plan.CopySpec{
			Engine: m.CopyEngine, From: staging, FromPrefix: stagingPrefix,
			To: landing, ToPrefix: landingPrefix, Options: copyOptions(m), Bytes: t.info.Bytes,
		},
	}
	table := &plan.Resource{
		Addr: base + ".table", Kind: plan.KindTable,
		Table: &plan.TableSpec{Target: m.To, Name: target, Columns: mappings, PartitionColumns: partCols, Hints: hints},
	}
	if l, ok := cfg.Targets[m.To].Attrs["lifecycle"]; ok && !l.Value.IsNull() {
		bf := l.Value.AsBigFloat()
		n, _ := bf.Int64()
		table.Table.Lifecycle = int(n)
	}
	load := &plan.Resource{
		Addr: base + ".load", Kind: plan.KindLoad, DependsOn: []string{copyRes.Addr, table.Addr},
		Load: &plan.LoadSpec{
			Target: m.To, Table: target, Bucket: landing, Prefix: landingPrefix,
			FileColumns: fileCols, Hints: hints, Rows: t.info.Rows, PartitionColumns: partCols,
		},
	}
	verify := &plan.Resource{
		Addr: base + ".verify", Kind: plan.KindVerify, DependsOn: []string{load.Addr},
		Verify: &plan.VerifySpec{
			Source: m.From, Target: m.To, Level: m.Verify.Level,
			SourceTable: q, TargetTable: target, Where: where, Columns: append(mappings[:len(mappings):len(mappings)], partMaps...),
			UnloadAddr: unload.Addr, Key: verifyKey(ov, mappings), Partitions: partMaps,
		},
	}
	if ov != nil {
		for _, k := range ov.Key {
			found := false
			for _, c := range mappings {
				found = found || strings.EqualFold(c.Source, k)
			}
			if !found {
				diags = append(diags, diag("Unknown key column", fmt.Sprintf("Table %s has no column %q.", q, k), ov.KeyRange))
			}
		}
		if diags.HasErrors() {
			return nil, nil, diags
		}
	}
	out := []*plan.Resource{unload, copyRes, table, load, verify}
	fingerprint(out)
	cleanup := &plan.Resource{
		Addr: base + ".cleanup", Kind: plan.KindCleanup, DependsOn: []string{verify.Addr},
		Cleanup: &plan.CleanupSpec{KeepStaged: m.KeepStaged, Staging: staging, Landing: landing},
	}
	cleanup.Fingerprint = hashOf("cleanup", m.KeepStaged, staging, landing)
	out = append(out, cleanup)
	for _, r := range out {
		r.Migration = m.Name
		r.SourceTable = q
		r.TargetTable = target
	}
	return out, warns, diags
}

// copyOptions renders the copy block's extra settings as strings (for
// display and the fingerprint); sensitive ones are left out.
func copyOptions(m *config.Migration) map[string]string {
	if len(m.CopyOptions) == 0 {
		return nil
	}
	out := map[string]string{}
	keys := make([]string, 0, len(m.CopyOptions))
	for k := range m.CopyOptions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m.CopyOptions[k]
		if v.Sensitive || v.Value.IsNull() || !v.Value.IsKnown() {
			continue
		}
		out[k] = v.Text()
	}
	return out
}

// queryResource builds a migration's custom query; it runs after every
// load of the migration.
func queryResource(m *config.Migration, q *config.Query, loads []string, all []*plan.Resource) *plan.Resource {
	src, tgt := q.SQL, q.SQL
	if q.SourceSQL != "" {
		src = q.SourceSQL
	}
	if q.TargetSQL != "" {
		tgt = q.TargetSQL
	}
	r := &plan.Resource{
		Addr: "migration." + m.Name + ".query." + q.Name, Kind: plan.KindQuery, Migration: m.Name,
		DependsOn: append([]string(nil), loads...),
		Query: &plan.QuerySpec{
			Source: m.From, Target: m.To, Name: q.Name,
			SourceSQL: src, TargetSQL: tgt, Tolerance: q.Tolerance,
		},
	}
	r.Fingerprint = hashOf("query", r.Query)
	return r
}

func sourceColumns(cols []provider.Column) []plan.Column {
	out := make([]plan.Column, len(cols))
	for i, c := range cols {
		out[i] = plan.Column{Name: c.Name, Type: c.Type, Nullable: c.Nullable}
	}
	return out
}

// verifyKey maps a table block's key (source column names) to target
// column names.
func verifyKey(ov *config.TableOverride, cols []plan.ColumnMapping) []string {
	if ov == nil {
		return nil
	}
	var out []string
	for _, k := range ov.Key {
		for _, c := range cols {
			if strings.EqualFold(c.Source, k) {
				out = append(out, c.Target)
			}
		}
	}
	return out
}

// partitionKeyTypes are the MaxCompute types a partition key may have.
var partitionKeyTypes = map[string]bool{"STRING": true, "VARCHAR": true, "CHAR": true, "TINYINT": true, "SMALLINT": true, "INT": true, "BIGINT": true}

// partitionColumns splits the table's columns into data columns and the
// partition keys partition_by names, in partition_by order. Keys keep
// integer and string types; DATE and TIMESTAMP keys become STRING
// partitions (unloaded as text); other types cannot be keys.
func partitionColumns(q string, ov *config.TableOverride, cols []column) ([]column, []column, hcl.Diagnostics) {
	if ov == nil || len(ov.PartitionBy) == 0 {
		return cols, nil, nil
	}
	var diags hcl.Diagnostics
	var parts []column
	taken := map[int]bool{}
	for _, key := range ov.PartitionBy {
		idx := -1
		for i, c := range cols {
			if strings.EqualFold(c.m.Source, key) {
				idx = i
			}
		}
		if idx < 0 {
			diags = append(diags, diag("Unknown partition column", fmt.Sprintf("Table %s has no column %q to partition by.", q, key), ov.DeclRange))
			continue
		}
		c := cols[idx]
		base := strings.SplitN(c.m.TargetType, "(", 2)[0]
		switch {
		case base == "CHAR":
			// Trailing blanks would become part of the folder name and
			// the partition value; CHAR compares without them anyway.
			c.expr = "RTRIM(" + c.expr + ")"
		case partitionKeyTypes[base]:
		case base == "DATE" || base == "DATETIME" || base == "TIMESTAMP":
			c.m.TargetType, c.m.FileType = "STRING", "STRING"
			c.m.Note = strings.TrimSpace(c.m.Note + " Partition key: MaxCompute partitions by STRING, so the value is its text.")
			c.expr = "CAST(" + c.expr + " AS VARCHAR)"
		default:
			diags = append(diags, diag("Invalid partition column",
				fmt.Sprintf("Table %s: %s is %s; MaxCompute partition keys are STRING, VARCHAR, CHAR, TINYINT, SMALLINT, INT or BIGINT (DATE and TIMESTAMP keys become STRING).", q, key, c.m.TargetType), ov.DeclRange))
			continue
		}
		c.m.Nullable = false
		taken[idx] = true
		parts = append(parts, c)
	}
	var data []column
	for i, c := range cols {
		if !taken[i] {
			data = append(data, c)
		}
	}
	if len(data) == 0 {
		diags = append(diags, diag("Invalid partition columns", fmt.Sprintf("Table %s: at least one column must stay out of partition_by.", q), ov.DeclRange))
	}
	return data, parts, diags
}
