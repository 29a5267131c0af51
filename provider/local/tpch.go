package local

import (
	"fmt"
	"math"
	"strings"
)

// tpchColumn is one column of a TPC-H table: its DuckDB storage type and
// the type a Redshift TPC-H schema declares for it.
type tpchColumn struct {
	name     string
	redshift string
}

// duckType is the DuckDB type that stores a declared Redshift type:
// CHAR(n) and VARCHAR(n) both become VARCHAR, and the declared type lives
// on in the column comment.
func (c tpchColumn) duckType() string {
	if strings.HasPrefix(c.redshift, "CHAR") || strings.HasPrefix(c.redshift, "VARCHAR") {
		return "VARCHAR"
	}
	return c.redshift
}

// tpchTable is one TPC-H table.
type tpchTable struct {
	name    string
	columns []tpchColumn
}

// tpchTables is the TPC-H schema with the column types of the Redshift
// TPC-H DDL (keys of the big tables are BIGINT). Every column is NOT NULL.
var tpchTables = []tpchTable{
	{"region", []tpchColumn{
		{"r_regionkey", "INTEGER"}, {"r_name", "CHAR(25)"}, {"r_comment", "VARCHAR(152)"},
	}},
	{"nation", []tpchColumn{
		{"n_nationkey", "INTEGER"}, {"n_name", "CHAR(25)"}, {"n_regionkey", "INTEGER"},
		{"n_comment", "VARCHAR(152)"},
	}},
	{"part", []tpchColumn{
		{"p_partkey", "BIGINT"}, {"p_name", "VARCHAR(55)"}, {"p_mfgr", "CHAR(25)"},
		{"p_brand", "CHAR(10)"}, {"p_type", "VARCHAR(25)"}, {"p_size", "INTEGER"},
		{"p_container", "CHAR(10)"}, {"p_retailprice", "DECIMAL(15,2)"}, {"p_comment", "VARCHAR(23)"},
	}},
	{"supplier", []tpchColumn{
		{"s_suppkey", "INTEGER"}, {"s_name", "CHAR(25)"}, {"s_address", "VARCHAR(40)"},
		{"s_nationkey", "INTEGER"}, {"s_phone", "CHAR(15)"}, {"s_acctbal", "DECIMAL(15,2)"},
		{"s_comment", "VARCHAR(101)"},
	}},
	{"partsupp", []tpchColumn{
		{"ps_partkey", "BIGINT"}, {"ps_suppkey", "INTEGER"}, {"ps_availqty", "INTEGER"},
		{"ps_supplycost", "DECIMAL(15,2)"}, {"ps_comment", "VARCHAR(199)"},
	}},
	{"customer", []tpchColumn{
		{"c_custkey", "BIGINT"}, {"c_name", "VARCHAR(25)"}, {"c_address", "VARCHAR(40)"},
		{"c_nationkey", "INTEGER"}, {"c_phone", "CHAR(15)"}, {"c_acctbal", "DECIMAL(15,2)"},
		{"c_mktsegment", "CHAR(10)"}, {"c_comment", "VARCHAR(117)"},
	}},
	{"orders", []tpchColumn{
		{"o_orderkey", "BIGINT"}, {"o_custkey", "BIGINT"}, {"o_orderstatus", "CHAR(1)"},
		{"o_totalprice", "DECIMAL(15,2)"}, {"o_orderdate", "DATE"}, {"o_orderpriority", "CHAR(15)"},
		{"o_clerk", "CHAR(15)"}, {"o_shippriority", "INTEGER"}, {"o_comment", "VARCHAR(79)"},
	}},
	{"lineitem", []tpchColumn{
		{"l_orderkey", "BIGINT"}, {"l_partkey", "BIGINT"}, {"l_suppkey", "INTEGER"},
		{"l_linenumber", "INTEGER"}, {"l_quantity", "DECIMAL(15,2)"}, {"l_extendedprice", "DECIMAL(15,2)"},
		{"l_discount", "DECIMAL(15,2)"}, {"l_tax", "DECIMAL(15,2)"}, {"l_returnflag", "CHAR(1)"},
		{"l_linestatus", "CHAR(1)"}, {"l_shipdate", "DATE"}, {"l_commitdate", "DATE"},
		{"l_receiptdate", "DATE"}, {"l_shipinstruct", "CHAR(25)"}, {"l_shipmode", "CHAR(10)"},
		{"l_comment", "VARCHAR(44)"},
	}},
}

// tpchDDL returns the statements creating the TPC-H tables, with each
// column's declared Redshift type as its comment.
func tpchDDL() []string {
	var out []string
	for _, t := range tpchTables {
		cols := make([]string, len(t.columns))
		for i, c := range t.columns {
			cols[i] = fmt.Sprintf("%s %s NOT NULL", c.name, c.duckType())
		}
		out = append(out, fmt.Sprintf("CREATE TABLE main.%s (%s)", t.name, strings.Join(cols, ", ")))
		for _, c := range t.columns {
			out = append(out, fmt.Sprintf("COMMENT ON COLUMN main.%s.%s IS %s", t.name, c.name, quoteString(c.redshift)))
		}
	}
	return out
}

// tpchSizes are the row counts of a fractional scale factor. dbgen only
// takes whole scale factors, so generation runs at scale 1 and stops after
// these counts; foreign keys are then folded into the smaller key ranges.
type tpchSizes struct {
	customers, orders, parts, suppliers int64
}

// sizesFor returns the TPC-H row counts for scale factor sf (at least one
// row per table).
func sizesFor(sf float64) tpchSizes {
	n := func(base float64) int64 {
		return max(1, int64(math.Round(base*sf)))
	}
	return tpchSizes{customers: n(150000), orders: n(1500000), parts: n(200000), suppliers: n(10000)}
}

// foldKey maps a key generated for scale 1 into 1..n.
func foldKey(k, n int64) int64 { return (k-1)%n + 1 }

// partSuppKey is dbgen's PART_SUPP_BRIDGE: the supplier of the snum-th
// (0..3) partsupp row of part p among s suppliers.
func partSuppKey(p, snum, s int64) int64 {
	return (p+snum*(s/4+(p-1)/s))%s + 1
}

// suppNum recovers which of a part's four suppliers dbgen picked for a
// line item generated at scale 1 (10000 suppliers).
func suppNum(p, supp int64) int64 {
	for k := int64(0); k < 4; k++ {
		if partSuppKey(p, k, 10000) == supp {
			return k
		}
	}
	return 0
}

// retailPrice is dbgen's retail price of part p, in cents.
func retailPrice(p int64) int64 {
	return 90000 + (p/10)%20001 + (p%1000)*100
}
