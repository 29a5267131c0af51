package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ferry-dev/ferry/state"
)

// TestS3 and TestOSS run the same suite against a real S3 server
// (versitygw) and the OSS protocol emulator. Each case uses its own key.
func TestS3(t *testing.T)  { runSuite(t, s3Harness(t)) }
func TestOSS(t *testing.T) { runSuite(t, ossHarness(t)) }

func runSuite(t *testing.T, h harness) {
	cases := []struct {
		name string
		fn   func(*testing.T, harness, string)
	}{
		{"StoreConditions", testStoreConditions},
		{"RoundTripAndBackup", testRoundTripAndBackup},
		{"UnreadableStateIsNeverOverwritten", testUnreadableState},
		{"StaleSave", testStaleSave},
		{"RacingSaves", testRacingSaves},
		{"RacingCreates", testRacingCreates},
		{"LockContention", testLockContention},
		{"LockWaits", testLockWaits},
		{"LockExclusive", testLockExclusive},
		{"KilledHolderAndForceUnlock", testKilledHolder},
		{"HistoryChain", testHistoryChain},
		{"HistoryConcurrentAppend", testHistoryConcurrentAppend},
		{"DumpErrored", testDumpErrored},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.fn(t, h, "envs/"+strings.ToLower(c.name)+"/prod.state.json")
		})
	}
}

var when = time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)

func sample(lineage string) *state.File {
	f := state.New("0.4.0", lineage)
	f.Resources["unload.orders"] = &state.Resource{
		Addr: "unload.orders", Kind: "unload", Status: state.StatusDone, Fingerprint: "fp-1",
		Generation: "g1", Observed: map[string]string{"rows": "1200"},
		Output: json.RawMessage(`{"files":3}`), StartedAt: when, UpdatedAt: when,
	}
	return f
}

// testStoreConditions checks what the store itself honours: create-only
// writes, writes and deletes conditional on a version.
func testStoreConditions(t *testing.T, h harness, key string) {
	st := h.open(t, key).store
	ctx := t.Context()
	v1, err := st.put(ctx, key, []byte("one"), condition{absent: true})
	if err != nil || v1 == "" {
		t.Fatalf("create: etag %q, %v", v1, err)
	}
	if _, err := st.put(ctx, key, []byte("two"), condition{absent: true}); !errors.Is(err, errPrecondition) {
		t.Fatalf("create over existing: %v, want errPrecondition", err)
	}
	v2, err := st.put(ctx, key, []byte("two"), condition{etag: v1})
	if err != nil {
		t.Fatalf("put if-match current: %v", err)
	}
	if _, err := st.put(ctx, key, []byte("three"), condition{etag: v1}); !errors.Is(err, errPrecondition) {
		t.Fatalf("put if-match stale: %v, want errPrecondition", err)
	}
	if err := st.remove(ctx, key, v1); !errors.Is(err, errPrecondition) {
		t.Fatalf("delete if-match stale: %v, want errPrecondition", err)
	}
	if data, got, err := st.get(ctx, key); err != nil || string(data) != "two" || !sameETag(got, v2) {
		t.Fatalf("after refused writes: %q %q %v, want \"two\" %q", data, got, err, v2)
	}
	if err := st.remove(ctx, key, v2); err != nil {
		t.Fatalf("delete if-match current: %v", err)
	}
	if _, _, err := st.get(ctx, key); !errors.Is(err, errNotFound) {
		t.Fatalf("after delete: %v, want errNotFound", err)
	}
	if _, err := st.put(ctx, key, []byte("four"), condition{etag: v2}); !errors.Is(err, errPrecondition) {
		t.Fatalf("put if-match on deleted key: %v, want errPrecondition", err)
	}
}

