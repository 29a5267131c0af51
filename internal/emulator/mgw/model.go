package mgw

import (
	"context"
	"encoding/xml"
	"time"
)

// Job statuses, as the API reference lists them.
const (
	statusBegin       = "IMPORT_JOB_BEGIN"
	statusLaunching   = "IMPORT_JOB_LAUNCHING"
	statusPreparing   = "IMPORT_JOB_PREPARING"
	statusDoing       = "IMPORT_JOB_DOING"
	statusSuspend     = "IMPORT_JOB_SUSPEND"
	statusClosing     = "IMPORT_JOB_CLOSING"
	statusFinished    = "IMPORT_JOB_FINISHED"
	statusInterrupted = "IMPORT_JOB_INTERRUPTED"

	timeLayout = "2006-01-02T15:04:05.000Z"
	// reportRoot is the folder of the destination bucket reports go to.
	reportRoot = "aliyun_import_report/"
)

// addressDetail is the detail element of an address.
type addressDetail struct {
	AddressType  string `xml:"AddressType"`
	Bucket       string `xml:"Bucket"`
	Domain       string `xml:"Domain"`
	Prefix       string `xml:"Prefix"`
	AccessID     string `xml:"AccessId"`
	AccessSecret string `xml:"AccessSecret"`
	Role         string `xml:"Role"`
	RegionID     string `xml:"RegionId"`
	AgentList    string `xml:"AgentList"`
}

// importAddress is the CreateAddress body and the GetAddress reply.
type importAddress struct {
	XMLName       xml.Name      `xml:"ImportAddress"`
	Owner         string        `xml:"Owner,omitempty"`
	Name          string        `xml:"Name"`
	AddressDetail addressDetail `xml:"AddressDetail"`
	CreateTime    string        `xml:"CreateTime,omitempty"`
	ModifyTime    string        `xml:"ModifyTime,omitempty"`
	VerifyTime    string        `xml:"VerifyTime,omitempty"`
	Version       string        `xml:"Version,omitempty"`
	Tags          string        `xml:"Tags,omitempty"`
	Status        string        `xml:"Status,omitempty"`
}

// verifyReply is the VerifyAddress reply.
type verifyReply struct {
	XMLName      xml.Name `xml:"VerifyAddressResponse"`
	Status       string   `xml:"Status"`
	VerifyTime   string   `xml:"VerifyTime"`
	ErrorCode    string   `xml:"ErrorCode,omitempty"`
	ErrorMessage string   `xml:"ErrorMessage,omitempty"`
}

// importQos is a job's rate limit.
type importQos struct {
	MaxBandWidth     int64 `xml:"MaxBandWidth,omitempty"`
	MaxImportTaskQps int64 `xml:"MaxImportTaskQps,omitempty"`
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
	CreateTime    string     `xml:"CreateTime,omitempty"`
	ModifyTime    string     `xml:"ModifyTime,omitempty"`
}

// jobResultReply is the GetJobResult reply.
type jobResultReply struct {
	XMLName           xml.Name `xml:"ImportJobResult"`
	ReadyRetry        string   `xml:"ReadyRetry"`
	AddressType       string   `xml:"AddressType"`
	TotalObjectCount  int64    `xml:"TotalObjectCount"`
	TotalObjectSize   int64    `xml:"TotalObjectSize"`
	CopiedObjectCount int64    `xml:"CopiedObjectCount"`
	CopiedObjectSize  int64    `xml:"CopiedObjectSize"`
	FailedObjectCount int64    `xml:"FailedObjectCount"`
	Version           string   `xml:"Version"`
}

// historyEntry is one element of a ListJobHistory reply.
type historyEntry struct {
	XMLName      xml.Name `xml:"JobHistory"`
	Name         string   `xml:"Name"`
	JobVersion   string   `xml:"JobVersion"`
	RuntimeID    int64    `xml:"RuntimeId"`
	CommitID     int64    `xml:"CommitId"`
	StartTime    string   `xml:"StartTime"`
	EndTime      string   `xml:"EndTime"`
	Status       string   `xml:"Status"`
	TotalCount   int64    `xml:"TotalCount"`
	CopiedCount  int64    `xml:"CopiedCount"`
	FailedCount  int64    `xml:"FailedCount"`
	TotalSize    int64    `xml:"TotalSize"`
	CopiedSize   int64    `xml:"CopiedSize"`
	RuntimeState string   `xml:"RuntimeState"`
	Message      string   `xml:"Message"`
	Operator     string   `xml:"Operator"`
	ListStatus   string   `xml:"ListStatus"`
}

// historyList is the ListJobHistory reply.
type historyList struct {
	XMLName    xml.Name       `xml:"JobHistoryList"`
	Truncated  bool           `xml:"Truncated"`
	NextMarker string         `xml:"NextMarker"`
	JobHistory []historyEntry `xml:"JobHistory"`
}

// createReportBody is the CreateReport body.
type createReportBody struct {
	XMLName   xml.Name `xml:"CreateReport"`
	JobName   string   `xml:"JobName"`
	Version   string   `xml:"Version"`
	RuntimeID int64    `xml:"RuntimeId"`
}

// reportReply is the GetReport reply.
type reportReply struct {
	XMLName           xml.Name `xml:"GetReportResponse"`
	Status            string   `xml:"Status"`
	ReportCreateTime  string   `xml:"ReportCreateTime"`
	ReportEndTime     string   `xml:"ReportEndTime"`
	TotalCount        int64    `xml:"TotalCount"`
	CopiedCount       int64    `xml:"CopiedCount"`
	SkippedCount      int64    `xml:"SkippedCount"`
	FailedCount       int64    `xml:"FailedCount"`
	JobCreateTime     string   `xml:"JobCreateTime"`
	JobEndTime        string   `xml:"JobEndTime"`
	TotalListPrefix   string   `xml:"TotalListPrefix"`
	SkippedListPrefix string   `xml:"SkippedListPrefix"`
	FailedListPrefix  string   `xml:"FailedListPrefix"`
	ErrorMessage      string   `xml:"ErrorMessage"`
}

// address is a stored address.
type address struct {
	name            string
	detail          addressDetail
	version, status string
	created         time.Time
	verified        time.Time
}

// job is a stored job and its runs.
type job struct {
	def     importJob
	status  string
	version string
	created time.Time
	changed time.Time
	runs    []*runtime
	history []historyEntry
	// active is the run in progress and stop ends it, with the reason.
	active *runtime
	stop   context.CancelCauseFunc
}

// runtime is one run of a job. Its fields are read and written with
// Server.mu held.
type runtime struct {
	id                                   int64
	start, end                           time.Time
	total, totalSize, copied, copiedSize int64
	failed, skipped                      int64
	listStatus, state, message           string
	failedKeys                           []string
	// report is the run's report, nil until one is asked for.
	report *runReport
}

// runReport is the state of a run's report.
type runReport struct {
	status, errorMessage string
	created, ended       time.Time
	prefix               string
}
