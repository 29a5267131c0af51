package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// bigFile is a state with enough resources for decodeLayout to use every
// worker.
func bigFile(n int) *File {
	f := New("1.2.3", "lineage-1")
	f.Serial = 42
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		addr := fmt.Sprintf("migration.m.table.main.t%06d.load", i)
		f.Resources[addr] = &Resource{
			Addr: addr, Kind: "load", Status: StatusDone, Fingerprint: fmt.Sprintf("%032x", i),
			Generation: "g1", Observed: map[string]string{"rows": fmt.Sprint(i)},
			Output:    json.RawMessage(fmt.Sprintf(`{"rows":%d,"statements":["INSERT INTO t SELECT 1"]}`, i)),
			StartedAt: at, UpdatedAt: at.Add(time.Second),
		}
	}
	return f
}

func TestDecodeLayoutMatchesGeneralPath(t *testing.T) {
	for _, n := range []int{1, 2, 300, 1001} {
		data, err := Marshal(bigFile(n))
		if err != nil {
			t.Fatal(err)
		}
		fast, ok := decodeLayout(data)
		if !ok {
			t.Fatalf("%d resources: the layout Marshal writes was not decoded by the fast path", n)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(data, &top); err != nil {
			t.Fatal(err)
		}
		general, err := decodeV1(header{Version: Version, FerryVersion: "1.2.3"}, top)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(general, fast); diff != "" {
			t.Fatalf("%d resources: fast path differs from the general path (-general +fast):\n%s", n, diff)
		}
	}
}

// Any deviation from the written layout falls back to the general path,
// so errors and hand-edited files behave exactly as before (the last two
// cases are valid JSON the general path accepts).
func TestDecodeLayoutFallsBack(t *testing.T) {
	data, err := Marshal(bigFile(400))
	if err != nil {
		t.Fatal(err)
	}
	line := bytes.Index(data, []byte("t000200.load"))
	cases := map[string][]byte{
		"corrupt line":     append(append(append([]byte{}, data[:line]...), []byte(`x"}}},`)...), data[line:]...),
		"missing comma":    bytes.Replace(data, []byte("},\n    {\"addr\":\"migration.m.table.main.t000300"), []byte("}\n    {\"addr\":\"migration.m.table.main.t000300"), 1),
		"indented":         bytes.Replace(data, []byte("\n    {"), []byte("\n      {"), 1),
		"duplicate":        bytes.Replace(data, []byte("t000011.load"), []byte("t000010.load"), 1),
		"newer version":    bytes.Replace(data, []byte(`"version": 1,`), []byte(`"version": 2,`), 1),
		"two on one line":  bytes.Replace(data, []byte("},\n    {\"addr\":\"migration.m.table.main.t000005"), []byte("}, {\"addr\":\"migration.m.table.main.t000005"), 1),
		"trailing garbage": append(append([]byte{}, data...), "x\n"...),
	}
	for name, in := range cases {
		if _, ok := decodeLayout(in); ok {
			t.Errorf("%s: decoded by the fast path; want the general path", name)
		}
		if _, err := ReadBytes(in); err == nil && name != "indented" && name != "two on one line" {
			t.Errorf("%s: ReadBytes accepted it", name)
		} else if err != nil && !strings.Contains(err.Error(), "state") {
			t.Errorf("%s: error %q does not say it is about the state", name, err)
		}
	}
}

func TestSpaced(t *testing.T) {
	for in, want := range map[string]bool{
		`{"a":1}`:               false,
		`{"s":"x y\n"}`:         false,
		`{"s":"q\" y"}`:         false,
		`{"s":"back\\"}`:        false,
		`{"s":"back\\", "t":1}`: true,
		`{"a": 1}`:              true,
		"{\"a\":1\n}":           true,
		`["x y",	1]`:            true,
		`{"s":"tab	in string"}`: false,
	} {
		if got := spaced([]byte(in)); got != want {
			t.Errorf("spaced(%s) = %v, want %v", in, got, want)
		}
	}
}

// A hand-edited output with blanks is still compacted on read, so a
// decoded state equals the one it writes back.
func TestReadCompactsHandEditedOutput(t *testing.T) {
	in := `{"version": 1, "lineage": "l", "serial": 1, "resources": [
  {"addr": "a.b", "kind": "load", "status": "done", "fingerprint": "f",
   "output": {"rows": 2, "statements": ["INSERT INTO t SELECT 1"]}}]}`
	f, err := ReadBytes([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(f.Resources["a.b"].Output), `{"rows":2,"statements":["INSERT INTO t SELECT 1"]}`; got != want {
		t.Fatalf("output = %s, want %s", got, want)
	}
}

// Saving reuses the lines of unchanged resources, and still writes what
// Marshal writes after any kind of change.
func TestSaveReusesLinesAndMatchesMarshal(t *testing.T) {
	fs := NewFilesystem(t.TempDir() + "/s.json")
	f := bigFile(300)
	check := func(step string) {
		t.Helper()
		if err := fs.Save(f); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(fs.Path())
		if err != nil {
			t.Fatal(err)
		}
		want, err := Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: saved bytes differ from Marshal", step)
		}
	}
	check("first save")
	r := f.Resources["migration.m.table.main.t000007.load"]
	r.Status = StatusRunning
	check("status")
	r.Observed["rows"] = "99"
	check("observed map changed in place")
	r.Output = json.RawMessage(`{"rows":99}`)
	check("output")
	r.UpdatedAt = r.UpdatedAt.Add(time.Second)
	check("time")
	delete(f.Resources, "migration.m.table.main.t000008.load")
	check("removed")
	f.Resources["migration.m.table.main.t000008.load"] = &Resource{Addr: "migration.m.table.main.t000008.load", Kind: "load", Status: StatusDone}
	check("added back")
	if n := len(fs.lines.m); n != 300 {
		t.Fatalf("cache holds %d lines, want 300", n)
	}
}
