package dag

import (
	"errors"
	"reflect"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		edges  [][2]string // dependent, dependency
		want   string
		cycles [][]string
	}{
		{
			name:  "acyclic",
			edges: [][2]string{{"b", "a"}, {"c", "b"}, {"c", "a"}},
			want:  "<nil>",
		},
		{
			name:   "self edge",
			edges:  [][2]string{{"a", "a"}, {"b", "a"}},
			want:   "dependency cycle: a -> a",
			cycles: [][]string{{"a"}},
		},
		{
			name:   "rotated to smallest name",
			edges:  [][2]string{{"c", "a"}, {"b", "c"}, {"a", "b"}},
			want:   "dependency cycle: a -> b -> c -> a",
			cycles: [][]string{{"a", "b", "c"}},
		},
		{
			name:   "direction follows dependencies",
			edges:  [][2]string{{"a", "c"}, {"c", "b"}, {"b", "a"}},
			want:   "dependency cycle: a -> c -> b -> a",
			cycles: [][]string{{"a", "c", "b"}},
		},
		{
			name: "two cycles sorted, acyclic part ignored",
			edges: [][2]string{
				{"y", "z"}, {"z", "x"}, {"x", "y"},
				{"q", "p"}, {"p", "q"},
				{"p", "root"}, {"leaf", "x"},
			},
			want:   "dependency cycle: p -> q -> p\ndependency cycle: x -> y -> z -> x",
			cycles: [][]string{{"p", "q"}, {"x", "y", "z"}},
		},
		{
			name: "component reported by shortest cycle through smallest",
			edges: [][2]string{
				{"a", "b"}, {"b", "c"}, {"c", "d"}, {"d", "a"},
				{"b", "d"},
			},
			want:   "dependency cycle: a -> b -> d -> a",
			cycles: [][]string{{"a", "b", "d"}},
		},
		{
			name:   "self edge inside larger cycle",
			edges:  [][2]string{{"a", "a"}, {"a", "b"}, {"b", "a"}},
			want:   "dependency cycle: a -> a\ndependency cycle: a -> b -> a",
			cycles: [][]string{{"a"}, {"a", "b"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := New()
			for _, e := range tt.edges {
				g.Connect(e[0], e[1])
			}
			err := g.Validate()
			if got := errString(err); got != tt.want {
				t.Fatalf("Validate() =\n%s\nwant\n%s", got, tt.want)
			}
			if err == nil {
				return
			}
			var ce *CycleError
			if !errors.As(err, &ce) {
				t.Fatalf("error is %T, want *CycleError", err)
			}
			if !reflect.DeepEqual(ce.Cycles, tt.cycles) {
				t.Errorf("Cycles = %q, want %q", ce.Cycles, tt.cycles)
			}
		})
	}
}

func TestTopologicalOrder(t *testing.T) {
	tests := []struct {
		name  string
		setup func(g *Graph)
		want  []string
		err   string
	}{
		{
			name:  "empty",
			setup: func(*Graph) {},
			want:  []string{},
			err:   "<nil>",
		},
		{
			name: "independent vertices by name",
			setup: func(g *Graph) {
				g.Add("c")
				g.Add("a")
				g.Add("b")
			},
			want: []string{"a", "b", "c"},
			err:  "<nil>",
		},
		{
			name: "dependencies before names",
			setup: func(g *Graph) {
				g.Connect("a", "z")
				g.Connect("b", "y")
				g.Connect("y", "x")
			},
			want: []string{"x", "y", "b", "z", "a"},
			err:  "<nil>",
		},
		{
			name:  "migration",
			setup: func(g *Graph) { *g = *migration() },
			want: []string{
				"unload.orders", "stage.orders", "load.orders", "unload.users",
				"stage.users", "load.users", "verify.orders", "verify.users", "report",
			},
			err: "<nil>",
		},
		{
			name: "cycle",
			setup: func(g *Graph) {
				g.Connect("b", "a")
				g.Connect("a", "b")
				g.Add("c")
			},
			want: nil,
			err:  "dependency cycle: a -> b -> a",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := New()
			tt.setup(g)
			got, err := g.TopologicalOrder()
			if e := errString(err); e != tt.err {
				t.Errorf("error = %q, want %q", e, tt.err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("order = %q, want %q", got, tt.want)
			}
		})
	}
}
