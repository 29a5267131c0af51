package mgw_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	emulator "github.com/ferry-dev/ferry/internal/emulator/mgw"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/mgw"
)

func TestCopyMixedSet(t *testing.T) {
	e := setup(t, nil)
	want := e.seed(t)
	c := copier(t, e.config())

	var mu sync.Mutex
	var seen []provider.CopyProgress
	progress := func(p provider.CopyProgress) {
		mu.Lock()
		seen = append(seen, p)
		mu.Unlock()
	}
	res, err := c.Copy(context.Background(), e.request(progress))
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	e.assertLanded(t, want)
	if res.Copied != int64(len(want)) || res.Skipped != 0 || len(res.Objects) != len(want) {
		t.Errorf("copied %d, skipped %d, %d objects; want %d copied", res.Copied, res.Skipped, len(res.Objects), len(want))
	}
	var total int64
	for _, d := range want {
		total += int64(len(d))
	}
	if res.Bytes != total {
		t.Errorf("result bytes %d, want %d", res.Bytes, total)
	}
	for i, o := range res.Objects {
		if !strings.HasPrefix(o.Key, dstPrefix) || int64(len(want[strings.TrimPrefix(o.Key, dstPrefix)])) != o.Size {
			t.Errorf("result object %d: %+v does not match a source object", i, o)
		}
		if i > 0 && res.Objects[i-1].Key >= o.Key {
			t.Errorf("result objects not sorted at %d: %q then %q", i, res.Objects[i-1].Key, o.Key)
		}
	}
	if len(seen) < 2 {
		t.Fatalf("progress reported %d times, want at least the start and one poll", len(seen))
	}
	last := seen[len(seen)-1]
	if last.Objects != int64(len(want)) || last.ObjectsTotal != int64(len(want)) || last.Bytes != total {
		t.Errorf("last progress %+v, want %d objects and %d bytes done", last, len(want), total)
	}
	if jobs, addrs := e.mgw.Jobs(), e.mgw.Addresses(); len(jobs)+len(addrs) != 0 {
		t.Errorf("left behind jobs %v and addresses %v", jobs, addrs)
	}
	for op, n := range map[string]int{"CreateAddress": 2, "VerifyAddress": 2, "CreateJob": 1, "UpdateJob": 1, "CreateReport": 1, "DeleteJob": 1, "DeleteAddress": 2} {
		if got := e.mgw.Calls(op); got != n {
			t.Errorf("%s succeeded %d times, want %d", op, got, n)
		}
	}

	// A rerun finds everything in place and asks nothing of the service.
	res, err = c.Copy(context.Background(), e.request(nil))
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if res.Copied != 0 || res.Skipped != int64(len(want)) || res.Bytes != 0 {
		t.Errorf("rerun copied %d (%d bytes), skipped %d; want everything skipped", res.Copied, res.Bytes, res.Skipped)
	}
	if n := e.mgw.Calls("CreateJob"); n != 1 {
		t.Errorf("rerun created a job: CreateJob succeeded %d times", n)
	}
}

func TestRerunResumesInterruptedJob(t *testing.T) {
	e := setup(t, &emulator.Faults{ObjectDelay: 100 * time.Millisecond})
	want := e.seed(t)
	// Stop following the job once it has copied a few objects, as an
	// interrupted ferry would.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := copier(t, e.config()).Copy(ctx, e.request(func(p provider.CopyProgress) {
		if p.Objects >= 3 {
			cancel()
		}
	}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled copy: %v, want a cancellation error", err)
	}
	jobs := e.mgw.Jobs()
	if len(jobs) != 1 || !strings.Contains(err.Error(), jobs[0]) {
		t.Fatalf("after the cancellation the service holds jobs %v; the error should name the one left: %v", jobs, err)
	}
	if status, _ := e.mgw.JobStatus(jobs[0]); status != "IMPORT_JOB_DOING" {
		t.Fatalf("interrupted job is %s, want it still running", status)
	}

	e.mgw.SetFaults(nil)
	res, err := copier(t, e.config()).Copy(context.Background(), e.request(nil))
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	e.assertLanded(t, want)
	if res.Copied+res.Skipped != int64(len(want)) || res.Copied == 0 {
		t.Errorf("rerun copied %d and skipped %d of %d", res.Copied, res.Skipped, len(want))
	}
	for op, n := range map[string]int{"CreateAddress": 2, "CreateJob": 1, "UpdateJob": 1} {
		if got := e.mgw.Calls(op); got != n {
			t.Errorf("%s succeeded %d times over both runs, want %d: the rerun must reuse the job", op, got, n)
		}
	}
	if jobs := e.mgw.Jobs(); len(jobs) != 0 {
		t.Errorf("jobs left after the successful rerun: %v", jobs)
	}
}

