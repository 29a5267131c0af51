package mgw

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// Causes a run is stopped with.
var (
	errSuspended = errors.New("suspended by the user")
	errDeleted   = errors.New("job deleted")
)

// errNoSuchJob is the reply for a missing job.
func errNoSuchJob(name string) *apiError {
	return errorf(http.StatusNotFound, "NoSuchImportJob", "The specified import job %s does not exist.", name)
}

// createJob stores a new job in status IMPORT_JOB_BEGIN.
func (s *Server) createJob(body []byte) *apiError {
	var in importJob
	if err := xml.Unmarshal(body, &in); err != nil {
		return errorf(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed: %v", err)
	}
	if !namePattern.MatchString(in.Name) {
		return errorf(http.StatusBadRequest, "InvalidArgument", "Invalid job name %q.", in.Name)
	}
	switch in.OverwriteMode + "/" + in.TransferMode {
	case "always/all", "always/lastmodified", "never/all":
	default:
		return errorf(http.StatusBadRequest, "InvalidArgument", "OverwriteMode %q with TransferMode %q is not a valid combination.", in.OverwriteMode, in.TransferMode)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	src, dst := s.addresses[in.SrcAddress], s.addresses[in.DestAddress]
	switch {
	case src == nil:
		return errNoSuchAddress(in.SrcAddress)
	case dst == nil:
		return errNoSuchAddress(in.DestAddress)
	case src.detail.AddressType != typeS3 || dst.detail.AddressType != typeOSS:
		return errorf(http.StatusBadRequest, "ImportAddressTypeInvalid", "This emulator copies from an s3 address to an oss address.")
	case s.jobs[in.Name] != nil:
		return errorf(http.StatusConflict, "ImportJobAlreadyExist", "The import job %s already exists.", in.Name)
	}
	for _, j := range s.jobs {
		if j.def.SrcAddress == in.SrcAddress && j.def.DestAddress == in.DestAddress {
			return errorf(http.StatusConflict, "ImportJobRepeatedOnSameAddress", "Job %s already copies %s to %s.", j.def.Name, in.SrcAddress, in.DestAddress)
		}
	}
	now := time.Now().UTC()
	s.jobs[in.Name] = &job{def: in, status: statusBegin, version: newVersion(), created: now, changed: now}
	return nil
}

// getJob returns a job with its status.
func (s *Server) getJob(name string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[name]
	if j == nil {
		return nil, errNoSuchJob(name)
	}
	out := j.def
	out.Status, out.Version = j.status, j.version
	out.CreateTime, out.ModifyTime = j.created.Format(timeLayout), j.changed.Format(timeLayout)
	return out, nil
}

// updateJob changes a job's status: IMPORT_JOB_LAUNCHING starts a new
// run of an idle job, IMPORT_JOB_SUSPEND stops a running one.
func (s *Server) updateJob(name string, body []byte) *apiError {
	var in importJob
	if err := xml.Unmarshal(body, &in); err != nil {
		return errorf(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[name]
	if j == nil {
		return errNoSuchJob(name)
	}
	if in.ImportQos != nil {
		j.def.ImportQos = in.ImportQos
	}
	switch in.Status {
	case "":
		return nil
	case statusLaunching:
		if j.active != nil {
			return errorf(http.StatusBadRequest, "InvalidImportJobStatus", "Job %s is %s and cannot be launched.", name, j.status)
		}
		src, dst := s.addresses[j.def.SrcAddress], s.addresses[j.def.DestAddress]
		if src == nil || dst == nil {
			return errorf(http.StatusBadRequest, "InvalidImportJobStatus", "An address of job %s no longer exists.", name)
		}
		rt := &runtime{id: int64(len(j.runs)) + 1, start: time.Now().UTC(), state: "Normal", listStatus: "Listing"}
		j.runs = append(j.runs, rt)
		ctx, stop := context.WithCancelCause(s.ctx)
		j.stop, j.active = stop, rt
		s.commit(j, rt, statusLaunching)
		s.wg.Go(func() {
			defer stop(nil)
			s.run(ctx, j, rt, src.detail, dst.detail)
		})
		return nil
	case statusSuspend:
		if j.active == nil {
			return errorf(http.StatusBadRequest, "InvalidImportJobStatus", "Job %s is %s and cannot be suspended.", name, j.status)
		}
		j.stop(errSuspended)
		s.commit(j, j.active, statusSuspend)
		j.stop, j.active = nil, nil
		return nil
	}
	return errorf(http.StatusBadRequest, "InvalidImportJobStatus", "Status %q cannot be set by this emulator.", in.Status)
}

// deleteJob stops and removes a job.
func (s *Server) deleteJob(name string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[name]
	if j == nil {
		return errNoSuchJob(name)
	}
	if j.active != nil {
		j.stop(errDeleted)
		j.stop, j.active = nil, nil
	}
	delete(s.jobs, name)
	return nil
}

// commit sets a job's status and records it in the history with the
// run's counts at that moment. s.mu must be held.
func (s *Server) commit(j *job, rt *runtime, status string) {
	j.status, j.changed = status, time.Now().UTC()
	j.history = append(j.history, s.entry(j, rt, int64(len(j.history))+1, status))
}

// entry renders a run's state as a history entry.
func (s *Server) entry(j *job, rt *runtime, commit int64, status string) historyEntry {
	e := historyEntry{
		Name: j.def.Name, JobVersion: j.version, RuntimeID: rt.id, CommitID: commit, Status: status,
		StartTime: rt.start.Format(timeLayout), TotalCount: rt.total, TotalSize: rt.totalSize,
		CopiedCount: rt.copied + rt.skipped, CopiedSize: rt.copiedSize, FailedCount: rt.failed,
		RuntimeState: rt.state, ListStatus: rt.listStatus, Message: rt.message, Operator: "system",
	}
	if !rt.end.IsZero() {
		e.EndTime = rt.end.Format(timeLayout)
	}
	return e
}

// runByID returns a job's run by its ID as a query gives it.
func (j *job) runByID(id string) (*runtime, *apiError) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 1 || n > int64(len(j.runs)) {
		return nil, errorf(http.StatusNotFound, "NoSuchImportJobRunTimeId", "The job %s has no run %q.", j.def.Name, id)
	}
	return j.runs[n-1], nil
}

// jobResult returns the counts of one run.
func (s *Server) jobResult(name, runtimeID string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[name]
	if j == nil {
		return nil, errNoSuchJob(name)
	}
	if runtimeID == "" {
		return nil, errorf(http.StatusBadRequest, "MissingArgument", "runtimeId is required.")
	}
	rt, e := j.runByID(runtimeID)
	if e != nil {
		return nil, e
	}
	ready := "NoNeed"
	if rt.failed > 0 && rt.end.After(rt.start) {
		ready = "Ready"
	}
	return jobResultReply{
		ReadyRetry: ready, AddressType: typeS3, Version: j.version,
		TotalObjectCount: rt.total, TotalObjectSize: rt.totalSize,
		CopiedObjectCount: rt.copied + rt.skipped, CopiedObjectSize: rt.copiedSize, FailedObjectCount: rt.failed,
	}, nil
}

// listHistory returns a job's history, newest first, count entries after
// marker (a commit ID). The newest entry of a running run shows its
// live counts.
func (s *Server) listHistory(name string, q url.Values) (any, *apiError) {
	count := 1000
	if c := q.Get("count"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 || n > 1000 {
			return nil, errorf(http.StatusBadRequest, "InvalidArgument", "count must be between 1 and 1000.")
		}
		count = n
	}
	marker, _ := strconv.ParseInt(q.Get("marker"), 10, 64)
	var only int64
	if r := q.Get("runtimeId"); r != "" {
		only, _ = strconv.ParseInt(r, 10, 64)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[name]
	if j == nil {
		return nil, errNoSuchJob(name)
	}
	out := historyList{JobHistory: []historyEntry{}}
	seen := map[int64]bool{}
	for i := len(j.history) - 1; i >= 0; i-- {
		e := j.history[i]
		if marker > 0 && e.CommitID >= marker || only > 0 && e.RuntimeID != only {
			continue
		}
		if !seen[e.RuntimeID] {
			seen[e.RuntimeID] = true
			e = s.entry(j, j.runs[e.RuntimeID-1], e.CommitID, e.Status)
		}
		if len(out.JobHistory) == count {
			out.Truncated = true
			out.NextMarker = strconv.FormatInt(out.JobHistory[count-1].CommitID, 10)
			break
		}
		out.JobHistory = append(out.JobHistory, e)
	}
	return out, nil
}

const (
	reportRunning  = "Running"
	reportFinished = "Finished"
	reportFailed   = "Failed"
	// reportDelay is how long a report takes to produce, so that clients
	// see it running at least once.
	reportDelay = 30 * time.Millisecond
)

// createReport starts the report of a finished run; asking again for a
// report that exists changes nothing.
func (s *Server) createReport(body []byte) *apiError {
	var in createReportBody
	if err := xml.Unmarshal(body, &in); err != nil {
		return errorf(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[in.JobName]
	if j == nil {
		return errNoSuchJob(in.JobName)
	}
	if in.Version != j.version {
		return errorf(http.StatusBadRequest, "InvalidArgument", "Version %q is not the version of job %s.", in.Version, in.JobName)
	}
	rt, e := j.runByID(strconv.FormatInt(in.RuntimeID, 10))
	if e != nil {
		return e
	}
	if rt.end.IsZero() || j.active == rt {
		return errorf(http.StatusBadRequest, "InvalidImportJobStatus", "Run %d of job %s has not ended.", rt.id, in.JobName)
	}
	if rt.report == nil {
		s.startReport(j, rt)
	}
	return nil
}

// startReport begins producing a run's report: after reportDelay the
// failed-object list is written into the destination bucket and the
// report is finished. s.mu must be held.
func (s *Server) startReport(j *job, rt *runtime) {
	prefix := reportRoot + s.opts.UserID + "/" + j.version + "/" + strconv.FormatInt(rt.id, 10) + "/"
	rep := &runReport{status: reportRunning, created: time.Now().UTC(), prefix: prefix}
	rt.report = rep
	dst := s.addresses[j.def.DestAddress]
	failed := strings.Join(rt.failedKeys, "\n")
	s.wg.Go(func() {
		if sleep(s.ctx, reportDelay) != nil {
			return
		}
		err := fmt.Errorf("the destination address %s no longer exists", j.def.DestAddress)
		if dst != nil {
			var b *oss.Bucket
			if b, err = s.ossBucket(dst.detail); err == nil {
				err = b.PutObject(prefix+"failed_list/failed_list.txt", strings.NewReader(failed))
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		rep.ended = time.Now().UTC()
		rep.status = reportFinished
		if err != nil {
			rep.status, rep.errorMessage = reportFailed, err.Error()
		}
	})
}

// getReport returns the report of a run of the job with the given
// version (the latest run when runtimeID is empty). The list prefixes
// are empty until the report is finished.
func (s *Server) getReport(version, runtimeID string) (any, *apiError) {
	if version == "" {
		return nil, errorf(http.StatusBadRequest, "MissingArgument", "version is required.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var j *job
	for _, c := range s.jobs {
		if c.version == version {
			j = c
		}
	}
	if j == nil {
		return nil, errorf(http.StatusNotFound, "NoSuchImportJob", "No import job has version %s.", version)
	}
	if runtimeID == "" {
		runtimeID = strconv.Itoa(len(j.runs))
	}
	rt, e := j.runByID(runtimeID)
	if e != nil {
		return nil, e
	}
	if rt.report == nil {
		return nil, errorf(http.StatusNotFound, "NoSuchImportReport", "Run %d of job %s has no report.", rt.id, j.def.Name)
	}
	r := rt.report
	out := reportReply{
		Status: r.status, ReportCreateTime: r.created.Format(timeLayout),
		TotalCount: rt.total, CopiedCount: rt.copied, SkippedCount: rt.skipped, FailedCount: rt.failed,
		JobCreateTime: j.created.Format(timeLayout), JobEndTime: rt.end.Format(timeLayout),
		ErrorMessage: r.errorMessage,
	}
	if r.status == reportFinished {
		out.ReportEndTime = r.ended.Format(timeLayout)
		out.TotalListPrefix = r.prefix + "total_list/"
		out.SkippedListPrefix = r.prefix + "skipped_list/"
		out.FailedListPrefix = r.prefix + "failed_list/"
	}
	return out, nil
}
