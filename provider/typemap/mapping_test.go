package typemap

import (
	"errors"
	"reflect"
	"testing"
)

func mustRedshift(t *testing.T, s string) RedshiftType {
	t.Helper()
	rt, err := ParseRedshift(s)
	if err != nil {
		t.Fatalf("ParseRedshift(%q): %v", s, err)
	}
	return rt
}

func mustMC(t *testing.T, s string) MCType {
	t.Helper()
	m, err := Options{ExtendedDecimalScale: true}.ParseMaxCompute(s)
	if err != nil {
		t.Fatalf("ParseMaxCompute(%q): %v", s, err)
	}
	return m
}

// TestMap covers every row of the Redshift to MaxCompute mapping table.
func TestMap(t *testing.T) {
	native := map[string]string{HintParquetNative: "true"}
	utc := map[string]string{HintTimezone: "UTC"}
	tests := []struct {
		name   string
		source string
		opts   Options
		target string
		file   string
		expr   string
		exact  bool
		note   string
		hints  map[string]string
	}{
		{"smallint widened", "int2", Options{}, "INT", "INT", "CAST(%s AS INTEGER)", true,
			"Widened to INT, because Redshift writes SMALLINT to Parquet as plain INT32, which MaxCompute reads only into INT.", nil},
		{"integer", "integer", Options{}, "INT", "INT", "%s", true, "", nil},
		{"bigint", "bigint", Options{}, "BIGINT", "BIGINT", "%s", true, "", nil},
		{"decimal", "numeric(15,2)", Options{}, "DECIMAL(15,2)", "DECIMAL(15,2)", "%s", true,
			"Needs MaxCompute's native Parquet reader, the only one that reads DECIMAL.", native},
		{"bare decimal", "decimal", Options{}, "DECIMAL(18,0)", "DECIMAL(18,0)", "%s", true,
			"Needs MaxCompute's native Parquet reader, the only one that reads DECIMAL.", native},
		{"decimal scale 18", "numeric(38,18)", Options{}, "DECIMAL(38,18)", "DECIMAL(38,18)", "%s", true,
			"Needs MaxCompute's native Parquet reader, the only one that reads DECIMAL.", native},
		{"decimal scale 20 rounded", "numeric(38,20)", Options{}, "DECIMAL(38,18)", "STRING", "CAST(%s AS VARCHAR(41))", false,
			"Scale 20 exceeds MaxCompute's default limit of 18, so values are rounded to 18 decimal places unless extended decimal scale is enabled.", nil},
		{"decimal scale 20 extended", "numeric(38,20)", Options{ExtendedDecimalScale: true}, "DECIMAL(38,20)", "DECIMAL(38,20)", "%s", true,
			"A scale above 18 needs odps.sql.decimal2.extended.scale.enable on every statement and query that touches the column.",
			map[string]string{HintParquetNative: "true", HintExtendedScale: "true"}},
		{"decimal scale 2 extended", "numeric(10,2)", Options{ExtendedDecimalScale: true}, "DECIMAL(10,2)", "DECIMAL(10,2)", "%s", true,
			"Needs MaxCompute's native Parquet reader, the only one that reads DECIMAL.", native},
		{"real", "float4", Options{}, "FLOAT", "FLOAT", "%s", true, "", nil},
		{"double", "double precision", Options{}, "DOUBLE", "DOUBLE", "%s", true, "", nil},
		{"boolean", "bool", Options{}, "BOOLEAN", "BOOLEAN", "%s", true, "", nil},
		{"char 10", "character(10)", Options{}, "CHAR(10)", "STRING", "%s", true,
			"Values keep Redshift's trailing blanks, which MaxCompute CHAR pads and ignores in comparisons as Redshift does.", nil},
		{"char 255", "char(255)", Options{}, "CHAR(255)", "STRING", "%s", true,
			"Values keep Redshift's trailing blanks, which MaxCompute CHAR pads and ignores in comparisons as Redshift does.", nil},
		{"char 256", "char(256)", Options{}, "STRING", "STRING", "%s", true,
			"MaxCompute CHAR holds at most 255, so STRING is used, which keeps the trailing blanks Redshift ignores in comparisons.", nil},
		{"varchar", "character varying(44)", Options{}, "STRING", "STRING", "%s", true, "", nil},
		{"text", "text", Options{}, "STRING", "STRING", "%s", true, "", nil},
		{"date", "date", Options{}, "DATE", "DATE", "%s", true,
			"Redshift dates before 0001-01-01 or after 9999-12-31 fail to load.", nil},
		{"timestamp", "timestamp without time zone", Options{}, "TIMESTAMP", "TIMESTAMP", "%s", true,
			"Redshift TIMESTAMP is wall-clock time while MaxCompute TIMESTAMP is an instant shown in the session time zone, so query it with odps.sql.timezone=UTC to see the original values.", utc},
		{"timestamp explicit", "timestamp", Options{TimestampAs: "TIMESTAMP"}, "TIMESTAMP", "TIMESTAMP", "%s", true,
			"Redshift TIMESTAMP is wall-clock time while MaxCompute TIMESTAMP is an instant shown in the session time zone, so query it with odps.sql.timezone=UTC to see the original values.", utc},
		{"timestamp as datetime", "timestamp", Options{TimestampAs: "DATETIME"}, "DATETIME", "DATETIME", "%s", false,
			"DATETIME keeps only milliseconds, so microseconds are dropped, and it shows in the session time zone, so query it with odps.sql.timezone=UTC.", utc},
		{"timestamp as ntz", "timestamp", Options{TimestampAs: "TIMESTAMP_NTZ"}, "TIMESTAMP_NTZ", "STRING", "CAST(%s AS VARCHAR(32))", true,
			"TIMESTAMP_NTZ cannot be read from Parquet, so values travel as text through a staging table and a CAST.", nil},
		{"timestamptz", "timestamp with time zone", Options{}, "TIMESTAMP", "TIMESTAMP", "%s", true,
			"The UTC instant is kept and the original offset is lost, as in Redshift, and MaxCompute shows it in the session time zone.", utc},
		{"timestamptz ignores timestamp_as", "timestamptz", Options{TimestampAs: "DATETIME"}, "TIMESTAMP", "TIMESTAMP", "%s", true,
			"The UTC instant is kept and the original offset is lost, as in Redshift, and MaxCompute shows it in the session time zone.", utc},
		{"time", "time", Options{}, "STRING", "STRING", "CAST(%s AS VARCHAR)", false,
			"MaxCompute has no TIME type, so values become text such as 13:45:30.123456.", nil},
		{"timetz", "timetz", Options{}, "STRING", "STRING", "CAST(%s AS VARCHAR)", false,
			"MaxCompute has no TIME type, so values become text with their offset, such as 13:45:30+00.", nil},
		{"super", "super", Options{}, "STRING", "STRING", "JSON_SERIALIZE(%s)", true,
			"Values are kept as JSON text, values over 8 MB (Redshift allows 16 MB) fail to load, and a JSON column needs a staging table and JSON_PARSE.", nil},
		{"varbyte small", "varbyte(32767)", Options{}, "STRING", "STRING", "to_hex(%s)", false,
			"Redshift cannot write VARBYTE to Parquet, so bytes become hexadecimal text twice as long.", nil},
		{"varbyte large", "varbyte", Options{}, "STRING", "STRING", "to_hex(%s)", false,
			"Redshift cannot write VARBYTE to Parquet, so bytes become hexadecimal text twice as long, and values over 32767 bytes fail because the text exceeds 65535 bytes.", nil},
		{"geometry", "geometry", Options{}, "STRING", "STRING", "CAST(%s AS VARCHAR(65535))", false,
			"Redshift cannot write spatial types to Parquet, so shapes become their text form, and shapes whose text exceeds 65535 bytes fail.", nil},
		{"geography", "geography", Options{}, "STRING", "STRING", "CAST(%s AS VARCHAR(65535))", false,
			"Redshift cannot write spatial types to Parquet, so shapes become their text form, and shapes whose text exceeds 65535 bytes fail.", nil},
		{"hllsketch", "hllsketch", Options{}, "STRING", "STRING", "CAST(%s AS VARCHAR(65535))", false,
			"The sketch becomes its Base64 or JSON text, which MaxCompute cannot use as a sketch; unload hll_cardinality(...) in a view if the count is what matters.", nil},
		{"interval ym", "interval year to month", Options{}, "STRING", "STRING", "CAST(%s AS VARCHAR)", false,
			"MaxCompute interval types cannot be table columns, so values become Redshift's text form of the interval.", nil},
		{"interval ds", "interval day to second", Options{}, "STRING", "STRING", "CAST(%s AS VARCHAR)", false,
			"MaxCompute interval types cannot be table columns, so values become Redshift's text form of the interval.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := mustRedshift(t, tt.source)
			want := Mapping{
				Source:   src,
				Target:   mustMC(t, tt.target),
				FileType: mustMC(t, tt.file),
				Expr:     tt.expr,
				Exact:    tt.exact,
				Note:     tt.note,
				Hints:    tt.hints,
			}
			got := Map(src, tt.opts)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Map(%s, %+v) =\n%#v\nwant\n%#v", src, tt.opts, got, want)
			}
			// The route the plan takes must exist for every supported mapping.
			if !DirectLoad(got.FileType, got.Target) {
				if err := CastLoad(got.FileType, got.Target); err != nil {
					t.Errorf("no load route from %s to %s: %v", got.FileType, got.Target, err)
				}
			}
		})
	}
}