func TestTimeoutEndsTheCopy(t *testing.T) {
	e := setup(t, &emulator.Faults{ObjectDelay: 2 * time.Second})
	e.seed(t)
	cfg := e.config()
	cfg.Timeout = 2 * time.Second
	start := time.Now()
	_, err := copier(t, cfg).Copy(context.Background(), e.request(nil))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("copy with a 2s timeout: %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("copy returned %s after its 2s timeout", d)
	}
	if !strings.Contains(err.Error(), "objects copied") {
		t.Errorf("timeout error %q does not say how far the job got", err)
	}
}

func TestFailedObjectsFailTheCopy(t *testing.T) {
	e := setup(t, &emulator.Faults{FailObjects: 3})
	want := e.seed(t)
	c := copier(t, e.config())
	_, err := c.Copy(context.Background(), e.request(nil))
	if err == nil {
		t.Fatal("copy with failed objects succeeded")
	}
	for _, s := range []string{"3 of 32 objects failed", "oss://" + landingBucket + "/aliyun_import_report/", "failed_list/"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
	if len(e.mgw.Jobs()) != 1 {
		t.Errorf("the failed job should be left for inspection; jobs: %v", e.mgw.Jobs())
	}

	e.mgw.SetFaults(nil)
	res, err := c.Copy(context.Background(), e.request(nil))
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	e.assertLanded(t, want)
	if res.Copied != 3 || res.Skipped != int64(len(want))-3 {
		t.Errorf("rerun copied %d and skipped %d, want the 3 failed objects copied", res.Copied, res.Skipped)
	}
	if n := e.mgw.Calls("CreateJob"); n != 2 {
		t.Errorf("CreateJob succeeded %d times, want 2: the finished job is replaced", n)
	}
}

func TestUndocumentedStatusesAndTransientErrors(t *testing.T) {
	e := setup(t, &emulator.Faults{
		RunningStatus: "IMPORT_JOB_TRANSFERRING", FinishedStatus: "IMPORT_JOB_ALL_DONE", FailRequests: 3,
		ObjectDelay: 5 * time.Millisecond,
	})
	want := e.seed(t)
	res, err := copier(t, e.config()).Copy(context.Background(), e.request(nil))
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	e.assertLanded(t, want)
	if res.Copied != int64(len(want)) {
		t.Errorf("copied %d of %d", res.Copied, len(want))
	}
}

func TestWrongSecretIsRefusedAndRedacted(t *testing.T) {
	e := setup(t, nil)
	e.seed(t)
	cfg := e.config()
	cfg.AccessKeySecret = "not-the-secret-9876543210"
	_, err := copier(t, cfg).Copy(context.Background(), e.request(nil))
	var se *mgw.ServiceError
	if !errors.As(err, &se) || se.StatusCode != 403 || se.Code != "SignatureDoesNotMatch" {
		t.Fatalf("copy with a wrong secret: %v, want a 403 SignatureDoesNotMatch", err)
	}
	for _, secret := range []string{cfg.AccessKeySecret, testSecret, testToken, e.s3.SecretKey} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error shows a secret: %v", err)
		}
	}
	if !strings.Contains(err.Error(), "HTTP 403") || se.RequestID == "" {
		t.Errorf("error %q lacks the status or the request ID", err)
	}
}

func TestUnusableRoleIsReported(t *testing.T) {
	e := setup(t, nil)
	e.seed(t)
	cfg := e.config()
	cfg.DestAddress.Role = "no-such-role"
	_, err := copier(t, cfg).Copy(context.Background(), e.request(nil))
	if err == nil || !strings.Contains(err.Error(), "not usable") || !strings.Contains(err.Error(), "InvalidRole") {
		t.Fatalf("copy with an unusable role: %v", err)
	}
	if n := e.mgw.Calls("CreateJob"); n != 0 {
		t.Errorf("a job was created for an unusable address")
	}
}
