package executor

import (
	"testing"
	"time"

	"github.com/ferry-dev/ferry/provider"
)

func TestCopyProgress(t *testing.T) {
	p := provider.CopyProgress{Objects: 1, ObjectsTotal: 4, Bytes: 10 << 20, BytesTotal: 40 << 20}
	if got, want := copyProgress(p, 5*time.Second), "1/4 objects, 10.0 MiB/40.0 MiB, 2.0 MiB/s, about 15s left"; got != want {
		t.Errorf("copyProgress = %q, want %q", got, want)
	}
	if got, want := copyProgress(p, 100*time.Millisecond), "1/4 objects, 10.0 MiB/40.0 MiB"; got != want {
		t.Errorf("copyProgress early = %q, want %q", got, want)
	}
}
