package dag

import "testing"

// small is the graph the rendering tests draw: two tables, one whose name
// needs escaping, and a report depending on both loads.
func small() *Graph {
	g := New()
	g.Connect("load.sales.orders", "unload.sales.orders")
	g.Connect(`load."odd"`, `unload."odd"`)
	g.Connect("report", "load.sales.orders")
	g.Connect("report", `load."odd"`)
	return g
}

func TestRenderings(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{
			name: "String",
			got:  small().String(),
			want: `load."odd"
  unload."odd"
load.sales.orders
  unload.sales.orders
report
  load."odd"
  load.sales.orders
unload."odd"
unload.sales.orders
`,
		},
		{
			name: "Dot",
			got:  small().Dot(),
			want: `digraph {
	rankdir=LR;
	"load.\"odd\"";
	"load.sales.orders";
	"report";
	"unload.\"odd\"";
	"unload.sales.orders";
	"load.\"odd\"" -> "report";
	"load.sales.orders" -> "report";
	"unload.\"odd\"" -> "load.\"odd\"";
	"unload.sales.orders" -> "load.sales.orders";
}
`,
		},
		{
			name: "Mermaid",
			got:  small().Mermaid(),
			want: `flowchart LR
    load__odd_["load.#quot;odd#quot;"]
    load_sales_orders["load.sales.orders"]
    report["report"]
    unload__odd_["unload.#quot;odd#quot;"]
    unload_sales_orders["unload.sales.orders"]
    load__odd_ --> report
    load_sales_orders --> report
    unload__odd_ --> load__odd_
    unload_sales_orders --> load_sales_orders
`,
		},
		{
			name: "empty Dot",
			got:  New().Dot(),
			want: "digraph {\n\trankdir=LR;\n}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", tt.got, tt.want)
			}
		})
	}
}

func TestMermaidIDs(t *testing.T) {
	names := []string{"", "1st", "END", "a.b", "a_b", "a_b_2", "end", "s3://bucket", "table·ü"}
	want := map[string]string{
		"":            "v_",
		"1st":         "v_1st",
		"END":         "v_END",
		"a.b":         "a_b",
		"a_b":         "a_b_2",
		"a_b_2":       "a_b_2_2",
		"end":         "v_end",
		"s3://bucket": "s3___bucket",
		"table·ü":     "table__",
	}
	got := mermaidIDs(names)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			if got[n] != want[n] {
				t.Errorf("id = %q, want %q", got[n], want[n])
			}
		})
	}
}
