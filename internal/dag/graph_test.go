package dag

import (
	"reflect"
	"testing"
)

// migration builds the graph of a two-table migration used by several tests:
// each table is unloaded, staged, loaded and verified, and a final report
// depends on both verifications.
func migration() *Graph {
	g := New()
	for _, t := range []string{"orders", "users"} {
		g.Connect("stage."+t, "unload."+t)
		g.Connect("load."+t, "stage."+t)
		g.Connect("verify."+t, "load."+t)
		g.Connect("report", "verify."+t)
	}
	return g
}

func TestGraphQueries(t *testing.T) {
	g := migration()
	g.Add("lonely")
	g.Add("lonely") // adding twice is harmless
	g.Connect("load.orders", "stage.orders")

	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"Vertices", g.Vertices(), []string{
			"load.orders", "load.users", "lonely", "report", "stage.orders",
			"stage.users", "unload.orders", "unload.users", "verify.orders", "verify.users",
		}},
		{"DependenciesOf report", g.DependenciesOf("report"), []string{"verify.orders", "verify.users"}},
		{"DependenciesOf load.orders", g.DependenciesOf("load.orders"), []string{"stage.orders"}},
		{"DependenciesOf root", g.DependenciesOf("unload.orders"), nil},
		{"DependenciesOf unknown", g.DependenciesOf("nope"), nil},
		{"DependentsOf stage.users", g.DependentsOf("stage.users"), []string{"load.users"}},
		{"DependentsOf report", g.DependentsOf("report"), nil},
		{"DependentsOf unknown", g.DependentsOf("nope"), nil},
		{"Ancestors report", g.Ancestors("report"), []string{
			"load.orders", "load.users", "stage.orders", "stage.users",
			"unload.orders", "unload.users", "verify.orders", "verify.users",
		}},
		{"Ancestors load.users", g.Ancestors("load.users"), []string{"stage.users", "unload.users"}},
		{"Ancestors unknown", g.Ancestors("nope"), nil},
		{"Descendants stage.orders", g.Descendants("stage.orders"), []string{"load.orders", "report", "verify.orders"}},
		{"Descendants lonely", g.Descendants("lonely"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestGraphHasAndAlwaysRun(t *testing.T) {
	g := New()
	g.Connect("b", "a")
	g.AlwaysRun("cleanup")

	tests := []struct {
		name       string
		has, isAlw bool
	}{
		{"a", true, false},
		{"b", true, false},
		{"cleanup", true, true},
		{"missing", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := g.Has(tt.name); got != tt.has {
				t.Errorf("Has = %v, want %v", got, tt.has)
			}
			if got := g.IsAlwaysRun(tt.name); got != tt.isAlw {
				t.Errorf("IsAlwaysRun = %v, want %v", got, tt.isAlw)
			}
		})
	}
	if g.Len() != 3 {
		t.Errorf("Len = %d, want 3", g.Len())
	}
}

func TestDescendantsOnCycleExcludesStart(t *testing.T) {
	g := New()
	g.Connect("a", "b")
	g.Connect("b", "a")
	if got, want := g.Descendants("a"), []string{"b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Descendants = %q, want %q", got, want)
	}
	if got, want := g.Ancestors("b"), []string{"a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Ancestors = %q, want %q", got, want)
	}
}

func TestTransitiveReduction(t *testing.T) {
	tests := []struct {
		name  string
		edges [][2]string // dependent, dependency
		want  string      // String() after reduction
	}{
		{
			name:  "shortcut removed",
			edges: [][2]string{{"c", "b"}, {"b", "a"}, {"c", "a"}},
			want:  "a\nb\n  a\nc\n  b\n",
		},
		{
			name: "diamond keeps both branches, drops long shortcut",
			edges: [][2]string{
				{"b", "a"}, {"c", "a"}, {"d", "b"}, {"d", "c"}, {"d", "a"},
			},
			want: "a\nb\n  a\nc\n  a\nd\n  b\n  c\n",
		},
		{
			name:  "nothing to remove",
			edges: [][2]string{{"b", "a"}, {"c", "a"}},
			want:  "a\nb\n  a\nc\n  a\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := New()
			for _, e := range tt.edges {
				g.Connect(e[0], e[1])
			}
			if err := g.TransitiveReduction(); err != nil {
				t.Fatalf("TransitiveReduction: %v", err)
			}
			if got := g.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestTransitiveReductionRefusesCycle(t *testing.T) {
	g := New()
	g.Connect("a", "b")
	g.Connect("b", "a")
	g.Connect("a", "c")
	err := g.TransitiveReduction()
	if got, want := errString(err), "dependency cycle: a -> b -> a"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if got, want := g.String(), "a\n  b\n  c\nb\n  a\nc\n"; got != want {
		t.Errorf("graph changed:\n%s", got)
	}
}

func TestDisconnect(t *testing.T) {
	g := New()
	g.Connect("b", "a")
	g.Disconnect("b", "a")
	g.Disconnect("x", "y") // unknown vertices are ignored
	if got, want := g.String(), "a\nb\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if g.Has("x") || g.Has("y") {
		t.Error("Disconnect added vertices")
	}
}

// errString returns err's message, or "<nil>".
func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
