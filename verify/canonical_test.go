package verify

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDuckDBCanonical runs each DuckDB canonical expression over a literal
// and checks it yields exactly the text canonical.go documents.
func TestDuckDBCanonical(t *testing.T) {
	dec := func(s int) ColumnType { return ColumnType{Family: Decimal, Scale: s} }
	ft := ColumnType{Family: Float}
	tests := []struct {
		literal string
		typ     ColumnType
		want    any // string, or nil for NULL
	}{
		{"CAST(42 AS INTEGER)", ColumnType{Family: Integer}, "42"},
		{"CAST(-7 AS SMALLINT)", ColumnType{Family: Integer}, "-7"},
		{"CAST(-9223372036854775808 AS BIGINT)", ColumnType{Family: Integer}, "-9223372036854775808"},
		{"CAST(NULL AS BIGINT)", ColumnType{Family: Integer}, nil},
		{"CAST(12.5 AS DECIMAL(15,2))", dec(2), "12.50"},
		{"CAST(-0.01 AS DECIMAL(15,2))", dec(2), "-0.01"},
		{"CAST(0 AS DECIMAL(15,2))", dec(2), "0.00"},
		{"CAST(1234567890123456789012345678.9 AS DECIMAL(38,1))", dec(1), "1234567890123456789012345678.9"},
		{"CAST(17 AS DECIMAL(10,0))", dec(0), "17"},
		{"CAST(0.5 AS DOUBLE)", ft, "5.00000000000e-1"},
		{"CAST(123.456 AS DOUBLE)", ft, "1.23456000000e2"},
		{"CAST(-0.005 AS DOUBLE)", ft, "-5.00000000000e-3"},
		{"CAST(0 AS DOUBLE)", ft, "0"},
		{"CAST(-0.0 AS DOUBLE)", ft, "0"},
		{"CAST(1000 AS DOUBLE)", ft, "1.00000000000e3"},
		{"CAST(1e-5 AS DOUBLE)", ft, "1.00000000000e-5"},
		{"CAST(0.1 AS DOUBLE) + CAST(0.2 AS DOUBLE)", ft, "3.00000000000e-1"},
		{"CAST(9.9999999999999 AS DOUBLE)", ft, "1.00000000000e1"},
		{"CAST(-9.9999999999999 AS DOUBLE)", ft, "-1.00000000000e1"},
		{"CAST(1.7976931348623157e308 AS DOUBLE)", ft, "1.79769313486e308"},
		{"CAST(3.25 AS REAL)", ft, "3.25000000000e0"},
		{"CAST(NULL AS DOUBLE)", ft, nil},
		{"true", ColumnType{Family: Bool}, "true"},
		{"false", ColumnType{Family: Bool}, "false"},
		{"CAST(NULL AS BOOLEAN)", ColumnType{Family: Bool}, nil},
		{"DATE '2024-02-29'", ColumnType{Family: Date}, "2024-02-29"},
		{"DATE '0099-01-02'", ColumnType{Family: Date}, "0099-01-02"},
		{"TIMESTAMP '2024-01-02 03:04:05.123456'", ColumnType{Family: Timestamp}, "2024-01-02 03:04:05.123456"},
		{"TIMESTAMP '2024-01-02 03:04:05'", ColumnType{Family: Timestamp}, "2024-01-02 03:04:05.000000"},
		{"TIMESTAMP '1970-01-01 00:00:00.000001'", ColumnType{Family: Timestamp}, "1970-01-01 00:00:00.000001"},
		{"'héllo, wörld'", ColumnType{Family: String}, "héllo, wörld"},
		{"'  padded  '", ColumnType{Family: String}, "  padded  "},
		{"''", ColumnType{Family: String}, ""},
		{"CAST(NULL AS VARCHAR)", ColumnType{Family: String}, nil},
		{"'AB  '", ColumnType{Family: Char}, "AB"},
		{"'   '", ColumnType{Family: Char}, ""},
		{"'\\xAB\\x01'::BLOB", ColumnType{Family: Binary}, "ab01"},
	}
	d, err := DialectFor("duckdb")
	if err != nil {
		t.Fatal(err)
	}
	q := duckQuerier{openDuck(t)}
	for _, tt := range tests {
		t.Run(tt.literal, func(t *testing.T) {
			res, err := q.Query(context.Background(), "SELECT "+d.Canonical(tt.literal, tt.typ))
			if err != nil {
				t.Fatal(err)
			}
			got := res.Rows[0][0]
			switch want := tt.want.(type) {
			case nil:
				if got != nil {
					t.Errorf("got %q, want NULL", *got)
				}
			case string:
				if got == nil {
					t.Errorf("got NULL, want %q", want)
				} else if *got != want {
					t.Errorf("got %q, want %q", *got, want)
				}
			}
		})
	}
}

