package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/ferry-dev/ferry/planner/plan"
)

// TestHashOfIsStable pins hashOf to its definition: SHA-256 of the kind,
// then a zero byte and json.Marshal of each part, as 32 hex digits. Every
// state records fingerprints made this way; another encoding would show
// every resource of every migration as changed.
func TestHashOfIsStable(t *testing.T) {
	spec := plan.TableSpec{Target: "target.x", Name: "t<&>\u2028é", Columns: []plan.ColumnMapping{
		{Source: "a", SourceType: "VARCHAR(10)", Target: "a", TargetType: "STRING", Note: "html <b>&</b>\n"},
	}, Hints: map[string]string{"z": "1", "a": "2"}}
	parts := []any{"prev", spec, 42, nil, []string{"x", "y"}}
	h := sha256.New()
	h.Write([]byte("table"))
	for _, p := range parts {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte{0})
		h.Write(b)
	}
	want := hex.EncodeToString(h.Sum(nil))[:32]
	if got := hashOf("table", parts...); got != want {
		t.Errorf("hashOf = %s, want %s", got, want)
	}
	if hashOf("table", parts...) != want {
		t.Error("hashOf differs on a second call (pooled buffer)")
	}
}
