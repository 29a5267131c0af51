package state

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzFilesystemLoad puts arbitrary bytes where the state file lives. Load
// must not panic and must never write; a state it accepts must save (with
// the original bytes kept as the backup) and load again at the next
// serial; a state it refuses must also be refused by Save, leaving the
// file untouched.
func FuzzFilesystemLoad(f *testing.F) {
	f.Add([]byte(sampleJSON))
	f.Add([]byte(`{"version":1,"resources":[]}`))
	f.Add([]byte(`{"version":1,"serial":18446744073709551615,"resources":null}`))
	f.Add([]byte(`{"version":99,"ferry_version":"9.0.0"}`))
	f.Add([]byte(`{"version":1,"resources":[{"addr":"a.b"},{"addr":"a.b"}]}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "ferry.state.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fs := NewFilesystem(path)
		st, err := fs.Load()
		if err != nil {
			if st != nil {
				t.Fatalf("state returned with error %v", err)
			}
			if saveErr := fs.Save(New("test", "lineage")); saveErr == nil {
				t.Fatalf("Save overwrote a state Load refuses (%v)", err)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
				t.Fatal("refused state file was changed")
			}
			return
		}
		if st == nil {
			t.Fatal("Load of an existing file returned no state and no error")
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
			t.Fatal("Load changed the state file")
		}
		serial := st.Serial
		if err := fs.Save(st); err != nil {
			// The only accepted state Save may refuse is one whose
			// serial cannot grow.
			if serial != ^uint64(0) {
				t.Fatalf("Save of a loaded state: %v", err)
			}
			return
		}
		if backup, _ := os.ReadFile(path + BackupSuffix); !bytes.Equal(backup, data) {
			t.Fatal("backup does not hold the original bytes")
		}
		again, err := NewFilesystem(path).Load()
		if err != nil {
			t.Fatalf("Load after Save: %v", err)
		}
		if again.Serial != serial+1 || again.Lineage != st.Lineage || len(again.Resources) != len(st.Resources) {
			t.Fatalf("saved serial %d lineage %q with %d resources, loaded serial %d lineage %q with %d",
				serial+1, st.Lineage, len(st.Resources), again.Serial, again.Lineage, len(again.Resources))
		}
	})
}