func testRoundTripAndBackup(t *testing.T, h harness, key string) {
	a := h.open(t, key)
	if want := "://" + bucketName + "/" + key; !strings.HasSuffix(a.String(), want) || !strings.HasPrefix(a.String(), h.name+"://") {
		t.Errorf("String() = %q, want %s%s", a.String(), h.name, want)
	}
	got, err := a.Load()
	if got != nil || err != nil {
		t.Fatalf("Load of missing state = %v, %v; want nil, nil", got, err)
	}
	f := sample("lin-1")
	if err := a.Save(f); err != nil {
		t.Fatal(err)
	}
	if f.Serial != 1 {
		t.Errorf("serial after first save = %d, want 1", f.Serial)
	}
	// The backup is the state as a process found it, taken once per
	// process: a's run created the state, so it keeps none.
	f.Resources["unload.orders"].Generation = "g2"
	if err := a.Save(f); err != nil || f.Serial != 2 {
		t.Fatalf("second save: serial %d, %v", f.Serial, err)
	}
	if _, ok := rawGet(t, a, key+state.BackupSuffix); ok {
		t.Error("the run that created the state wrote a backup")
	}
	found, _ := state.Marshal(f)

	b := h.open(t, key)
	loaded, err := b.Load()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(f, loaded); d != "" {
		t.Errorf("loaded state differs (-saved +loaded):\n%s", d)
	}
	// b's run found serial 2: that is its backup, however often it saves.
	for want := uint64(3); want <= 4; want++ {
		loaded.Resources["unload.orders"].Generation = fmt.Sprintf("g%d", want)
		if err := b.Save(loaded); err != nil {
			t.Fatal(err)
		}
		if loaded.Serial != want {
			t.Errorf("serial = %d, want %d", loaded.Serial, want)
		}
		if backup, _ := rawGet(t, b, key+state.BackupSuffix); !bytes.Equal(backup, found) {
			t.Errorf("after save %d backup is\n%s\nwant\n%s", want, backup, found)
		}
	}
	c, err := h.open(t, key).Load()
	if err != nil || c.Serial != 4 || c.Resources["unload.orders"].Generation != "g4" {
		t.Fatalf("reloaded: %+v, %v; want serial 4, generation g4", c, err)
	}
}

func testUnreadableState(t *testing.T, h harness, key string) {
	for _, tc := range []struct {
		name, data, msg string
	}{
		{"corrupt", `{"version": 1, "resources": [`, "state file is corrupt"},
		{"newer", `{"version": 99, "ferry_version": "9.0.0", "resources": []}`, "written by ferry 9.0.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := h.open(t, key+"."+tc.name)
			rawPut(t, b, b.key, []byte(tc.data))
			_, err := b.Load()
			var se *state.Error
			if !errors.As(err, &se) || se.Path != b.String() || !strings.Contains(se.Msg, tc.msg) || se.Hint == "" {
				t.Fatalf("Load = %v (%#v), want *state.Error at %s saying %q", err, se, b.String(), tc.msg)
			}
			err = b.Save(sample("lin-x"))
			if !errors.As(err, &se) || !strings.Contains(err.Error(), "refusing to overwrite state") {
				t.Fatalf("Save over unreadable state = %v, want refusal wrapping *state.Error", err)
			}
			if got, _ := rawGet(t, b, b.key); string(got) != tc.data {
				t.Errorf("state object changed to %q", got)
			}
			if _, ok := rawGet(t, b, b.key+state.BackupSuffix); ok {
				t.Error("a backup was written over an unreadable state")
			}
		})
	}
}

// testStaleSave: two runs read the same version; the first to save wins,
// the second is refused and the stored state stays the first's.
func testStaleSave(t *testing.T, h harness, key string) {
	seed := h.open(t, key)
	if err := seed.Save(sample("lin-2")); err != nil {
		t.Fatal(err)
	}
	a, b := h.open(t, key), h.open(t, key)
	fa, err := a.Load()
	if err != nil {
		t.Fatal(err)
	}
	fb, err := b.Load()
	if err != nil {
		t.Fatal(err)
	}
	fa.Resources["unload.orders"].Generation = "from-a"
	fb.Resources["unload.orders"].Generation = "from-b"
	if err := a.Save(fa); err != nil {
		t.Fatal(err)
	}
	err = b.Save(fb)
	if !errors.Is(err, ErrStateChanged) || !strings.Contains(err.Error(), "state changed since it was read") {
		t.Fatalf("stale Save = %v, want ErrStateChanged", err)
	}
	if fb.Serial != 1 {
		t.Errorf("refused Save left serial %d, want 1", fb.Serial)
	}
	got, err := h.open(t, key).Load()
	if err != nil || got.Resources["unload.orders"].Generation != "from-a" || got.Serial != 2 {
		t.Fatalf("stored state: %+v, %v; want a's save (serial 2)", got, err)
	}
	// A Save without a Load expects no state and must not clobber one.
	if err := h.open(t, key).Save(sample("lin-other")); !errors.Is(err, ErrStateChanged) {
		t.Fatalf("Save without Load over an existing state = %v, want ErrStateChanged", err)
	}
	// Once b loads again it can save.
	fb, _ = b.Load()
	if err := b.Save(fb); err != nil || fb.Serial != 3 {
		t.Fatalf("save after reload: serial %d, %v", fb.Serial, err)
	}
}

