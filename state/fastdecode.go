package state

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strconv"
	"sync"
)

// decodeLayout decodes a state file in exactly the layout Marshal writes —
// the header fields one per line, then one compact resource per line —
// decoding the resource lines in parallel. At tens of thousands of
// resources this is most of a -refresh=false plan, and the lines are
// independent. ok is false when the bytes deviate from that layout in any
// way (hand-edited, older, corrupt, another version); ReadBytes then takes
// the general path, which also gives the error messages.
func decodeLayout(data []byte) (f *File, ok bool) {
	lines := bytes.Split(data, []byte("\n"))
	// "{", four header lines, the resources opener, …, "  ]", "}", "".
	if len(lines) < 9 || string(lines[0]) != "{" {
		return nil, false
	}
	var fj fileJSON
	for i, key := range []string{"version", "ferry_version", "lineage", "serial"} {
		v, found := bytes.CutPrefix(lines[1+i], []byte(`  "`+key+`": `))
		if !found {
			return nil, false
		}
		v, found = bytes.CutSuffix(v, []byte(","))
		if !found {
			return nil, false
		}
		var err error
		switch key {
		case "version":
			fj.Version, err = strconv.Atoi(string(v))
		case "serial":
			fj.Serial, err = strconv.ParseUint(string(v), 10, 64)
		case "ferry_version":
			err = json.Unmarshal(v, &fj.FerryVersion)
		case "lineage":
			err = json.Unmarshal(v, &fj.Lineage)
		}
		if err != nil {
			return nil, false
		}
	}
	if fj.Version != Version {
		return nil, false
	}
	// An empty state closes "]" on the opener's line; the general path is
	// fast enough for it.
	if len(lines) < 9 || string(lines[5]) != `  "resources": [` {
		return nil, false
	}
	tail := lines[len(lines)-3:]
	if string(tail[0]) != "  ]" || string(tail[1]) != "}" || len(tail[2]) != 0 {
		return nil, false
	}
	body := lines[6 : len(lines)-3]
	rs := make([]*Resource, len(body))
	workers := runtime.GOMAXPROCS(0)
	if workers > 8 {
		workers = 8
	}
	if len(body) < 256 {
		workers = 1
	}
	var failed bool
	var mu sync.Mutex
	var wg sync.WaitGroup
	chunk := (len(body) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(body))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			var in interner
			for i := lo; i < hi; i++ {
				line, ok := bytes.CutPrefix(body[i], []byte("    "))
				if ok && i < len(body)-1 {
					line, ok = bytes.CutSuffix(line, []byte(","))
				}
				if !ok || len(line) == 0 || line[0] != '{' {
					mu.Lock()
					failed = true
					mu.Unlock()
					return
				}
				r := new(Resource)
				if err := json.Unmarshal(line, r); err != nil {
					mu.Lock()
					failed = true
					mu.Unlock()
					return
				}
				in.resource(r)
				rs[i] = r
			}
		}(lo, hi)
	}
	wg.Wait()
	if failed {
		return nil, false
	}
	for _, r := range rs {
		if r == nil {
			return nil, false
		}
	}
	fj.Resources = rs
	f, err := resourcesOf(fj)
	if err != nil {
		return nil, false
	}
	return f, true
}

// interner shares the strings that repeat across resources — kinds,
// statuses, a table's generation, the observed facts' names — so that a
// state of 50,000 resources does not hold 50,000 copies of "done".
// Observed values (row counts, sizes) are mostly unique and stay as
// decoded.
type interner map[string]string

func (in *interner) str(s string) string {
	if len(s) > 64 {
		return s
	}
	if *in == nil {
		*in = map[string]string{}
	}
	if v, ok := (*in)[s]; ok {
		return v
	}
	(*in)[s] = s
	return s
}

// resource interns r's repeating strings in place.
func (in *interner) resource(r *Resource) {
	r.Kind = in.str(r.Kind)
	r.Status = Status(in.str(string(r.Status)))
	r.Generation = in.str(r.Generation)
	if len(r.Observed) > 0 {
		o := make(map[string]string, len(r.Observed))
		for k, v := range r.Observed {
			o[in.str(k)] = v
		}
		r.Observed = o
	}
}