func TestMapUnsupported(t *testing.T) {
	tests := []struct {
		name string
		in   RedshiftType
		opts Options
		want string
	}{
		{"unknown base", RedshiftType{Base: "MONEY"}, Options{},
			`unsupported Redshift type "MONEY": not a type ferry knows how to migrate; cast it to VARCHAR in a view and migrate the view`},
		{"zero value", RedshiftType{}, Options{},
			`unsupported Redshift type "": not a type ferry knows how to migrate; cast it to VARCHAR in a view and migrate the view`},
		{"bad decimal", RedshiftType{Base: RedshiftDecimal}, Options{},
			`Redshift type "DECIMAL(0,0)": DECIMAL precision 0 out of range 1-38`},
		{"length on integer", RedshiftType{Base: RedshiftInteger, Length: 4}, Options{},
			`unsupported Redshift type "INTEGER": not a canonical Redshift type (typemap.RedshiftType{Base:"INTEGER", Precision:0, Scale:0, Length:4})`},
		{"bad option", RedshiftType{Base: RedshiftInteger}, Options{TimestampAs: "DATE"},
			`timestamp_as "DATE": want TIMESTAMP, DATETIME or TIMESTAMP_NTZ`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Map(tt.in, tt.opts)
			if got.Unsupported == nil {
				t.Fatalf("Map(%#v) = %#v, want Unsupported", tt.in, got)
			}
			if got.Unsupported.Error() != tt.want {
				t.Errorf("Unsupported:\n got %s\nwant %s", got.Unsupported, tt.want)
			}
			if want := (Mapping{Source: tt.in, Unsupported: got.Unsupported}); !reflect.DeepEqual(got, want) {
				t.Errorf("Map(%#v) = %#v, want only Source and Unsupported", tt.in, got)
			}
		})
	}
	if err := Map(RedshiftType{Base: "MONEY"}, Options{}).Unsupported; !errors.Is(err, ErrUnsupported) {
		t.Errorf("errors.Is(%v, ErrUnsupported) = false", err)
	}
}