// testRacingSaves: several runs that read the same version save at the
// same moment, without the lock. Exactly one may win.
func testRacingSaves(t *testing.T, h harness, key string) {
	if !h.atomicOverwrite {
		t.Skip("overwrites are checked, then written: concurrent writers are serialised by the state lock (see StaleSave)")
	}
	if err := h.open(t, key).Save(sample("lin-3")); err != nil {
		t.Fatal(err)
	}
	raceSaves(t, h, key, true)
}

// testRacingCreates: several runs that found no state create it at the
// same moment. Creation is atomic on every store.
func testRacingCreates(t *testing.T, h harness, key string) {
	raceSaves(t, h, key, false)
}

func raceSaves(t *testing.T, h harness, key string, exists bool) {
	const n = 8
	backends := make([]*objectBackend, n)
	files := make([]*state.File, n)
	for i := range backends {
		backends[i] = h.open(t, key)
		f, err := backends[i].Load()
		if err != nil || (f != nil) != exists {
			t.Fatalf("load: %v, %v", f, err)
		}
		if f == nil {
			f = sample("lin-race")
		}
		f.Resources["unload.orders"].Generation = fmt.Sprintf("writer-%d", i)
		files[i] = f
	}
	errs := make([]error, n)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range backends {
		wg.Go(func() {
			start.Wait()
			errs[i] = backends[i].Save(files[i])
		})
	}
	start.Done()
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Errorf("writers %d and %d both saved", winner, i)
			}
			winner = i
		case !errors.Is(err, ErrStateChanged):
			t.Errorf("writer %d: %v, want ErrStateChanged", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer saved")
	}
	got, err := h.open(t, key).Load()
	if err != nil || got.Resources["unload.orders"].Generation != fmt.Sprintf("writer-%d", winner) {
		t.Fatalf("stored: %+v, %v; want writer-%d's state", got, err, winner)
	}
}

func holder() state.LockInfo {
	return state.LockInfo{ID: "f00d", Operation: "apply", Who: "alice", Host: "build-1", PID: 4242, Created: when}
}

const holderText = `state is locked by alice@build-1 (pid 4242, operation "apply", since 2026-05-04T03:02:01Z, lock ID f00d)`

