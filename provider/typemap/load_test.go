package typemap

import "testing"

func TestDirectLoad(t *testing.T) {
	tests := []struct {
		file, table string
		want        bool
	}{
		{"INT", "INT", true},
		{"BIGINT", "BIGINT", true},
		{"INT", "BIGINT", false},
		{"BIGINT", "INT", false},
		{"SMALLINT", "INT", false},
		{"FLOAT", "DOUBLE", false},
		{"DECIMAL(15,2)", "DECIMAL(15,2)", true},
		{"DECIMAL(15,2)", "DECIMAL(16,2)", false},
		{"DECIMAL(15,2)", "DECIMAL(15,3)", false},
		{"STRING", "STRING", true},
		{"STRING", "VARCHAR(44)", true},
		{"STRING", "CHAR(10)", true},
		{"VARCHAR(44)", "STRING", false},
		{"CHAR(10)", "CHAR(10)", true},
		{"CHAR(10)", "CHAR(11)", false},
		{"STRING", "INT", false},
		{"INT", "STRING", false},
		{"STRING", "DATE", false},
		{"STRING", "BINARY", false},
		{"DATE", "DATE", true},
		{"TIMESTAMP", "TIMESTAMP", true},
		{"TIMESTAMP", "DATETIME", false},
		{"TIMESTAMP_NTZ", "TIMESTAMP_NTZ", false},
		{"STRING", "TIMESTAMP_NTZ", false},
		{"JSON", "JSON", false},
		{"STRING", "JSON", false},
		{"ARRAY<INT>", "ARRAY<INT>", true},
		{"ARRAY<INT>", "ARRAY<BIGINT>", false},
		{"MAP<STRING,JSON>", "MAP<STRING,JSON>", false},
		{"BOOLEAN", "BOOLEAN", true},
	}
	for _, tt := range tests {
		t.Run(tt.file+"->"+tt.table, func(t *testing.T) {
			if got := DirectLoad(mustMC(t, tt.file), mustMC(t, tt.table)); got != tt.want {
				t.Errorf("DirectLoad(%s, %s) = %v, want %v", tt.file, tt.table, got, tt.want)
			}
		})
	}
	if DirectLoad(MCType{}, MCType{}) {
		t.Error("DirectLoad of zero types = true, want false")
	}
}

func TestCastLoad(t *testing.T) {
	tests := []struct {
		file, table string
		want        string // "" means the route works
	}{
		{"INT", "INT", ""},
		{"TINYINT", "SMALLINT", ""},
		{"SMALLINT", "INT", ""},
		{"INT", "BIGINT", ""},
		{"TINYINT", "BIGINT", ""},
		{"BIGINT", "INT", "INT cannot hold BIGINT values"},
		{"INT", "SMALLINT", "SMALLINT cannot hold INT values"},
		{"SMALLINT", "FLOAT", ""},
		{"INT", "FLOAT", "FLOAT cannot hold INT values exactly"},
		{"INT", "DOUBLE", ""},
		{"BIGINT", "DOUBLE", "DOUBLE cannot hold BIGINT values exactly"},
		{"INT", "DECIMAL(10,0)", ""},
		{"INT", "DECIMAL(12,3)", "DECIMAL(12,3) cannot hold INT values"},
		{"BIGINT", "DECIMAL(19,0)", ""},
		{"BIGINT", "DECIMAL(38,19)", ""},
		{"BIGINT", "DECIMAL(38,20)", "DECIMAL(38,20) cannot hold BIGINT values"},
		{"BIGINT", "DECIMAL(18,0)", "DECIMAL(18,0) cannot hold BIGINT values"},
		{"FLOAT", "DOUBLE", ""},
		{"DOUBLE", "FLOAT", "cannot CAST DOUBLE to FLOAT in the staging route"},
		{"DECIMAL(15,2)", "DECIMAL(15,2)", ""},
		{"DECIMAL(15,2)", "DECIMAL(17,4)", ""},
		{"DECIMAL(15,2)", "DECIMAL(38,18)", ""},
		{"DECIMAL(15,2)", "DECIMAL(10,2)", "DECIMAL(10,2) cannot hold DECIMAL(15,2) values"},
		{"DECIMAL(15,2)", "DECIMAL(15,4)", "DECIMAL(15,4) cannot hold DECIMAL(15,2) values"},
		{"DECIMAL(15,4)", "DECIMAL(13,2)", ""},
		{"DECIMAL(15,2)", "DOUBLE", "cannot CAST DECIMAL(15,2) to DOUBLE in the staging route"},
		{"INT", "STRING", ""},
		{"DECIMAL(15,2)", "STRING", ""},
		{"TIMESTAMP", "STRING", ""},
		{"BINARY", "STRING", ""},
		{"BOOLEAN", "STRING", ""},
		{"ARRAY<INT>", "STRING", "cannot CAST ARRAY<INT> to STRING in the staging route"},
		{"ARRAY<INT>", "ARRAY<INT>", ""},
		{"STRING", "DATE", ""},
		{"STRING", "DATETIME", ""},
		{"STRING", "TIMESTAMP", ""},
		{"STRING", "TIMESTAMP_NTZ", ""},
		{"STRING", "DECIMAL(38,18)", ""},
		{"STRING", "BIGINT", ""},
		{"STRING", "INT", ""},
		{"STRING", "DOUBLE", ""},
		{"STRING", "VARCHAR(10)", ""},
		{"STRING", "CHAR(3)", ""},
		{"STRING", "BOOLEAN", "cannot CAST STRING to BOOLEAN in the staging route"},
		{"STRING", "BINARY", "cannot CAST STRING to BINARY in the staging route"},
		{"STRING", "JSON", "cannot CAST STRING to JSON; MaxCompute builds JSON values with JSON_PARSE"},
		{"STRING", "ARRAY<STRING>", "cannot CAST STRING to ARRAY<STRING> in the staging route"},
		{"DATE", "TIMESTAMP", "cannot CAST DATE to TIMESTAMP in the staging route"},
		{"TIMESTAMP", "TIMESTAMP_NTZ", "cannot CAST TIMESTAMP to TIMESTAMP_NTZ in the staging route"},
		{"INT", "DATE", "cannot CAST INT to DATE in the staging route"},
		{"TIMESTAMP_NTZ", "STRING", "TIMESTAMP_NTZ cannot be read from Parquet, so it cannot be the staging type"},
		{"JSON", "JSON", "JSON cannot be read from Parquet, so it cannot be the staging type"},
	}
	for _, tt := range tests {
		t.Run(tt.file+"->"+tt.table, func(t *testing.T) {
			err := CastLoad(mustMC(t, tt.file), mustMC(t, tt.table))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("CastLoad(%s, %s) = %q, want %q", tt.file, tt.table, got, tt.want)
			}
		})
	}
}
