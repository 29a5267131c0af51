package mgw

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ensureAddress makes sure the address want exists with want's
// definition and that the service can reach it. An address of that name
// with another definition is an error: ferry never changes an address it
// did not define.
func (c *Copier) ensureAddress(ctx context.Context, want importAddress) error {
	got, err := c.api.getAddress(ctx, want.Name)
	switch {
	case err == nil:
	case IsCode(err, CodeNoSuchAddress):
		err = c.api.createAddress(ctx, want)
		if err != nil && !IsCode(err, CodeAddressAlreadyExists) {
			return fmt.Errorf("create address %s: %w", want.Name, err)
		}
		// Created here, or by a concurrent run between the two calls:
		// read it back either way.
		if got, err = c.api.getAddress(ctx, want.Name); err != nil {
			return fmt.Errorf("address %s: %w", want.Name, err)
		}
	default:
		return fmt.Errorf("address %s: %w", want.Name, err)
	}
	if !got.AddressDetail.sameTarget(want.AddressDetail) {
		return fmt.Errorf("address %s exists with another definition (%s bucket %q, prefix %q); delete it or change job_prefix",
			want.Name, got.AddressDetail.AddressType, got.AddressDetail.Bucket, got.AddressDetail.Prefix)
	}
	return c.verifyAddress(ctx, want.Name)
}

// verifyAddress asks the service to check an address until it answers
// available or unavailable.
func (c *Copier) verifyAddress(ctx context.Context, name string) error {
	for {
		v, err := c.api.verifyAddress(ctx, name)
		if err != nil {
			return fmt.Errorf("verify address %s: %w", name, err)
		}
		switch strings.ToLower(v.Status) {
		case statusAddressAvailable, statusAddressAvailTypo:
			return nil
		case statusAddressUnavailable:
			return fmt.Errorf("address %s is not usable by the migration service: %s %s", name, v.ErrorCode, v.ErrorMessage)
		}
		if err := c.sleep(ctx, c.cfg.PollInterval); err != nil {
			return fmt.Errorf("verify address %s (status %q): %w", name, v.Status, err)
		}
	}
}

// jobState classifies a job status for the Copier.
type jobState int

const (
	stateRunning jobState = iota // documented as in progress, or unknown
	stateIdle                    // created or paused: needs a launch
	stateDone                    // finished
	stateFailed                  // interrupted
	stateGone                    // being deleted
)

// classify maps a job status to what the Copier does with it. Unknown
// statuses count as running: the service may add states, and the counts
// decide when such a job is over.
func classify(status string) (jobState, bool) {
	switch status {
	case JobLaunching, JobPreparing, JobDoing, JobClosing:
		return stateRunning, true
	case JobBegin, JobSuspend:
		return stateIdle, true
	case JobFinished, JobConfirmed:
		return stateDone, true
	case JobInterrupted:
		return stateFailed, true
	case JobDeleting:
		return stateGone, true
	}
	return stateRunning, false
}

// ensureJob makes sure the job want exists and is running, and returns
// it with the lowest run ID that belongs to this copy. A running job is
// followed as is; an idle one is started; a finished or interrupted one
// is deleted and created again, since the service starts failed objects
// again only through a new job.
func (c *Copier) ensureJob(ctx context.Context, want importJob) (*importJob, int64, error) {
	got, err := c.api.getJob(ctx, want.Name)
	switch {
	case err == nil:
		if got.SrcAddress != want.SrcAddress || got.DestAddress != want.DestAddress ||
			got.OverwriteMode != want.OverwriteMode || got.TransferMode != want.TransferMode {
			return nil, 0, fmt.Errorf("job %s exists with another definition (%s → %s, %s/%s); delete it or change job_prefix",
				want.Name, got.SrcAddress, got.DestAddress, got.OverwriteMode, got.TransferMode)
		}
		state, _ := classify(got.Status)
		switch state {
		case stateRunning:
			latest, err := c.latestRuntime(ctx, want.Name)
			return got, max(latest, 1), err
		case stateIdle:
			latest, err := c.latestRuntime(ctx, want.Name)
			if err != nil {
				return nil, 0, err
			}
			return c.launch(ctx, got, max(latest, 1))
		case stateGone:
			return nil, 0, fmt.Errorf("job %s is being deleted; run again once it is gone", want.Name)
		}
		if err := c.api.deleteJob(ctx, want.Name); err != nil && !IsCode(err, CodeNoSuchJob) {
			return nil, 0, fmt.Errorf("delete finished job %s: %w", want.Name, err)
		}
	case IsCode(err, CodeNoSuchJob):
	default:
		return nil, 0, fmt.Errorf("job %s: %w", want.Name, err)
	}
	if err := c.api.createJob(ctx, want); err != nil && !IsCode(err, CodeJobAlreadyExists) {
		return nil, 0, fmt.Errorf("create job %s: %w", want.Name, err)
	}
	if got, err = c.api.getJob(ctx, want.Name); err != nil {
		return nil, 0, fmt.Errorf("job %s: %w", want.Name, err)
	}
	if state, _ := classify(got.Status); state != stateIdle {
		// A concurrent run created and started it: follow that run.
		return got, 1, nil
	}
	return c.launch(ctx, got, 1)
}

// launch starts a job and returns it with the run ID from which its runs
// belong to this copy.
func (c *Copier) launch(ctx context.Context, j *importJob, minRuntime int64) (*importJob, int64, error) {
	if err := c.api.setJobStatus(ctx, j.Name, JobLaunching); err != nil {
		return nil, 0, fmt.Errorf("start job %s: %w", j.Name, err)
	}
	return j, minRuntime, nil
}

// latestRuntime returns the highest run ID in a job's history (0: none).
func (c *Copier) latestRuntime(ctx context.Context, name string) (int64, error) {
	h, err := c.api.history(ctx, name)
	if err != nil {
		return 0, fmt.Errorf("job %s history: %w", name, err)
	}
	var latest int64
	for _, e := range h {
		latest = max(latest, e.RuntimeID)
	}
	return latest, nil
}

// cleanup deletes the job, then its addresses (the service refuses to
// delete an address a job uses). Failures are ignored: the copy is done
// and verified, and leftovers are found again by name.
func (c *Copier) cleanup(p *plan) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if err := c.api.deleteJob(ctx, p.job.Name); err != nil && !IsCode(err, CodeNoSuchJob) {
		return
	}
	for _, name := range []string{p.src.Name, p.dst.Name} {
		_ = c.api.deleteAddress(ctx, name)
	}
}

// errInterrupted is wrapped by errors for jobs the service interrupted.
var errInterrupted = errors.New("the service interrupted the job")
