package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sampleFile() *File {
	f := New("0.3.0", "5f0c3a52-8a43-4b8e-9a57-6c1f1e7b2d10")
	f.Serial = 7
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	f.Resources["unload.sales"] = &Resource{
		Addr: "unload.sales", Kind: "unload", Status: StatusDone, Fingerprint: "abc",
		Generation: "g1", Observed: map[string]string{"rows": "10", "bytes": "2048"},
		Output: json.RawMessage(`{"files":3}`), StartedAt: t0, UpdatedAt: t0.Add(time.Minute),
	}
	f.Resources["load.sales"] = &Resource{
		Addr: "load.sales", Kind: "load", Status: StatusTainted, Fingerprint: "def",
		Error: "ODPS-0130071: boom", StartedAt: t0, UpdatedAt: t0.Add(2 * time.Minute),
	}
	return f
}

const sampleJSON = `{
  "version": 1,
  "ferry_version": "0.3.0",
  "lineage": "5f0c3a52-8a43-4b8e-9a57-6c1f1e7b2d10",
  "serial": 7,
  "resources": [
    {"addr":"load.sales","kind":"load","status":"tainted","fingerprint":"def","error":"ODPS-0130071: boom","started_at":"2026-03-01T10:00:00Z","updated_at":"2026-03-01T10:02:00Z"},
    {"addr":"unload.sales","kind":"unload","status":"done","fingerprint":"abc","generation":"g1","observed":{"bytes":"2048","rows":"10"},"output":{"files":3},"started_at":"2026-03-01T10:00:00Z","updated_at":"2026-03-01T10:01:00Z"}
  ]
}
`

func TestWriteExactBytes(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sampleFile()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sampleJSON, buf.String()); diff != "" {
		t.Errorf("Write output (-want +got):\n%s", diff)
	}
}

func TestWriteDeterministic(t *testing.T) {
	// Maps iterate in random order; many writes of equal content built in
	// different insertion orders must give the same bytes.
	want, err := Marshal(sampleFile())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		f := New("0.3.0", "l")
		for j := 0; j < 20; j++ {
			k := (j*7 + i) % 20
			addr := "copy.t" + string(rune('a'+k))
			f.Resources[addr] = &Resource{Addr: addr, Observed: map[string]string{"a": "1", "b": "2", "c": "3"}}
		}
		g := New("0.3.0", "l")
		for _, a := range f.Addrs() {
			g.Resources[a] = f.Resources[a]
		}
		b1, _ := Marshal(f)
		b2, _ := Marshal(g)
		if !bytes.Equal(b1, b2) {
			t.Fatalf("same content, different bytes:\n%s\n%s", b1, b2)
		}
	}
	again, _ := Marshal(sampleFile())
	if !bytes.Equal(want, again) {
		t.Fatal("two writes of the sample differ")
	}
}

func TestReadRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   *File
	}{
		{"sample", sampleFile()},
		{"empty", New("0.1.0", "lin")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.in); err != nil {
				t.Fatal(err)
			}
			got, err := Read(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.in, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadNullResources(t *testing.T) {
	got, err := Read(strings.NewReader(`{"version":1,"lineage":"x","serial":2}`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Resources == nil || len(got.Resources) != 0 || got.Serial != 2 || got.Lineage != "x" {
		t.Fatalf("got %+v", got)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		corrupt bool // wraps a decoding error
	}{
		{"empty", "", "state file is corrupt: unexpected end of JSON input", true},
		{"truncated", sampleJSON[:120], "state file is corrupt: unexpected end of JSON input", true},
		{"garbage", "PK\x03\x04 not json", "state file is corrupt: invalid character 'P' looking for beginning of value", true},
		{"array", "[1,2]", "state file is corrupt: json: cannot unmarshal array into Go value of type state.header", true},
		{"string version", `{"version":"1"}`, "state file is corrupt: json: cannot unmarshal string into Go struct field header.version of type int", true},
		{"bad resources", `{"version":1,"resources":{"a":{}}}`, "state file is corrupt: json: cannot unmarshal object into Go value of type []*state.Resource", true},
		{"duplicate addr", `{"version":1,"resources":[{"addr":"a.b"},{"addr":"a.b"}]}`, `state file is corrupt: duplicate resource "a.b"`, true},
		{"missing addr", `{"version":1,"resources":[{"kind":"load"}]}`, `state file is corrupt: resource 0 has no addr`, true},
		{"newer", `{"version":2,"ferry_version":"1.4.0","resources":{"new":"shape"}}`,
			"state file was written by ferry 1.4.0 (format version 2); this ferry (format version 1) cannot read it — upgrade ferry", false},
		{"newer no ferry version", `{"version":9}`,
			"state file was written by ferry (unknown version) (format version 9); this ferry (format version 1) cannot read it — upgrade ferry", false},
		{"missing version", `{"serial":3}`, "unsupported state format version 0", false},
		{"zero version", `{"version":0}`, "unsupported state format version 0", false},
		{"negative version", `{"version":-1}`, "unsupported state format version -1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Read(strings.NewReader(tt.in))
			if f != nil {
				t.Errorf("got a file: %+v", f)
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not *Error", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
			if se.Hint == "" {
				t.Error("no hint")
			}
			if (se.Err != nil) != tt.corrupt {
				t.Errorf("wrapped error = %v, want wrapped: %v", se.Err, tt.corrupt)
			}
		})
	}
}

func TestWriteRejectsInconsistentFile(t *testing.T) {
	tests := []struct {
		name string
		f    *File
		want string
	}{
		{"nil", nil, "write state: nil file"},
		{"nil resource", &File{Version: 1, Resources: map[string]*Resource{"a": nil}}, `write state: resource "a" is nil`},
		{"addr mismatch", &File{Version: 1, Resources: map[string]*Resource{"a": {Addr: "b"}}}, `write state: resource stored under "a" has addr "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, tt.f)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v, want %s", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes on error", buf.Len())
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(sampleJSON))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		// Whatever Read accepts, Write must encode and Read accept again
		// unchanged.
		out, err := Marshal(st)
		if err != nil {
			t.Fatalf("Marshal after Read: %v", err)
		}
		again, err := Read(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("Read after Marshal: %v", err)
		}
		out2, _ := Marshal(again)
		if !bytes.Equal(out, out2) {
			t.Fatalf("not stable:\n%s\n%s", out, out2)
		}
	})
}