// TestCanonicalFloatDigits checks the rounding of float sums.
func TestCanonicalFloatDigits(t *testing.T) {
	d, _ := DialectFor("duckdb")
	q := duckQuerier{openDuck(t)}
	for lit, want := range map[string]string{
		"1234567.89":    "1.23457e6",
		"-0.000999999":  "-9.99999e-4",
		"-0.0009999999": "-1.00000e-3",
		"6.0":           "6.00000e0",
	} {
		res, err := q.Query(context.Background(), "SELECT "+d.CanonicalFloat("CAST("+lit+" AS DOUBLE)", FloatSumDigits))
		if err != nil {
			t.Fatal(err)
		}
		if got := *res.Rows[0][0]; got != want {
			t.Errorf("%s: got %q, want %q", lit, got, want)
		}
	}
}

func TestFamilyOf(t *testing.T) {
	tests := map[string]ColumnType{
		"INT":             {Family: Integer},
		"bigint":          {Family: Integer},
		"SMALLINT":        {Family: Integer},
		"TINYINT":         {Family: Integer},
		"DECIMAL(15,2)":   {Family: Decimal, Scale: 2},
		"decimal(38, 6)":  {Family: Decimal, Scale: 6},
		"DECIMAL(10)":     {Family: Decimal},
		"DECIMAL":         {Family: Decimal},
		"FLOAT":           {Family: Float},
		"DOUBLE":          {Family: Float},
		"BOOLEAN":         {Family: Bool},
		"STRING":          {Family: String},
		"VARCHAR(44)":     {Family: String},
		"CHAR(10)":        {Family: Char},
		"DATE":            {Family: Date},
		"DATETIME":        {Family: Timestamp},
		"TIMESTAMP":       {Family: Timestamp},
		"BINARY":          {Family: Binary},
		"ARRAY<INT>":      {Family: Other},
		"MAP<STRING,INT>": {Family: Other},
	}
	for in, want := range tests {
		if diff := cmp.Diff(want, FamilyOf(in)); diff != "" {
			t.Errorf("FamilyOf(%q) (-want +got):\n%s", in, diff)
		}
	}
}

func TestDialectQuoting(t *testing.T) {
	tests := []struct {
		dialect, table, want string
	}{
		{"duckdb", "tpch.lineitem", `"tpch"."lineitem"`},
		{"redshift", `we"ird`, `"we""ird"`},
		{"maxcompute", "proj.lineitem", "`proj`.`lineitem`"},
		{"maxcompute", "we`ird", "`we``ird`"},
	}
	for _, tt := range tests {
		d, err := DialectFor(tt.dialect)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.QuoteTable(tt.table); got != tt.want {
			t.Errorf("%s QuoteTable(%q) = %s, want %s", tt.dialect, tt.table, got, tt.want)
		}
	}
	if _, err := DialectFor("oracle"); err == nil {
		t.Error("DialectFor(oracle) succeeded, want an error")
	}
}
