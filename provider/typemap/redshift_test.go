package typemap

import (
	"errors"
	"testing"
)

func TestParseRedshiftSpellings(t *testing.T) {
	dec := func(p, s int) RedshiftType { return RedshiftType{Base: RedshiftDecimal, Precision: p, Scale: s} }
	length := func(base string, n int) RedshiftType { return RedshiftType{Base: base, Length: n} }
	base := func(b string) RedshiftType { return RedshiftType{Base: b} }
	tests := []struct {
		in   string
		want RedshiftType
	}{
		{"smallint", base(RedshiftSmallint)},
		{"INT2", base(RedshiftSmallint)},
		{"integer", base(RedshiftInteger)},
		{"Int", base(RedshiftInteger)},
		{"int4", base(RedshiftInteger)},
		{"bigint", base(RedshiftBigint)},
		{"INT8", base(RedshiftBigint)},
		{"numeric", dec(18, 0)},
		{"numeric(18,2)", dec(18, 2)},
		{"DECIMAL(15, 2)", dec(15, 2)},
		{"decimal ( 38 , 37 )", dec(38, 37)},
		{"decimal(7)", dec(7, 0)},
		{"real", base(RedshiftReal)},
		{"float4", base(RedshiftReal)},
		{"float(24)", base(RedshiftReal)},
		{"double precision", base(RedshiftDouble)},
		{"DOUBLE   PRECISION", base(RedshiftDouble)},
		{"float8", base(RedshiftDouble)},
		{"float", base(RedshiftDouble)},
		{"float(53)", base(RedshiftDouble)},
		{"boolean", base(RedshiftBoolean)},
		{"bool", base(RedshiftBoolean)},
		{"character(10)", length(RedshiftChar, 10)},
		{"char(1)", length(RedshiftChar, 1)},
		{"char", length(RedshiftChar, 1)},
		{"character", length(RedshiftChar, 1)},
		{"nchar(20)", length(RedshiftChar, 20)},
		{"nchar", length(RedshiftChar, 1)},
		{"bpchar(8)", length(RedshiftChar, 8)},
		{"bpchar", length(RedshiftChar, 256)},
		{"char(4096)", length(RedshiftChar, 4096)},
		{"character varying(256)", length(RedshiftVarchar, 256)},
		{"Character Varying ( 44 )", length(RedshiftVarchar, 44)},
		{"character varying", length(RedshiftVarchar, 256)},
		{"varchar(65535)", length(RedshiftVarchar, 65535)},
		{"varchar(max)", length(RedshiftVarchar, 65535)},
		{"varchar", length(RedshiftVarchar, 256)},
		{"nvarchar(100)", length(RedshiftVarchar, 100)},
		{"text", length(RedshiftVarchar, 256)},
		{"date", base(RedshiftDate)},
		{"timestamp", base(RedshiftTimestamp)},
		{"timestamp without time zone", base(RedshiftTimestamp)},
		{"TIMESTAMP WITHOUT TIME ZONE", base(RedshiftTimestamp)},
		{"timestamptz", base(RedshiftTimestamptz)},
		{"timestamp with time zone", base(RedshiftTimestamptz)},
		{"time", base(RedshiftTime)},
		{"time without time zone", base(RedshiftTime)},
		{"timetz", base(RedshiftTimetz)},
		{"time with time zone", base(RedshiftTimetz)},
		{"super", base(RedshiftSuper)},
		{"varbyte(100)", length(RedshiftVarbyte, 100)},
		{"varbyte", length(RedshiftVarbyte, 64000)},
		{"varbinary(16)", length(RedshiftVarbyte, 16)},
		{"binary varying(1024000)", length(RedshiftVarbyte, 1024000)},
		{"binary varying", length(RedshiftVarbyte, 64000)},
		{"geometry", base(RedshiftGeometry)},
		{"geography", base(RedshiftGeography)},
		{"hllsketch", base(RedshiftHLLSketch)},
		{"interval year to month", base(RedshiftIntervalYM)},
		{"INTERVAL DAY TO SECOND", base(RedshiftIntervalDS)},
		{"  integer  ", base(RedshiftInteger)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRedshift(tt.in)
			if err != nil {
				t.Fatalf("ParseRedshift(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseRedshift(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseRedshiftErrors(t *testing.T) {
	tests := []struct {
		in          string
		want        string
		unsupported bool
	}{
		{`"char"`, `unsupported Redshift type "char": the one-byte Postgres internal type; cast it to CHAR(1) in a view and migrate the view`, true},
		{`"CHAR"`, `unsupported Redshift type "CHAR": the one-byte Postgres internal type; cast it to CHAR(1) in a view and migrate the view`, true},
		{"oid", `unsupported Redshift type "oid": not a type ferry knows how to migrate; cast it to VARCHAR in a view and migrate the view`, true},
		{"interval", `unsupported Redshift type "interval": not a type ferry knows how to migrate; cast it to VARCHAR in a view and migrate the view`, true},
		{"", `unsupported Redshift type "": not a type ferry knows how to migrate; cast it to VARCHAR in a view and migrate the view`, true},
		{"numeric(39,2)", `Redshift type "numeric(39,2)": DECIMAL precision 39 out of range 1-38`, false},
		{"numeric(0)", `Redshift type "numeric(0)": DECIMAL precision 0 out of range 1-38`, false},
		{"numeric(10,12)", `Redshift type "numeric(10,12)": DECIMAL scale 12 exceeds precision 10`, false},
		{"numeric(38,38)", `Redshift type "numeric(38,38)": DECIMAL scale 38 out of range 0-37`, false},
		{"numeric(1,2,3)", `Redshift type "numeric(1,2,3)": DECIMAL takes a precision and a scale`, false},
		{"varchar(0)", `Redshift type "varchar(0)": VARCHAR length 0 out of range 1-65535`, false},
		{"varchar(65536)", `Redshift type "varchar(65536)": VARCHAR length 65536 out of range 1-65535`, false},
		{"char(4097)", `Redshift type "char(4097)": CHAR length 4097 out of range 1-4096`, false},
		{"varchar(abc)", `Redshift type "varchar(abc)": argument "abc" is not a non-negative number`, false},
		{"varchar(-1)", `Redshift type "varchar(-1)": argument "-1" is not a non-negative number`, false},
		{"varchar(1,2)", `Redshift type "varchar(1,2)": VARCHAR takes one length`, false},
		{"varchar(10", `Redshift type "varchar(10": unbalanced parentheses`, false},
		{"varchar()", `Redshift type "varchar()": empty argument list`, false},
		{"integer(4)", `Redshift type "integer(4)": INTEGER takes no arguments`, false},
		{"float(54)", `Redshift type "float(54)": FLOAT precision 54 out of range 1-53`, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRedshift(tt.in)
			if err == nil {
				t.Fatalf("ParseRedshift(%q) = %#v, want error %q", tt.in, got, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ParseRedshift(%q) error:\n got %s\nwant %s", tt.in, err, tt.want)
			}
			if errors.Is(err, ErrUnsupported) != tt.unsupported {
				t.Errorf("errors.Is(err, ErrUnsupported) = %v, want %v", !tt.unsupported, tt.unsupported)
			}
		})
	}
}

func TestRedshiftStringRoundTrip(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"int2", "SMALLINT"},
		{"int", "INTEGER"},
		{"int8", "BIGINT"},
		{"numeric", "DECIMAL(18,0)"},
		{"numeric(15,2)", "DECIMAL(15,2)"},
		{"float4", "REAL"},
		{"float", "DOUBLE PRECISION"},
		{"bool", "BOOLEAN"},
		{"bpchar", "CHAR(256)"},
		{"character", "CHAR(1)"},
		{"character varying(44)", "VARCHAR(44)"},
		{"text", "VARCHAR(256)"},
		{"date", "DATE"},
		{"timestamp without time zone", "TIMESTAMP"},
		{"timestamp with time zone", "TIMESTAMPTZ"},
		{"time without time zone", "TIME"},
		{"time with time zone", "TIMETZ"},
		{"super", "SUPER"},
		{"binary varying(10)", "VARBYTE(10)"},
		{"geometry", "GEOMETRY"},
		{"geography", "GEOGRAPHY"},
		{"hllsketch", "HLLSKETCH"},
		{"interval year to month", "INTERVAL YEAR TO MONTH"},
		{"interval day to second", "INTERVAL DAY TO SECOND"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			first, err := ParseRedshift(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := first.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			again, err := ParseRedshift(first.String())
			if err != nil {
				t.Fatal(err)
			}
			if again != first {
				t.Errorf("ParseRedshift(%q) = %#v, want %#v", first.String(), again, first)
			}
		})
	}
}