func TestHints(t *testing.T) {
	base := map[string]string{HintTypeSystem2: "true", HintDecimal2: "true"}
	tests := []struct {
		name    string
		sources []string
		opts    Options
		want    map[string]string
	}{
		{"none", nil, Options{}, base},
		{"plain", []string{"integer", "varchar(10)"}, Options{}, base},
		{"decimal and timestamp", []string{"integer", "numeric(10,2)", "timestamp", "timestamptz"}, Options{},
			map[string]string{HintTypeSystem2: "true", HintDecimal2: "true", HintParquetNative: "true", HintTimezone: "UTC"}},
		{"extended scale", []string{"numeric(38,30)"}, Options{ExtendedDecimalScale: true},
			map[string]string{HintTypeSystem2: "true", HintDecimal2: "true", HintParquetNative: "true", HintExtendedScale: "true"}},
		{"rounded decimal needs no reader hint", []string{"numeric(38,30)"}, Options{}, base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ms []Mapping
			for _, s := range tt.sources {
				ms = append(ms, Map(mustRedshift(t, s), tt.opts))
			}
			if got := Hints(ms); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Hints = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHintsDoesNotAliasMappings(t *testing.T) {
	m := Map(mustRedshift(t, "numeric(10,2)"), Options{})
	h := Hints([]Mapping{m})
	h[HintParquetNative] = "false"
	if m.Hints[HintParquetNative] != "true" {
		t.Errorf("changing the merged hints changed the mapping's: %v", m.Hints)
	}
}
