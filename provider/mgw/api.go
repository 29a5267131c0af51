package mgw

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
)

// Job statuses the service documents. Others may appear; the Copier
// treats any status it does not know as "still running".
const (
	JobBegin       = "IMPORT_JOB_BEGIN"
	JobLaunching   = "IMPORT_JOB_LAUNCHING"
	JobPreparing   = "IMPORT_JOB_PREPARING"
	JobDoing       = "IMPORT_JOB_DOING"
	JobSuspend     = "IMPORT_JOB_SUSPEND"
	JobClosing     = "IMPORT_JOB_CLOSING"
	JobFinished    = "IMPORT_JOB_FINISHED"
	JobInterrupted = "IMPORT_JOB_INTERRUPTED"
	JobConfirmed   = "IMPORT_JOB_CONFIRMED"
	JobDeleting    = "IMPORT_JOB_DELETING"
)

// addressDetail is where an address points and how the service gets in.
type addressDetail struct {
	AddressType  string `xml:"AddressType"`
	Bucket       string `xml:"Bucket,omitempty"`
	Domain       string `xml:"Domain,omitempty"`
	Prefix       string `xml:"Prefix,omitempty"`
	AccessID     string `xml:"AccessId,omitempty"`
	AccessSecret string `xml:"AccessSecret,omitempty"`
	Role         string `xml:"Role,omitempty"`
	RegionID     string `xml:"RegionId,omitempty"`
}

// sameTarget reports whether two details name the same data with the
// same identity; secrets are not compared, since the service may mask
// them in replies.
func (d addressDetail) sameTarget(o addressDetail) bool {
	return d.AddressType == o.AddressType && d.Bucket == o.Bucket && d.Domain == o.Domain &&
		d.Prefix == o.Prefix && d.AccessID == o.AccessID && d.Role == o.Role && d.RegionID == o.RegionID
}

// importAddress is the CreateAddress body and the GetAddress reply.
type importAddress struct {
	XMLName       xml.Name      `xml:"ImportAddress"`
	Name          string        `xml:"Name"`
	AddressDetail addressDetail `xml:"AddressDetail"`
	Status        string        `xml:"Status,omitempty"`
	Version       string        `xml:"Version,omitempty"`
}

// verifyAddressReply is the VerifyAddress reply.
type verifyAddressReply struct {
	XMLName      xml.Name `xml:"VerifyAddressResponse"`
	Status       string   `xml:"Status"`
	VerifyTime   string   `xml:"VerifyTime"`
	ErrorCode    string   `xml:"ErrorCode"`
	ErrorMessage string   `xml:"ErrorMessage"`
}

// importQos limits a job's rate.
type importQos struct {
	MaxBandWidth int64 `xml:"MaxBandWidth,omitempty"`
}

// importJob is the CreateJob and UpdateJob body and the GetJob reply.
type importJob struct {
	XMLName       xml.Name   `xml:"ImportJob"`
	Name          string     `xml:"Name,omitempty"`
	SrcAddress    string     `xml:"SrcAddress,omitempty"`
	DestAddress   string     `xml:"DestAddress,omitempty"`
	OverwriteMode string     `xml:"OverwriteMode,omitempty"`
	TransferMode  string     `xml:"TransferMode,omitempty"`
	CreateReport  bool       `xml:"CreateReport,omitempty"`
	ImportQos     *importQos `xml:"ImportQos,omitempty"`
	Status        string     `xml:"Status,omitempty"`
	Version       string     `xml:"Version,omitempty"`
}

// jobResult is the GetJobResult reply: the counts of one run.
type jobResult struct {
	XMLName           xml.Name `xml:"ImportJobResult"`
	ReadyRetry        string   `xml:"ReadyRetry"`
	TotalObjectCount  int64    `xml:"TotalObjectCount"`
	TotalObjectSize   int64    `xml:"TotalObjectSize"`
	CopiedObjectCount int64    `xml:"CopiedObjectCount"`
	CopiedObjectSize  int64    `xml:"CopiedObjectSize"`
	FailedObjectCount int64    `xml:"FailedObjectCount"`
	Version           string   `xml:"Version"`
}

// jobHistory is one status change of one run of a job.
type jobHistory struct {
	Name         string `xml:"Name"`
	JobVersion   string `xml:"JobVersion"`
	RuntimeID    int64  `xml:"RuntimeId"`
	CommitID     int64  `xml:"CommitId"`
	Status       string `xml:"Status"`
	TotalCount   int64  `xml:"TotalCount"`
	CopiedCount  int64  `xml:"CopiedCount"`
	FailedCount  int64  `xml:"FailedCount"`
	TotalSize    int64  `xml:"TotalSize"`
	CopiedSize   int64  `xml:"CopiedSize"`
	RuntimeState string `xml:"RuntimeState"`
	ListStatus   string `xml:"ListStatus"`
	Message      string `xml:"Message"`
}