func testLockContention(t *testing.T, h harness, key string) {
	a, b := h.open(t, key), h.open(t, key)
	unlock, err := a.Lock(t.Context(), holder(), 0)
	if err != nil {
		t.Fatal(err)
	}
	info, err := b.ReadLockInfo()
	if err != nil || info.Path != a.String() || info.ID != "f00d" {
		t.Errorf("lock info %+v, %v", info, err)
	}
	start := time.Now()
	_, err = b.Lock(t.Context(), state.LockInfo{Who: "bob"}, 300*time.Millisecond)
	var le *state.LockedError
	if !errors.As(err, &le) || err.Error() != holderText {
		t.Fatalf("contended Lock = %v, want %q", err, holderText)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("gave up after %s, before the timeout", waited)
	}
	if le.Info.Path != a.String() {
		t.Errorf("holder path %q", le.Info.Path)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil {
		t.Errorf("second unlock: %v", err)
	}
	if _, err := b.ReadLockInfo(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after unlock, lock info: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := b.Lock(ctx, state.LockInfo{}, time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with cancelled context = %v", err)
	}
}

func testLockWaits(t *testing.T, h harness, key string) {
	a, b := h.open(t, key), h.open(t, key)
	unlock, err := a.Lock(t.Context(), holder(), 0)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(200*time.Millisecond, func() { unlock() })
	unlockB, err := b.Lock(t.Context(), state.LockInfo{ID: "b"}, 10*time.Second)
	if err != nil {
		t.Fatalf("waiting Lock: %v", err)
	}
	if info, _ := b.ReadLockInfo(); info.ID != "b" {
		t.Errorf("holder after wait: %+v", info)
	}
	if err := unlockB(); err != nil {
		t.Fatal(err)
	}
}

// testLockExclusive: 20 runs, each with its own backend, grab the lock
// with timeout 0 over and over; never may two hold it at once.
func testLockExclusive(t *testing.T, h harness, key string) {
	const workers = 20
	var holders, maxHolders, acquired atomic.Int64
	deadline := time.Now().Add(1500 * time.Millisecond)
	var wg sync.WaitGroup
	for i := range workers {
		b := h.open(t, key)
		wg.Go(func() {
			for time.Now().Before(deadline) {
				unlock, err := b.Lock(t.Context(), state.LockInfo{Who: fmt.Sprint("w", i)}, 0)
				var le *state.LockedError
				if errors.As(err, &le) {
					time.Sleep(time.Millisecond)
					continue
				}
				if err != nil {
					t.Errorf("worker %d: %v", i, err)
					return
				}
				n := holders.Add(1)
				for m := maxHolders.Load(); n > m && !maxHolders.CompareAndSwap(m, n); m = maxHolders.Load() {
				}
				acquired.Add(1)
				time.Sleep(2 * time.Millisecond)
				holders.Add(-1)
				if err := unlock(); err != nil {
					t.Errorf("worker %d unlock: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if m := maxHolders.Load(); m != 1 {
		t.Errorf("at most %d holders at once, want exactly 1", m)
	}
	if acquired.Load() < 2 {
		t.Errorf("lock acquired %d times; the test did not exercise hand-over", acquired.Load())
	}
	t.Logf("%d acquisitions by %d workers", acquired.Load(), workers)
}

// testKilledHolder: a process that took the lock is killed. The lock
// stays and is reported with its pid; ForceUnlock clears it only with the
// right ID.
func testKilledHolder(t *testing.T, h harness, key string) {
	pid := startKilledHolder(t, h, key)
	b := h.open(t, key)
	_, err := b.Lock(t.Context(), state.LockInfo{}, 0)
	var le *state.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("Lock after holder died = %v, want *state.LockedError", err)
	}
	if le.Info.PID != pid || le.Info.Host != "runner-7" || le.Info.Who != "ci" || le.Info.Created.IsZero() ||
		!strings.Contains(err.Error(), fmt.Sprintf("ci@runner-7 (pid %d, operation \"apply\"", pid)) {
		t.Errorf("lock error = %v (%+v), want the dead holder (pid %d)", err, le.Info, pid)
	}
	id := le.Info.ID
	err = b.ForceUnlock("0000-wrong")
	if err == nil || !strings.Contains(err.Error(), id) {
		t.Fatalf("ForceUnlock with wrong ID = %v, want an error naming %s", err, id)
	}
	if info, err := b.ReadLockInfo(); err != nil || info.ID != id {
		t.Fatalf("wrong-ID ForceUnlock removed the lock: %+v, %v", info, err)
	}
	if err := b.ForceUnlock(id); err != nil {
		t.Fatal(err)
	}
	if err := b.ForceUnlock(id); err == nil || !strings.Contains(err.Error(), "not locked") {
		t.Errorf("ForceUnlock of no lock = %v", err)
	}

	// A run that was force-unlocked does not remove the next holder's lock.
	a := h.open(t, key)
	unlockA, err := a.Lock(t.Context(), state.LockInfo{ID: "a"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.ForceUnlock("a"); err != nil {
		t.Fatal(err)
	}
	unlockB, err := b.Lock(t.Context(), state.LockInfo{ID: "b", Who: "bob", Host: "h2"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unlockA(); err == nil || !strings.Contains(err.Error(), "lock ID b") {
		t.Errorf("stale unlock = %v, want an error naming lock b", err)
	}
	if info, err := b.ReadLockInfo(); err != nil || info.ID != "b" {
		t.Fatalf("stale unlock removed b's lock: %+v, %v", info, err)
	}
	if err := unlockB(); err != nil {
		t.Fatal(err)
	}
}

func record(addr string, rows int64) state.Record {
	return state.Record{
		PlanID: "plan-1", Addr: addr, Action: "unload", Operator: "alice", FerryVersion: "0.4.0",
		Start: when, DurationMS: 1500, Rows: rows, Result: "done", Details: json.RawMessage(`{"files": 2}`),
	}
}

// testHistoryChain: records written by state.History locally and records
// appended here form one chain that state.VerifyChain accepts; editing
// the object is detected.
func testHistoryChain(t *testing.T, h harness, key string) {
	a := h.open(t, key)
	if recs, err := a.ReadHistory(); recs != nil || err != nil {
		t.Fatalf("ReadHistory of none = %v, %v", recs, err)
	}
	local := t.TempDir() + "/h.jsonl"
	lh, err := state.OpenHistory(local)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := lh.Append(record(fmt.Sprint("unload.t", i), 10)); err != nil {
			t.Fatal(err)
		}
	}
	lh.Close()
	data, err := os.ReadFile(local)
	if err != nil {
		t.Fatal(err)
	}
	rawPut(t, a, a.HistoryKey(), data)

	wa, err := a.OpenHistory()
	if err != nil {
		t.Fatal(err)
	}
	wb, err := h.open(t, key).OpenHistory()
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range []state.HistoryWriter{wa, wb, wa} {
		if err := w.Append(record(fmt.Sprint("copy.t", i), int64(20+i))); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := a.ReadHistory()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 {
		t.Fatalf("%d records, want 5", len(recs))
	}
	if err := state.VerifyChain(recs); err != nil {
		t.Fatalf("VerifyChain: %v", err)
	}
	for i, r := range recs {
		if r.Seq != int64(i+1) || r.Hash == "" {
			t.Errorf("record %d: seq %d hash %q", i, r.Seq, r.Hash)
		}
	}
	// The chain also verifies through state's own reader.
	all, _ := rawGet(t, a, a.HistoryKey())
	if err := os.WriteFile(local, all, 0o600); err != nil {
		t.Fatal(err)
	}
	if lrecs, err := state.ReadHistory(local); err != nil || state.VerifyChain(lrecs) != nil {
		t.Errorf("state.ReadHistory + VerifyChain of the object: %v", err)
	}

	if err := wa.Close(); err != nil {
		t.Fatal(err)
	}
	if err := wa.Append(record("x", 1)); err == nil {
		t.Error("Append after Close succeeded")
	}

	// Edit record 4's rows, as someone hiding a bad load would.
	lines := strings.SplitAfter(string(all), "\n")
	lines[3] = strings.Replace(lines[3], `"rows":21`, `"rows":2100`, 1)
	rawPut(t, a, a.HistoryKey(), []byte(strings.Join(lines, "")))
	recs, err = a.ReadHistory()
	if err != nil {
		t.Fatal(err)
	}
	var te *state.TamperError
	if err := state.VerifyChain(recs); !errors.As(err, &te) || te.Seq != 4 {
		t.Fatalf("VerifyChain of edited history = %v, want tampering at record 4", err)
	}

	rawPut(t, a, a.HistoryKey(), []byte("{not json\n"))
	if _, err := a.ReadHistory(); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("ReadHistory of garbage = %v", err)
	}
	if _, err := a.OpenHistory(); err == nil {
		t.Error("OpenHistory of garbage succeeded")
	}
}

// testHistoryConcurrentAppend: writers in several runs append at once;
// every record lands once and the chain holds.
func testHistoryConcurrentAppend(t *testing.T, h harness, key string) {
	if !h.atomicOverwrite {
		t.Skip("appends are checked, then written: concurrent writers are serialised by the state lock")
	}
	const writers, each = 4, 5
	var wg sync.WaitGroup
	for i := range writers {
		w, err := h.open(t, key).OpenHistory()
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for j := range each {
				if err := w.Append(record(fmt.Sprintf("w%d.r%d", i, j), 1)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	recs, err := h.open(t, key).ReadHistory()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if seen[r.Addr] {
			t.Errorf("record %s appended twice", r.Addr)
		}
		seen[r.Addr] = true
	}
	if len(recs) != writers*each || len(seen) != writers*each {
		t.Errorf("%d records (%d distinct), want %d", len(recs), len(seen), writers*each)
	}
	if err := state.VerifyChain(recs); err != nil {
		t.Errorf("VerifyChain: %v", err)
	}
}

func testDumpErrored(t *testing.T, h harness, key string) {
	t.Chdir(t.TempDir())
	b := h.open(t, key)
	f := sample("lin-4")
	f.Serial = 7
	p, err := b.DumpErrored(f, errors.New("connection reset"))
	if err != nil {
		t.Fatal(err)
	}
	if p != "errored.prod.state.json" {
		t.Errorf("path %q", p)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(p)
	got, err := state.Read(bytes.NewReader(data))
	if err != nil || got.Serial != 8 || got.Lineage != "lin-4" {
		t.Errorf("dumped state %+v, %v; want serial 8", got, err)
	}
	if f.Serial != 7 {
		t.Errorf("DumpErrored changed the caller's serial to %d", f.Serial)
	}
	if _, ok := rawGet(t, b, key); ok {
		t.Error("DumpErrored wrote to the store")
	}
}
