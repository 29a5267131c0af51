package maxcompute

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/aliyun/aliyun-odps-go-sdk/odps"

	"github.com/ferry-dev/ferry/provider"
)

// nullText is how the service writes NULL in a result's CSV.
const nullText = `\N`

// exec runs a script as one SQL instance, waits for it and returns its
// task result. Each request is retried when IsRetryable says so; errors
// come back redacted, as *Error when the task failed.
func (t *Target) exec(ctx context.Context, script string, hints map[string]string) (string, error) {
	var ins *odps.Instance
	err := t.retry(ctx, func() error {
		var err error
		ins, err = t.odps.ExecSQl(script, maps.Clone(hints))
		return err
	})
	if err != nil {
		return "", t.redactErr(fmt.Errorf("submit: %w", err))
	}
	if err := t.wait(ctx, ins); err != nil {
		return "", t.redactErr(err)
	}
	content, err := t.result(ctx, ins)
	return content, t.redactErr(err)
}

// result reads the instance's first task result.
func (t *Target) result(ctx context.Context, ins *odps.Instance) (string, error) {
	var res []odps.TaskResult
	err := t.retry(ctx, func() error {
		var err error
		res, err = ins.GetResult()
		return err
	})
	if err != nil {
		return "", fmt.Errorf("instance %s: read result: %w", ins.Id(), err)
	}
	if len(res) == 0 {
		return "", fmt.Errorf("instance %s: no task result", ins.Id())
	}
	return res[0].Content(), nil
}

// wait polls the instance's task status with a growing interval until
// every task succeeded, one failed, ctx ends or Config.InstanceTimeout
// passes; the last two terminate the instance. The SDK's WaitForSuccess is
// not used: it has no timeout and no context. An instance running longer
// than a few seconds has its Logview URL logged once.
func (t *Target) wait(ctx context.Context, ins *odps.Instance) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, t.cfg.InstanceTimeout)
	defer cancel()
	delay, logged, failures := t.pollMin, false, 0
	for {
		tasks, err := ins.GetTasks()
		switch {
		case err != nil && IsRetryable(err) && failures < t.retryAttempts:
			failures++
		case err != nil:
			return fmt.Errorf("instance %s: read status: %w", ins.Id(), err)
		default:
			failures = 0
			done, err := t.settled(ctx, ins, tasks)
			if done || err != nil {
				return err
			}
		}
		if !logged && time.Since(start) >= t.logviewAfter {
			logged = true
			t.cfg.Logf("maxcompute: instance %s still running after %s: %s", ins.Id(),
				time.Since(start).Round(time.Second), t.logview(ins))
		}
		select {
		case <-ctx.Done():
			stop, cancelStop := context.WithTimeout(context.Background(), 10*time.Second)
			_ = t.retry(stop, ins.Terminate)
			cancelStop()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) && time.Since(start) >= t.cfg.InstanceTimeout {
				return fmt.Errorf("instance %s: still running after %s, terminated", ins.Id(), t.cfg.InstanceTimeout)
			}
			return fmt.Errorf("instance %s: %w", ins.Id(), ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*3/2, t.pollMax)
	}
}

// settled reports whether every task finished successfully, or the
// failure of one as *Error.
func (t *Target) settled(ctx context.Context, ins *odps.Instance, tasks []odps.TaskInInstance) (bool, error) {
	if len(tasks) == 0 {
		return false, nil
	}
	for _, task := range tasks {
		switch task.Status {
		case odps.TaskFailed, odps.TaskCancelled, odps.TaskSuspended:
			content, err := t.result(ctx, ins)
			if err != nil {
				return true, fmt.Errorf("instance %s: task %s %s: %w", ins.Id(), task.Name, task.Status, err)
			}
			return true, newError(ins.Id(), content)
		case odps.TaskSuccess:
		default:
			return false, nil
		}
	}
	return true, nil
}

// logview returns the instance's Logview (job insight) URL, or a note
// naming the instance when the service cannot give one.
func (t *Target) logview(ins *odps.Instance) string {
	url, err := t.odps.LogView().GenerateLogView(ins, 24)
	if err != nil {
		return "Logview unavailable: " + t.redact(err.Error())
	}
	return url
}

// retry calls fn until it succeeds, fails with an error IsRetryable
// rejects, runs out of attempts or ctx ends, doubling the pause each time.
func (t *Target) retry(ctx context.Context, fn func() error) error {
	delay := t.retryMin
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || !IsRetryable(err) || attempt >= t.retryAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*2, 10*time.Second)
	}
}

// parseResult reads a SELECT's CSV result: a header row, then rows with
// NULL written as \N.
func parseResult(content string) (*provider.Result, error) {
	r := csv.NewReader(strings.NewReader(content))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		return &provider.Result{Rows: [][]*string{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read result header: %w", err)
	}
	res := &provider.Result{Columns: header, Rows: [][]*string{}}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return res, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read result: %w", err)
		}
		if len(rec) != len(header) {
			return nil, fmt.Errorf("read result: row of %d values under %d columns", len(rec), len(header))
		}
		row := make([]*string, len(rec))
		for i, v := range rec {
			if v != nullText {
				row[i] = &v
			}
		}
		res.Rows = append(res.Rows, row)
	}
}