// jobHistoryList is the ListJobHistory reply.
type jobHistoryList struct {
	XMLName    xml.Name     `xml:"JobHistoryList"`
	Truncated  bool         `xml:"Truncated"`
	NextMarker string       `xml:"NextMarker"`
	JobHistory []jobHistory `xml:"JobHistory"`
}

// createReport is the CreateReport body.
type createReport struct {
	XMLName   xml.Name `xml:"CreateReport"`
	JobName   string   `xml:"JobName"`
	Version   string   `xml:"Version"`
	RuntimeID int64    `xml:"RuntimeId"`
}

// report is the GetReport reply.
type report struct {
	XMLName           xml.Name `xml:"GetReportResponse"`
	Status            string   `xml:"Status"`
	TotalCount        int64    `xml:"TotalCount"`
	CopiedCount       int64    `xml:"CopiedCount"`
	SkippedCount      int64    `xml:"SkippedCount"`
	FailedCount       int64    `xml:"FailedCount"`
	TotalListPrefix   string   `xml:"TotalListPrefix"`
	SkippedListPrefix string   `xml:"SkippedListPrefix"`
	FailedListPrefix  string   `xml:"FailedListPrefix"`
	ErrorMessage      string   `xml:"ErrorMessage"`
}

// createAddress creates an address.
func (c *client) createAddress(ctx context.Context, a importAddress) error {
	return c.call(ctx, "CreateAddress", http.MethodPost, "/address", nil, &a, nil)
}

// getAddress returns an address; a missing one is CodeNoSuchAddress.
func (c *client) getAddress(ctx context.Context, name string) (*importAddress, error) {
	var a importAddress
	err := c.call(ctx, "GetAddress", http.MethodGet, "/address/"+name, nil, nil, &a)
	return &a, err
}

// verifyAddress asks the service to check that it can reach an address.
func (c *client) verifyAddress(ctx context.Context, name string) (*verifyAddressReply, error) {
	var v verifyAddressReply
	err := c.call(ctx, "VerifyAddress", http.MethodGet, "/address/"+name, url.Values{"verify": {""}}, nil, &v)
	return &v, err
}

// deleteAddress deletes an address.
func (c *client) deleteAddress(ctx context.Context, name string) error {
	return c.call(ctx, "DeleteAddress", http.MethodDelete, "/address/"+name, nil, nil, nil)
}

// createJob creates a job; it does not start it.
func (c *client) createJob(ctx context.Context, j importJob) error {
	return c.call(ctx, "CreateJob", http.MethodPost, "/job", nil, &j, nil)
}

// getJob returns a job; a missing one is CodeNoSuchJob.
func (c *client) getJob(ctx context.Context, name string) (*importJob, error) {
	var j importJob
	err := c.call(ctx, "GetJob", http.MethodGet, "/job/"+name, nil, nil, &j)
	return &j, err
}

// setJobStatus changes a job's status (IMPORT_JOB_LAUNCHING starts it).
func (c *client) setJobStatus(ctx context.Context, name, status string) error {
	return c.call(ctx, "UpdateJob", http.MethodPut, "/job/"+name, nil, &importJob{Status: status}, nil)
}

// deleteJob deletes a job.
func (c *client) deleteJob(ctx context.Context, name string) error {
	return c.call(ctx, "DeleteJob", http.MethodDelete, "/job/"+name, nil, nil, nil)
}

// jobResult returns the counts of one run.
func (c *client) jobResult(ctx context.Context, name string, runtimeID int64) (*jobResult, error) {
	var r jobResult
	q := url.Values{"jobResult": {""}, "runtimeId": {strconv.FormatInt(runtimeID, 10)}}
	err := c.call(ctx, "GetJobResult", http.MethodGet, "/job/"+name, q, nil, &r)
	return &r, err
}

// history returns every history entry of a job, following markers.
func (c *client) history(ctx context.Context, name string) ([]jobHistory, error) {
	var out []jobHistory
	marker := ""
	for {
		q := url.Values{"count": {"1000"}}
		if marker != "" {
			q.Set("marker", marker)
		}
		var l jobHistoryList
		if err := c.call(ctx, "ListJobHistory", http.MethodGet, "/jobhistory/"+name, q, nil, &l); err != nil {
			return nil, err
		}
		out = append(out, l.JobHistory...)
		if !l.Truncated || l.NextMarker == "" || l.NextMarker == marker {
			return out, nil
		}
		marker = l.NextMarker
	}
}

// createReport asks for the report of one run.
func (c *client) createReport(ctx context.Context, job, version string, runtimeID int64) error {
	return c.call(ctx, "CreateReport", http.MethodPost, "/report", nil,
		&createReport{JobName: job, Version: version, RuntimeID: runtimeID}, nil)
}

// getReport returns the report of one run of the job with that version.
func (c *client) getReport(ctx context.Context, version string, runtimeID int64) (*report, error) {
	var r report
	q := url.Values{"version": {version}, "runtimeId": {strconv.FormatInt(runtimeID, 10)}}
	err := c.call(ctx, "GetReport", http.MethodGet, "/report", q, nil, &r)
	return &r, err
}
