package plan

// steps sets the action, reason and detail of each of a table's five
// resources (unload, copy, table, load, verify).
type steps [5]struct {
	action Action
	reason Reason
	detail string
}

func allSteps(a Action, r Reason) steps {
	var s steps
	for i := range s {
		s[i].action, s[i].reason = a, r
	}
	return s
}

// tableResources builds a table's resources the way the planner does.
func tableResources(migration, source, target string, rows, bytes int64, cols []ColumnMapping, st steps) []*Resource {
	base := "migration." + migration + ".table." + source
	rs := []*Resource{
		{Addr: base + ".unload", Kind: KindUnload, Unload: &UnloadSpec{
			Source: "source.redshift.prod", Bucket: "bucket.s3.staging", Prefix: source + "/", Rows: rows, Bytes: bytes,
		}},
		{Addr: base + ".copy", Kind: KindCopy, DependsOn: []string{base + ".unload"}, Copy: &CopySpec{
			Engine: "oss-import", From: "bucket.s3.staging", To: "bucket.oss.landing", Bytes: bytes,
		}},
		{Addr: base + ".table", Kind: KindTable, Table: &TableSpec{
			Target: "target.maxcompute.dw", Name: target, Columns: cols,
		}},
		{Addr: base + ".load", Kind: KindLoad, DependsOn: []string{base + ".copy", base + ".table"}, Load: &LoadSpec{
			Target: "target.maxcompute.dw", Table: target, Bucket: "bucket.oss.landing", Rows: rows,
		}},
		{Addr: base + ".verify", Kind: KindVerify, DependsOn: []string{base + ".load"}, Verify: &VerifySpec{
			Level: "fingerprint", SourceTable: source, TargetTable: target, Columns: cols, UnloadAddr: base + ".unload",
		}},
	}
	for i, r := range rs {
		r.Migration, r.SourceTable, r.TargetTable = migration, source, target
		r.Action, r.Reason, r.Detail = st[i].action, st[i].reason, st[i].detail
		r.Fingerprint = "fp-" + r.Addr
	}
	return rs
}

// forgottenTable is what the planner plans for a table that left the
// configuration: Forget resources built from state, without specs.
func forgottenTable(migration, source string) []*Resource {
	base := "migration." + migration + ".table." + source
	var rs []*Resource
	for _, k := range []Kind{KindUnload, KindCopy, KindTable, KindLoad, KindVerify} {
		rs = append(rs, &Resource{
			Addr: base + "." + string(k), Kind: k, Action: Forget, Reason: ReasonNotInConfig,
			Detail: "removed from state only; target tables and staged files are kept",
		})
	}
	return rs
}

var ordersColumns = []ColumnMapping{
	{Source: "order_id", SourceType: "BIGINT", Target: "order_id", TargetType: "BIGINT", FileType: "BIGINT", Exact: true},
	{Source: "amount", SourceType: "NUMERIC(18,2)", Target: "amount", TargetType: "DECIMAL(18,2)", FileType: "DECIMAL(18,2)", Nullable: true, Exact: true},
	{Source: "status", SourceType: "VARCHAR(16)", Target: "status", TargetType: "STRING", FileType: "STRING", Exact: true, Override: true},
	{Source: "created_at", SourceType: "TIMESTAMPTZ", Target: "created_at", TargetType: "DATETIME", FileType: "TIMESTAMP", Exact: false,
		Note: "time zone dropped; values are kept in UTC"},
	{Source: "attrs", SourceType: "SUPER", Target: "attrs", TargetType: "MAP<STRING,STRING>", FileType: "MAP<STRING,STRING>", Nullable: true, Exact: false,
		Note: "nested values become JSON text | arrays are flattened"},
}

var customersColumns = []ColumnMapping{
	{Source: "customer_id", SourceType: "INTEGER", Target: "customer_id", TargetType: "INT", FileType: "INT", Exact: true},
	{Source: "email", SourceType: "VARCHAR(256)", Target: "email", TargetType: "STRING", FileType: "STRING", Nullable: true, Exact: true},
}

// fixturePlan has a created table with lossy columns, a replaced large
// table, a forgotten table, a new and a forgotten query, and a migration
// with nothing to do.
func fixturePlan() *Plan {
	p := &Plan{
		FormatVersion: FormatVersion, FerryVersion: "0.4.0", ID: "20260301T101500Z-a1b2c3",
		Lineage: "3f9d2c7e-lineage", Serial: 7, ConfigHash: "cfg-1",
	}
	p.Resources = append(p.Resources, tableResources("sales", "public.orders", "orders", 1_234_567, 98_765_432,
		ordersColumns, allSteps(Create, ReasonNew))...)
	var cust steps
	cust[0].action, cust[0].reason, cust[0].detail = Replace, ReasonSourceChanged, "rows 2,999,999,000 -> 3,000,000,000"
	cust[1].action, cust[1].reason = Replace, ReasonUpstream
	cust[2].action, cust[2].reason, cust[2].detail = Replace, ReasonConfigChanged, "column email: VARCHAR(128) -> STRING"
	cust[3].action, cust[3].reason = Replace, ReasonUpstream
	cust[4].action, cust[4].reason = Replace, ReasonUpstream
	p.Resources = append(p.Resources, tableResources("sales", "public.customers", "customers", 3_000_000_000, 200<<30,
		customersColumns, cust)...)
	p.Resources = append(p.Resources, &Resource{
		Addr: "migration.sales.query.revenue", Kind: KindQuery, Migration: "sales",
		Action: Create, Reason: ReasonNew,
		DependsOn: []string{"migration.sales.table.public.customers.load", "migration.sales.table.public.orders.load"},
		Query:     &QuerySpec{Name: "revenue", SourceSQL: "SELECT SUM(amount) FROM public.orders", TargetSQL: "SELECT SUM(amount) FROM orders"},
	})
	p.Resources = append(p.Resources, tableResources("hr", "public.staff", "staff", 420, 16_384,
		customersColumns, allSteps(NoOp, ReasonNone))...)
	p.Resources = append(p.Resources, forgottenTable("sales", "public.legacy_events")...)
	p.Resources = append(p.Resources, &Resource{
		Addr: "migration.hr.query.headcount", Kind: KindQuery, Action: Forget, Reason: ReasonNotInConfig,
		Detail: "removed from state only; target tables and staged files are kept",
	})
	p.Warnings = []Warning{
		{Code: "source_stats_stale", Addr: "migration.sales.table.public.customers.unload", Message: "row count is an estimate: table statistics are 9 days old"},
		{Code: RiskLossyType, Addr: "migration.sales.table.public.orders.table", Message: "public.orders.created_at: TIMESTAMPTZ -> DATETIME: time zone dropped; values are kept in UTC"},
		{Code: RiskLossyType, Addr: "migration.sales.table.public.orders.table", Message: "public.orders.attrs: SUPER -> MAP<STRING,STRING>: nested values become JSON text | arrays are flattened"},
	}
	return p
}
