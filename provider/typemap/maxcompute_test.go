package typemap

import (
	"reflect"
	"testing"
)

func TestParseMaxCompute(t *testing.T) {
	intT := MCType{Name: MCInt}
	str := MCType{Name: MCString}
	tests := []struct {
		in     string
		want   MCType
		canon  string
		staged bool
	}{
		{"tinyint", MCType{Name: MCTinyint}, "TINYINT", false},
		{"SMALLINT", MCType{Name: MCSmallint}, "SMALLINT", false},
		{"Int", intT, "INT", false},
		{"bigint", MCType{Name: MCBigint}, "BIGINT", false},
		{"float", MCType{Name: MCFloat}, "FLOAT", false},
		{"double", MCType{Name: MCDouble}, "DOUBLE", false},
		{"decimal", MCType{Name: MCDecimal, Precision: 38, Scale: 18}, "DECIMAL(38,18)", false},
		{"decimal(10)", MCType{Name: MCDecimal, Precision: 10}, "DECIMAL(10,0)", false},
		{"DECIMAL( 15 , 2 )", MCType{Name: MCDecimal, Precision: 15, Scale: 2}, "DECIMAL(15,2)", false},
		{"decimal(38,18)", MCType{Name: MCDecimal, Precision: 38, Scale: 18}, "DECIMAL(38,18)", false},
		{"varchar(1)", MCType{Name: MCVarchar, Length: 1}, "VARCHAR(1)", false},
		{"varchar(65535)", MCType{Name: MCVarchar, Length: 65535}, "VARCHAR(65535)", false},
		{"char(255)", MCType{Name: MCChar, Length: 255}, "CHAR(255)", false},
		{"string", str, "STRING", false},
		{"binary", MCType{Name: MCBinary}, "BINARY", false},
		{"date", MCType{Name: MCDate}, "DATE", false},
		{"datetime", MCType{Name: MCDatetime}, "DATETIME", false},
		{"timestamp", MCType{Name: MCTimestamp}, "TIMESTAMP", false},
		{"timestamp_ntz", MCType{Name: MCTimestampNTZ}, "TIMESTAMP_NTZ", true},
		{"boolean", MCType{Name: MCBoolean}, "BOOLEAN", false},
		{"json", MCType{Name: MCJSON}, "JSON", true},
		{"array<int>", MCType{Name: MCArray, Elem: &intT}, "ARRAY<INT>", false},
		{"ARRAY< ARRAY<string> >", MCType{Name: MCArray, Elem: &MCType{Name: MCArray, Elem: &str}}, "ARRAY<ARRAY<STRING>>", false},
		{"map<string, int>", MCType{Name: MCMap, Key: &str, Value: &intT}, "MAP<STRING,INT>", false},
		{"map<string,json>", MCType{Name: MCMap, Key: &str, Value: &MCType{Name: MCJSON}}, "MAP<STRING,JSON>", true},
		{"struct<a:int, B:string>", MCType{Name: MCStruct, Fields: []MCField{{"a", intT}, {"b", str}}}, "STRUCT<`a`:INT,`b`:STRING>", false},
		{"STRUCT<`x y`:decimal(5,2),`q``t`:timestamp_ntz>", MCType{Name: MCStruct, Fields: []MCField{
			{"x y", MCType{Name: MCDecimal, Precision: 5, Scale: 2}}, {"q`t", MCType{Name: MCTimestampNTZ}}}},
			"STRUCT<`x y`:DECIMAL(5,2),`q``t`:TIMESTAMP_NTZ>", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMaxCompute(tt.in)
			if err != nil {
				t.Fatalf("ParseMaxCompute(%q) error: %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseMaxCompute(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			if s := got.String(); s != tt.canon {
				t.Errorf("String() = %q, want %q", s, tt.canon)
			}
			if got.NeedsStaging() != tt.staged {
				t.Errorf("NeedsStaging() = %v, want %v", got.NeedsStaging(), tt.staged)
			}
			again, err := ParseMaxCompute(got.String())
			if err != nil || !again.Equal(got) || !reflect.DeepEqual(again, got) {
				t.Errorf("round trip of %q = %#v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseMaxComputeErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"NUMBER", `unknown MaxCompute type "NUMBER"`},
		{"integer", `unknown MaxCompute type "integer"`},
		{"", "empty MaxCompute type"},
		{"char(300)", "CHAR length 300 out of range 1-255"},
		{"char(0)", "CHAR length 0 out of range 1-255"},
		{"char", "CHAR needs one length, as in CHAR(10)"},
		{"varchar(65536)", "VARCHAR length 65536 out of range 1-65535"},
		{"varchar(1,2)", "VARCHAR needs one length, as in VARCHAR(10)"},
		{"decimal(39,2)", "DECIMAL precision 39 out of range 1-38"},
		{"decimal(0,0)", "DECIMAL precision 0 out of range 1-38"},
		{"decimal(38,19)", "DECIMAL scale 19 out of range 0-18"},
		{"decimal(5,6)", "DECIMAL scale 6 exceeds precision 5"},
		{"decimal(5,2,1)", "DECIMAL takes a precision and a scale"},
		{"decimal(x)", `DECIMAL argument "x" is not a number`},
		{"int(10)", "INT takes no arguments"},
		{"string extra", `unexpected "extra" after MaxCompute type STRING`},
		{"array<char(300)>", "CHAR length 300 out of range 1-255"},
		{"array<int", `MaxCompute type ARRAY: missing '>'`},
		{"array(int)", `MaxCompute type ARRAY: expected '<', found "(int)"`},
		{"map<string>", `MaxCompute type MAP: expected ',', found ">"`},
		{"struct<a int>", `MaxCompute type STRUCT: expected ':', found "int>"`},
		{"struct<:int>", "MaxCompute type STRUCT: field name missing"},
		{"struct<`a:int>", "MaxCompute type STRUCT: unterminated `quoted` field name"},
		{"array<>", `unknown MaxCompute type ">"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMaxCompute(tt.in)
			if err == nil {
				t.Fatalf("ParseMaxCompute(%q) = %v, want error %q", tt.in, got, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ParseMaxCompute(%q) error:\n got %s\nwant %s", tt.in, err, tt.want)
			}
		})
	}
}

func TestParseMaxComputeExtendedScale(t *testing.T) {
	ext := Options{ExtendedDecimalScale: true}
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{"decimal(38,19)", "DECIMAL(38,19)", ""},
		{"decimal(38,38)", "DECIMAL(38,38)", ""},
		{"decimal", "DECIMAL(38,18)", ""},
		{"decimal(38,39)", "", "DECIMAL scale 39 out of range 0-38"},
		{"decimal(20,21)", "", "DECIMAL scale 21 exceeds precision 20"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ext.ParseMaxCompute(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
