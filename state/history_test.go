package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func rec(addr string) Record {
	return Record{
		PlanID: "plan-1", Addr: addr, Action: "load", Operator: "alice", FerryVersion: "0.3.0",
		Start: time.Date(2026, 2, 3, 4, 5, 6, 700, time.FixedZone("CST", 8*3600)), DurationMS: 1200,
		Bytes: 1 << 20, Rows: 1000, Result: "done",
		Statement: `LOAD OVERWRITE TABLE "x" <from> & 'y'`,
		Details:   json.RawMessage(`{ "files": [1, 2] }`),
	}
}

func writeHistory(t *testing.T, path string, addrs ...string) []Record {
	t.Helper()
	h, err := OpenHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	for _, a := range addrs {
		if err := h.Append(rec(a)); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := ReadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestHistoryAppendChain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.history")
	recs := writeHistory(t, path, "a", "b")
	assertMode(t, path, 0o600)
	// Reopening continues the sequence and the chain.
	recs2 := writeHistory(t, path, "c")
	recs = append(recs, recs2[2])
	if len(recs2) != 3 {
		t.Fatalf("%d records, want 3", len(recs2))
	}
	for i, r := range recs {
		if r.Seq != int64(i+1) {
			t.Errorf("record %d has seq %d", i, r.Seq)
		}
		if len(r.Hash) != 64 {
			t.Errorf("record %d hash %q", i, r.Hash)
		}
		wantPrev := ""
		if i > 0 {
			wantPrev = recs[i-1].Hash
		}
		if r.Prev != wantPrev {
			t.Errorf("record %d prev %q, want %q", i, r.Prev, wantPrev)
		}
	}
	if recs[0].Addr != "a" || recs[2].Addr != "c" || recs[1].Rows != 1000 || string(recs[0].Details) != `{"files":[1,2]}` {
		t.Errorf("records not read back: %+v", recs)
	}
	if err := VerifyChain(recs2); err != nil {
		t.Fatalf("VerifyChain of an intact log: %v", err)
	}
	data := mustRead(t, path)
	if n := bytes.Count(data, []byte("\n")); n != 3 || !bytes.HasSuffix(data, []byte("}\n")) {
		t.Errorf("want 3 JSON lines, got:\n%s", data)
	}
}

func TestHistoryTampering(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(lines []string) []string
		wantAt int64
	}{
		{"edited rows", func(l []string) []string {
			l[1] = strings.Replace(l[1], `"rows":1000`, `"rows":999`, 1)
			return l
		}, 2},
		{"edited result of last", func(l []string) []string {
			l[3] = strings.Replace(l[3], `"result":"done"`, `"result":"tainted"`, 1)
			return l
		}, 4},
		{"deleted middle", func(l []string) []string { return append(l[:1:1], l[2:]...) }, 2},
		{"swapped", func(l []string) []string { l[1], l[2] = l[2], l[1]; return l }, 2},
		{"renumbered after delete", func(l []string) []string {
			out := []string{l[0], l[2]}
			out[1] = strings.Replace(out[1], `"seq":3`, `"seq":2`, 1)
			return out
		}, 2},
		{"first prev forged", func(l []string) []string {
			l[0] = strings.Replace(l[0], `"prev":""`, `"prev":"00"`, 1)
			return l
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ferry.history")
			writeHistory(t, path, "a", "b", "c", "d")
			lines := strings.Split(strings.TrimSuffix(string(mustRead(t, path)), "\n"), "\n")
			edited := tt.edit(lines)
			if strings.Join(edited, "\n") == string(mustRead(t, path)) {
				t.Fatal("edit changed nothing")
			}
			if err := os.WriteFile(path, []byte(strings.Join(edited, "\n")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			recs, err := ReadHistory(path)
			if err != nil {
				t.Fatal(err)
			}
			err = VerifyChain(recs)
			var te *TamperError
			if !errors.As(err, &te) || te.Reason == "" {
				t.Fatalf("err = %v (%T), want *TamperError with a reason", err, err)
			}
			if want := fmt.Sprintf("history tampered at record %d", tt.wantAt); err.Error() != want {
				t.Errorf("err = %q (%s), want %q", err, te.Reason, want)
			}
		})
	}
}

func TestHistoryConcurrentAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.history")
	h, err := OpenHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.Append(rec(fmt.Sprintf("load.t%d", i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if err := h.Append(rec("late")); err == nil || err.Error() != "append history: history is closed" {
		t.Errorf("append after close: %v", err)
	}
	recs, err := ReadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 20 {
		t.Fatalf("%d records, want 20", len(recs))
	}
	if err := VerifyChain(recs); err != nil {
		t.Fatal(err)
	}
}

func TestHistoryUnreadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.history")
	writeHistory(t, path, "a")
	before := mustRead(t, path)
	torn := append(append([]byte{}, before...), []byte(`{"seq":2,"addr":`)...)
	if err := os.WriteFile(path, torn, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := OpenHistory(path)
	want := "read history " + path + " line 2: unexpected end of JSON input"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	if got := mustRead(t, path); !bytes.Equal(got, torn) {
		t.Error("OpenHistory changed an unreadable history")
	}
	if _, err := ReadHistory(filepath.Join(t.TempDir(), "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing history: %v", err)
	}
}
