package mgw

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ferry-dev/ferry/provider"
)

const (
	// cleanupTimeout bounds the deletes after a successful copy, which
	// run even when the copy's own context has ended.
	cleanupTimeout = time.Minute
	// maxReportPolls bounds the wait for a report once a run has failed
	// objects: the count is already known, only the list's place is not.
	maxReportPolls = 30
	// maxListed is how many bad keys a verification error names.
	maxListed = 5

	listFinished   = "finished"
	reportFinished = "finished"
	reportFailed   = "failed"
)

// run is a finished run of a job.
type run struct {
	runtime int64
	version string
	last    jobHistory
}

// wait polls the job until its run (the latest with an ID of at least
// minRuntime) ends, reporting progress from the run's history. A status
// the Copier does not know counts as running until the history shows the
// listing finished and every listed object copied or failed.
func (c *Copier) wait(ctx context.Context, job *importJob, minRuntime int64, report func(provider.CopyProgress)) (*run, error) {
	for {
		j, err := c.api.getJob(ctx, job.Name)
		if err != nil {
			return nil, fmt.Errorf("poll: %w", err)
		}
		h, err := c.api.history(ctx, job.Name)
		if err != nil {
			return nil, fmt.Errorf("poll history: %w", err)
		}
		entry, ok := latestEntry(h, minRuntime)
		if ok {
			report(provider.CopyProgress{
				Objects: entry.CopiedCount, ObjectsTotal: entry.TotalCount,
				Bytes: entry.CopiedSize, BytesTotal: entry.TotalSize,
			})
		}
		state, known := classify(j.Status)
		done := ok && (state == stateDone || (!known && countsComplete(entry)))
		switch {
		case done:
			return &run{runtime: entry.RuntimeID, version: j.Version, last: entry}, nil
		case state == stateFailed:
			return nil, fmt.Errorf("%w (status %s): %s", errInterrupted, j.Status, entry.Message)
		case state == stateGone:
			return nil, fmt.Errorf("the job is being deleted (status %s)", j.Status)
		}
		if err := c.sleep(ctx, c.cfg.PollInterval); err != nil {
			return nil, fmt.Errorf("status %s, %d of %d objects copied: %w", j.Status, entry.CopiedCount, entry.TotalCount, err)
		}
	}
}

// latestEntry returns the newest history entry of the newest run with an
// ID of at least minRuntime.
func latestEntry(h []jobHistory, minRuntime int64) (jobHistory, bool) {
	var best jobHistory
	found := false
	for _, e := range h {
		if e.RuntimeID < minRuntime {
			continue
		}
		if !found || e.RuntimeID > best.RuntimeID || (e.RuntimeID == best.RuntimeID && e.CommitID > best.CommitID) {
			best, found = e, true
		}
	}
	return best, found
}

// countsComplete reports whether a run's history shows every object
// handled: listing finished, and copied plus failed reaching the total.
func countsComplete(e jobHistory) bool {
	return strings.EqualFold(e.ListStatus, listFinished) && e.TotalCount > 0 && e.CopiedCount+e.FailedCount >= e.TotalCount
}

// checkFailures asks for the run's result and report and fails when any
// object failed, naming the count and where the failed-object list is.
// Without failures, a report the service is slow to produce does not
// hold the copy up: the listing verification that follows decides.
func (c *Copier) checkFailures(ctx context.Context, p *plan, job *importJob, r *run) error {
	res, err := c.api.jobResult(ctx, job.Name, r.runtime)
	if err != nil {
		return fmt.Errorf("run %d result: %w", r.runtime, err)
	}
	failed := max(r.last.FailedCount, res.FailedObjectCount)
	total := max(r.last.TotalCount, res.TotalObjectCount)
	if err := c.api.createReport(ctx, job.Name, r.version, r.runtime); err != nil {
		if failed == 0 {
			return nil
		}
		return fmt.Errorf("%d of %d objects failed (no report: %w)", failed, total, err)
	}
	rep, repErr := c.report(ctx, r, failed > 0)
	if rep != nil {
		failed = max(failed, rep.FailedCount)
	}
	if failed == 0 {
		return nil
	}
	msg := fmt.Sprintf("%d of %d objects failed", failed, total)
	switch {
	case rep != nil && rep.FailedListPrefix != "":
		msg += fmt.Sprintf("; failed-object list under oss://%s/%s", p.dstBucket, rep.FailedListPrefix)
	case repErr != nil:
		msg += fmt.Sprintf(" (no report: %v)", repErr)
	}
	return errors.New(msg)
}

// report reads the run's report, polling until it is finished when wait
// is set, and returning whatever the first reply says otherwise.
func (c *Copier) report(ctx context.Context, r *run, wait bool) (*report, error) {
	for i := 0; ; i++ {
		rep, err := c.api.getReport(ctx, r.version, r.runtime)
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(rep.Status) {
		case reportFinished:
			return rep, nil
		case reportFailed:
			return rep, fmt.Errorf("report failed: %s", rep.ErrorMessage)
		}
		if !wait || i+1 >= maxReportPolls {
			return rep, fmt.Errorf("report not ready (status %q)", rep.Status)
		}
		if err := c.sleep(ctx, c.cfg.PollInterval); err != nil {
			return rep, err
		}
	}
}

// verify lists both sides and requires every source object at the
// destination with the same content, then builds the result: todo are
// the objects this copy had to transfer.
func (c *Copier) verify(ctx context.Context, req provider.CopyRequest, todo []provider.Object) (*provider.CopyResult, error) {
	src, dst, err := listBoth(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	have := make(map[string]provider.Object, len(dst))
	for _, o := range dst {
		have[o.Key] = o
	}
	res := &provider.CopyResult{Objects: []provider.Object{}}
	var bad []string
	for _, o := range src {
		key := destKey(o.Key, req.SrcPrefix, req.DstPrefix)
		d, ok := have[key]
		switch {
		case !ok:
			bad = append(bad, key+" (missing)")
		case d.Size != o.Size:
			bad = append(bad, fmt.Sprintf("%s (%d bytes, want %d)", key, d.Size, o.Size))
		case !sameContent(o, d):
			bad = append(bad, fmt.Sprintf("%s (checksum %s, want %s)", key, d.Checksum, o.Checksum))
		default:
			res.Objects = append(res.Objects, d)
		}
	}
	if len(bad) > 0 {
		n := len(bad)
		if n > maxListed {
			bad = append(bad[:maxListed], fmt.Sprintf("and %d more", n-maxListed))
		}
		return nil, fmt.Errorf("verify: %d of %d objects missing or different at %s: %s",
			n, len(src), req.Dst.URL(req.DstPrefix), strings.Join(bad, ", "))
	}
	sort.Slice(res.Objects, func(i, j int) bool { return res.Objects[i].Key < res.Objects[j].Key })
	res.Copied = int64(len(todo))
	res.Skipped = int64(len(src)) - res.Copied
	res.Bytes = sumSizes(todo)
	return res, nil
}
