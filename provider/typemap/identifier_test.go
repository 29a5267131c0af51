package typemap

import (
	"strings"
	"testing"
)

func TestTableName(t *testing.T) {
	long := "t" + strings.Repeat("a", 128)
	tests := []struct {
		in, want, wantErr string
	}{
		{"orders", "orders", ""},
		{"Orders", "orders", ""},
		{"LINEITEM_2024", "lineitem_2024", ""},
		{"a", "a", ""},
		{strings.Repeat("a", 128), strings.Repeat("a", 128), ""},
		{"my-table", "", `table name "my-table": MaxCompute table names may contain only letters, digits and _ and must start with a letter; set name = "..." in the table block`},
		{"_staging", "", `table name "_staging": MaxCompute table names may contain only letters, digits and _ and must start with a letter; set name = "..." in the table block`},
		{"2024_sales", "", `table name "2024_sales": MaxCompute table names may contain only letters, digits and _ and must start with a letter; set name = "..." in the table block`},
		{"sales$2024", "", `table name "sales$2024": MaxCompute table names may contain only letters, digits and _ and must start with a letter; set name = "..." in the table block`},
		{"订单", "", `table name "订单": MaxCompute table names may contain only letters, digits and _ and must start with a letter; set name = "..." in the table block`},
		{"", "", `table name "": MaxCompute table names may contain only letters, digits and _ and must start with a letter; set name = "..." in the table block`},
		{long, "", `table name "` + long + `": MaxCompute table names are at most 128 bytes, this one is 129; set name = "..." in the table block`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := TableName(tt.in)
			checkName(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestColumnName(t *testing.T) {
	han := strings.Repeat("订", 43) // 129 bytes
	tests := []struct {
		in, want, wantErr string
	}{
		{"l_orderkey", "l_orderkey", ""},
		{"L_OrderKey", "l_orderkey", ""},
		{"_id", "_id", ""},
		{"2nd", "2nd", ""},
		{"订单号", "订单号", ""},
		{"Price订单", "price订单", ""},
		{strings.Repeat("订", 42), strings.Repeat("订", 42), ""},
		{"unit price", "", `column name "unit price": MaxCompute column names may contain only letters, digits, _ and Chinese characters; set rename = "..." in a column block`},
		{"amount$", "", `column name "amount$": MaxCompute column names may contain only letters, digits, _ and Chinese characters; set rename = "..." in a column block`},
		{"café", "", `column name "café": MaxCompute column names may contain only letters, digits, _ and Chinese characters; set rename = "..." in a column block`},
		{"", "", `column name "": MaxCompute column names may contain only letters, digits, _ and Chinese characters; set rename = "..." in a column block`},
		{han, "", `column name "` + han + `": MaxCompute column names are at most 128 bytes, this one is 129; set rename = "..." in a column block`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ColumnName(tt.in)
			checkName(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func checkName(t *testing.T, got string, err error, want, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil {
			t.Fatalf("got %q, want error %q", got, wantErr)
		}
		if err.Error() != wantErr {
			t.Fatalf("error:\n got %s\nwant %s", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestIsReserved(t *testing.T) {
	tests := []struct {
		word string
		want bool
	}{
		{"select", true},
		{"SELECT", true},
		{"Partition", true},
		{"lifecycle", true},
		{"timestamp", true},
		{"div", true},
		{"<=", true},
		{"orders", false},
		{"l_comment", false},
		{"timestamp_ntz", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			if got := IsReserved(tt.word); got != tt.want {
				t.Errorf("IsReserved(%q) = %v, want %v", tt.word, got, tt.want)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"orders", "`orders`"},
		{"select", "`select`"},
		{"a`b", "`a``b`"},
		{"``", "``````"},
		{"", "``"},
		{"订单", "`订单`"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Quote(tt.in); got != tt.want {
				t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestDetectCollisions(t *testing.T) {
	tests := []struct {
		name  string
		pairs [][2]string
		want  string
	}{
		{"none", [][2]string{{"a.t", "t"}, {"a.u", "u"}}, ""},
		{"empty", nil, ""},
		{"same pair twice", [][2]string{{"a.t", "t"}, {"a.t", "t"}}, ""},
		{"two sources", [][2]string{{"b.t", "t"}, {"a.t", "t"}, {"a.u", "u"}},
			`tables "a.t" and "b.t" both become "t"; rename one with a table block`},
		{"three sources", [][2]string{{"c.T", "t"}, {"a.t", "t"}, {"b.t", "t"}},
			`tables "a.t", "b.t" and "c.T" all become "t"; rename all but one with a table block`},
		{"two names collide", [][2]string{{"x.v", "v"}, {"a.t", "t"}, {"y.v", "v"}, {"b.t", "t"}},
			"tables \"a.t\" and \"b.t\" both become \"t\"; rename one with a table block\n" +
				"tables \"x.v\" and \"y.v\" both become \"v\"; rename one with a table block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := DetectCollisions(tt.pairs)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("DetectCollisions:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDetectColumnCollisions(t *testing.T) {
	err := DetectColumnCollisions("orders", [][2]string{{"ID", "id"}, {"id", "id"}, {"Name", "name"}})
	want := `columns "ID" and "id" of table "orders" both become "id"; rename one with a column block`
	if err == nil || err.Error() != want {
		t.Errorf("DetectColumnCollisions = %v, want %q", err, want)
	}
	if err := DetectColumnCollisions("orders", [][2]string{{"a", "a"}, {"b", "b"}}); err != nil {
		t.Errorf("DetectColumnCollisions without collisions = %v, want nil", err)
	}
}
