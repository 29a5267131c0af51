package oss_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	sdk "github.com/aliyun/aliyun-oss-go-sdk/oss"

	emulator "github.com/ferry-dev/ferry/internal/emulator/oss"
)

func TestFaults(t *testing.T) {
	srv := start(t)
	b := client(t, srv, signings[0], testSecret)
	srv.SetFaults(&emulator.Faults{Rate: 1, Codes: []int{500}, Ops: []string{emulator.OpPutObject}})
	err := b.PutObject("f", strings.NewReader("x"))
	if se := serviceError(t, err); se.StatusCode != 500 || se.Code != "InternalError" {
		t.Errorf("injected fault: %d %s", se.StatusCode, se.Code)
	}
	if _, err := b.ListObjectsV2(); err != nil {
		t.Errorf("list is outside Ops but failed: %v", err)
	}
	if n := srv.Injected(); n != 1 {
		t.Errorf("Injected() = %d after one fault", n)
	}
	srv.SetFaults(&emulator.Faults{Rate: 1, Reset: true})
	if _, err := b.GetObject("f"); err == nil {
		t.Error("a reset connection gave no error")
	} else if errors.As(err, new(sdk.ServiceError)) {
		t.Errorf("a reset connection gave a service error: %v", err)
	}
	srv.SetFaults(&emulator.Faults{Delay: 50 * time.Millisecond})
	begin := time.Now()
	if err := b.PutObject("f", strings.NewReader("x")); err != nil {
		t.Errorf("delayed put: %v", err)
	}
	if d := time.Since(begin); d < 50*time.Millisecond {
		t.Errorf("delayed put took %v", d)
	}
	// The HTTP client may retry an idempotent GET once on a reset.
	if n := srv.Injected(); n < 2 || n > 3 {
		t.Errorf("Injected() = %d, want 2 or 3", n)
	}
}

func TestCorruptCRC(t *testing.T) {
	srv := start(t)
	b := client(t, srv, signings[0], testSecret)
	srv.CorruptCRC(emulator.OpPutObject)
	err := b.PutObject("c", strings.NewReader("data"))
	if !errors.As(err, new(sdk.CRCCheckError)) {
		t.Errorf("a corrupted CRC header gave %v, want a CRC check error", err)
	}
	srv.CorruptCRC()
	if err := b.PutObject("c", strings.NewReader("data")); err != nil {
		t.Errorf("after turning corruption off: %v", err)
	}
}
