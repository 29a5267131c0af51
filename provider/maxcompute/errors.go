package maxcompute

import (
	"context"
	"errors"
	"io"
	"net"
	"regexp"
	"strings"
	"syscall"

	"github.com/aliyun/aliyun-odps-go-sdk/odps/restclient"
)

// Error is a failed MaxCompute SQL task.
type Error struct {
	// Code is the service's error code ("ODPS-0123131"), empty when the
	// message carries none.
	Code string
	// Message is the task result text, secrets redacted.
	Message string
	// InstanceID names the instance, for Logview and support requests.
	InstanceID string
	// Hint says what usually causes Code, when ferry knows.
	Hint string
}

// Error returns the message with the hint and the instance.
func (e *Error) Error() string {
	s := e.Message
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s + " [instance " + e.InstanceID + "]"
}

// codeHints explain the error codes a migration meets most.
var codeHints = map[string]string{
	"ODPS-0123131": "type mismatch: check the column types of the Parquet files against the table",
	"ODPS-0130131": "table not found: check the project, schema and table name",
	"ODPS-0130013": "authorization: check the load role ARN, its trust policy and its OSS read permission",
	"ODPS-0130071": "semantic error: check the SQL and the type flags (odps.sql.type.system.odps2)",
	"ODPS-0130161": "parse error: check the SQL syntax",
	"ODPS-0420111": "project or instance not found: check the project name and endpoint",
}

var codePattern = regexp.MustCompile(`ODPS-\d{7}`)

// newError builds the Error of a failed task from its result text.
func newError(instanceID, content string) *Error {
	msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(content), "FAILED:"))
	code := codePattern.FindString(msg)
	return &Error{Code: code, Message: msg, InstanceID: instanceID, Hint: codeHints[code]}
}

// IsRetryable reports whether a request may succeed if sent again: the
// service answered 5xx or 429 (restclient.HttpError), or the network
// failed. It decides from error types and status codes only. A failed SQL
// task (*Error) is never retryable: the statement itself was refused.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var te *Error
	if errors.As(err, &te) {
		return false
	}
	var he restclient.HttpError
	if errors.As(err, &he) {
		return he.StatusCode >= 500 || he.StatusCode == 429
	}
	var hp *restclient.HttpError
	if errors.As(err, &hp) && hp != nil {
		return hp.StatusCode >= 500 || hp.StatusCode == 429
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}

// ossUserInfo matches the AccessKey a LOAD location may carry:
// oss://<id>:<secret>@endpoint/…
var ossUserInfo = regexp.MustCompile(`(?i)oss://[^/@\s'"]+@`)

// redact removes AccessKeys from OSS locations, every configured secret
// and the extra secrets (such as a location's AccessKey) from s.
func (t *Target) redact(s string, extra ...string) string {
	s = ossUserInfo.ReplaceAllString(s, "oss://(sensitive)@")
	for _, secret := range append(extra, t.secrets...) {
		if secret == "" {
			continue
		}
		s = strings.ReplaceAll(s, secret, "(sensitive)")
	}
	return s
}

// redactedError is an error whose text had secrets removed. Unwrap keeps
// errors.As working for retry decisions; the wrapped error's own text is
// not redacted and must not be printed.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactErr returns err with secrets removed from its text; a task
// failure stays an *Error with a redacted message.
func (t *Target) redactErr(err error, extra ...string) error {
	if err == nil {
		return nil
	}
	var te *Error
	if errors.As(err, &te) {
		te.Message = t.redact(te.Message, extra...)
	}
	if msg := t.redact(err.Error(), extra...); msg != err.Error() {
		return &redactedError{msg: msg, err: err}
	}
	return err
}
