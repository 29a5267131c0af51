package maxcompute

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// instance is one submitted job with its single SQL task.
type instance struct {
	id, task, query string
	settings        map[string]string
	start, end      time.Time
	status          string // Running, Success, Failed, Cancelled
	result          string
	polls           int
	cancel          context.CancelFunc
}

// property is one <Property> of a task's <Config>.
type property struct {
	Name  string
	Value string
}

// jobRequest is the body of POST /projects/p/instances.
type jobRequest struct {
	XMLName xml.Name `xml:"Instance"`
	Job     struct {
		Name     string
		Priority int
		Tasks    struct {
			SQL []struct {
				Name   string
				Config []property `xml:"Config>Property"`
				Query  string
			} `xml:"SQL"`
			Any []struct {
				XMLName xml.Name
			} `xml:",any"`
		}
	}
}

// createInstance accepts a job of one SQL task, starts it and answers 201
// with the instance in Location, the asynchronous case of the SDK.
func (s *Server) createInstance(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	var job jobRequest
	if err == nil {
		err = xml.Unmarshal(body, &job)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "ODPS-0010000:Invalid job XML - "+err.Error())
		return
	}
	if len(job.Job.Tasks.Any) > 0 || len(job.Job.Tasks.SQL) != 1 {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "ODPS-0010000:the emulator runs jobs of exactly one SQL task")
		return
	}
	t := job.Job.Tasks.SQL[0]
	in := &instance{task: t.Name, query: t.Query, settings: map[string]string{}, start: time.Now(), status: "Running"}
	for _, p := range t.Config {
		if p.Name == "settings" && p.Value != "" {
			if err := json.Unmarshal([]byte(p.Value), &in.settings); err != nil {
				writeError(w, http.StatusBadRequest, "InvalidArgument", "ODPS-0010000:settings is not a JSON object of strings - "+err.Error())
				return
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	in.cancel = cancel
	s.mu.Lock()
	in.id = fmt.Sprintf("%sgemu%06d", time.Now().UTC().Format("20060102150405000"), len(s.instances)+1)
	s.instances[in.id] = in
	s.mu.Unlock()
	s.running.Add(1)
	go s.execute(ctx, in)
	w.Header().Set("Location", fmt.Sprintf("%s/projects/%s/instances/%s", s.Endpoint, s.opts.Project, in.id))
	w.WriteHeader(http.StatusCreated)
}

// execute runs the task and records its outcome. A failed task's result
// is the error text the service reports, starting "FAILED: ODPS-…".
func (s *Server) execute(ctx context.Context, in *instance) {
	defer s.running.Done()
	defer in.cancel()
	if s.opts.TaskDelay > 0 {
		select {
		case <-time.After(s.opts.TaskDelay):
		case <-ctx.Done():
		}
	}
	var result string
	err := ctx.Err()
	if err == nil {
		result, err = s.project.run(ctx, in.query, in.settings, sizeLimited(s.opts.Locations, s.opts.MaxFileBytes))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in.end = time.Now()
	switch {
	case in.status == "Cancelled":
	case err != nil:
		in.status, in.result = "Failed", "FAILED: "+semantic(err).Error()
	default:
		in.status, in.result = "Success", result
	}
}

// terminateInstance cancels a running instance (PUT with
// <Instance><Status>Terminated</Status></Instance>).
func (s *Server) terminateInstance(w http.ResponseWriter, id string) {
	s.mu.Lock()
	in, ok := s.instances[id]
	if ok && in.status == "Running" {
		in.status = "Cancelled"
		in.result = "FAILED: ODPS-0130000:Instance cancelled by user"
		in.cancel()
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "NoSuchObject", "ODPS-0420111:Instance not found - "+id)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// taskXML is one <Task> of a status or result answer.
type taskXML struct {
	Type      string `xml:"Type,attr"`
	Name      string
	StartTime string     `xml:",omitempty"`
	EndTime   string     `xml:",omitempty"`
	Status    string     `xml:",omitempty"`
	Result    *resultXML `xml:",omitempty"`
}

// resultXML is a task result, base64-encoded when it would not survive
// XML as text.
type resultXML struct {
	Transform string `xml:"Transform,attr,omitempty"`
	Format    string `xml:"Format,attr"`
	Content   string `xml:",cdata"`
}

// instanceXML is the <Instance> document of the GET answers.
type instanceXML struct {
	XMLName xml.Name  `xml:"Instance"`
	Status  string    `xml:",omitempty"`
	Tasks   []taskXML `xml:"Tasks>Task,omitempty"`
}

// getInstance answers Instance.Load (no query), GetTasks (?taskstatus),
// GetResult (?result) and GetTaskSummary (?instancesummary). The first
// RunningPolls task-status answers say Running whatever the real status,
// so that callers must poll.
func (s *Server) getInstance(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.instances[id]
	if !ok {
		writeError(w, http.StatusNotFound, "NoSuchObject", "ODPS-0420111:Instance not found - "+id)
		return
	}
	q := r.URL.Query()
	w.Header().Set("x-odps-owner", "ALIYUN$"+s.opts.AccessKeyID)
	w.Header().Set("x-odps-start-time", in.start.UTC().Format(http.TimeFormat))
	if !in.end.IsZero() {
		w.Header().Set("x-odps-end-time", in.end.UTC().Format(http.TimeFormat))
	}
	task := taskXML{Type: "SQL", Name: in.task, StartTime: in.start.UTC().Format(http.TimeFormat), Status: in.status}
	if !in.end.IsZero() {
		task.EndTime = in.end.UTC().Format(http.TimeFormat)
	}
	switch {
	case q.Has("taskstatus"):
		if in.polls < s.opts.RunningPolls {
			in.polls++
			task.Status, task.EndTime = "Running", ""
		}
		writeXML(w, http.StatusOK, instanceXML{Tasks: []taskXML{task}})
	case q.Has("result"):
		task.StartTime, task.EndTime = "", ""
		task.Result = encodeResult(in)
		writeXML(w, http.StatusOK, instanceXML{Tasks: []taskXML{task}})
	case q.Has("instancesummary"):
		summary := fmt.Sprintf("task %s: %s", in.task, in.status)
		b, _ := json.Marshal(map[string]any{"Instance": map[string]string{"JsonSummary": "{}", "Summary": summary}})
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	default:
		status := "Running"
		if in.status != "Running" {
			status = "Terminated"
		}
		writeXML(w, http.StatusOK, instanceXML{Status: status})
	}
}

// encodeResult wraps a result, choosing base64 for text XML cannot carry.
func encodeResult(in *instance) *resultXML {
	format := "text"
	if in.status == "Success" && in.result != "OK" {
		format = "csv"
	}
	res := &resultXML{Format: format, Content: in.result}
	if !utf8.ValidString(in.result) || strings.ContainsFunc(in.result, func(r rune) bool {
		return r < 0x20 && r != '\n' && r != '\r' && r != '\t'
	}) {
		res.Transform, res.Content = "Base64", base64.StdEncoding.EncodeToString([]byte(in.result))
	}
	return res
}
