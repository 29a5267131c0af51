package mgw

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"github.com/ferry-dev/ferry/provider"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

const (
	// maxAttempts bounds the tries of one request that fails with a 5xx,
	// a 429 or a network error.
	maxAttempts = 4
	retryBase   = 100 * time.Millisecond
	retryMax    = 5 * time.Second
	// maxErrorBody is the most of an error reply read into a ServiceError.
	maxErrorBody = 64 << 10
	userAgent    = "ferry"
)

// Service error codes the Copier acts on. They come from the service's
// published error code list.
const (
	CodeNoSuchAddress        = "NoSuchImportAddress"
	CodeNoSuchJob            = "NoSuchImportJob"
	CodeAddressAlreadyExists = "ImportAddressAlreadyExist"
	CodeJobAlreadyExists     = "ImportJobAlreadyExist"
)

// ServiceError is an error reply from the migration service. Its text
// never includes request credentials.
type ServiceError struct {
	// Operation is the API called ("CreateJob").
	Operation string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code and Message come from the XML error body; Code is empty when
	// the reply had none.
	Code    string
	Message string
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string
}

// Error describes the failure with its status, code and request ID.
func (e *ServiceError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: HTTP %d", e.Operation, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request " + e.RequestID + ")")
	}
	return b.String()
}

// IsCode reports whether err is a ServiceError with the given code.
func IsCode(err error, code string) bool {
	var se *ServiceError
	return errors.As(err, &se) && se.Code == code
}

// retryable reports whether a failed attempt is worth repeating: server
// errors, throttling and network failures, never cancellation.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var se *ServiceError
	if errors.As(err, &se) {
		return se.StatusCode >= 500 || se.StatusCode == http.StatusTooManyRequests
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// client sends signed XML requests to the migration service.
type client struct {
	http    *http.Client
	base    *url.URL
	host    string
	signer  *signer
	secrets []string
}

// call sends one request and decodes an XML reply into out (nil: the
// reply body is ignored). in, when not nil, is marshalled as the XML
// body. Failures with a 5xx, 429 or network error are retried with
// jittered backoff.
func (c *client) call(ctx context.Context, op, method, path string, query url.Values, in, out any) error {
	var body []byte
	if in != nil {
		b, err := xml.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: encode request: %w", op, err)
		}
		body = append([]byte(xml.Header), b...)
	}
	delay := retryBase
	for attempt := 1; ; attempt++ {
		err := c.once(ctx, op, method, path, query, body, out)
		if err == nil || attempt >= maxAttempts || !retryable(err) || ctx.Err() != nil {
			return provider.ScrubError(err, c.secrets...)
		}
		wait := delay/2 + rand.N(delay/2+1)
		select {
		case <-ctx.Done():
			return provider.ScrubError(err, c.secrets...)
		case <-time.After(wait):
		}
		delay = min(2*delay, retryMax)
	}
}

// once makes a single attempt of a call.
func (c *client) once(ctx context.Context, op, method, path string, query url.Values, body []byte, out any) error {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = encodeQuery(query)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	req.Host = c.host
	req.Header.Set("User-Agent", userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/xml")
	}
	c.signer.sign(req, body)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return decodeError(op, resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := xml.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s: decode reply: %w", op, err)
	}
	return nil
}

// encodeQuery renders query parameters, writing those with an empty
// value bare ("verify", not "verify=").
func encodeQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	var parts []string
	for k, vs := range q {
		for _, v := range vs {
			if v == "" {
				parts = append(parts, url.QueryEscape(k))
			} else {
				parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
			}
		}
	}
	return strings.Join(parts, "&")
}

// errorReply is the service's XML error document.
type errorReply struct {
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
	RequestID string `xml:"RequestId"`
}

// decodeError turns a non-2xx reply into a ServiceError.
func decodeError(op string, resp *http.Response) error {
	se := &ServiceError{Operation: op, StatusCode: resp.StatusCode, RequestID: resp.Header.Get("x-oss-request-id")}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var e errorReply
	if xml.Unmarshal(data, &e) == nil {
		se.Code, se.Message = e.Code, e.Message
		if e.RequestID != "" {
			se.RequestID = e.RequestID
		}
	}
	return se
}

const (
	// signAlgorithm opens the Authorization header.
	signAlgorithm = "OSS4-HMAC-SHA256"
	// signProduct is the service named in the credential scope: the
	// migration service is signed by the OSS gateway, so it is "oss".
	signProduct = "oss"
	// signTerminator ends the credential scope.
	signTerminator = "aliyun_v4_request"
	// unsignedPayload is the body hash sent: the body is covered by
	// Content-MD5 instead.
	unsignedPayload = "UNSIGNED-PAYLOAD"

	headerDate          = "x-oss-date"
	headerContentSHA256 = "x-oss-content-sha256"
	headerSecurityToken = "x-oss-security-token"
	dateFormat          = "20060102T150405Z"
)

// signer signs requests with the OSS V4 scheme the migration service's
// gateway checks.
type signer struct {
	keyID, secret, token, region string
	// now is the clock, replaceable in tests.
	now func() time.Time
}

// sign adds the date, payload, token, Content-MD5 and Authorization
// headers to r, whose body is body (nil for none). The canonical URI is
// the request path as sent: the service has no bucket in its paths.
func (s *signer) sign(r *http.Request, body []byte) {
	t := s.now().UTC()
	stamp := t.Format(dateFormat)
	day := t.Format("20060102")
	r.Header.Set(headerDate, stamp)
	r.Header.Set(headerContentSHA256, unsignedPayload)
	if s.token != "" {
		r.Header.Set(headerSecurityToken, s.token)
	}
	if len(body) > 0 {
		sum := md5.Sum(body)
		r.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	}
	scope := day + "/" + s.region + "/" + signProduct + "/" + signTerminator
	canonical := canonicalRequest(r)
	digest := sha256.Sum256([]byte(canonical))
	toSign := signAlgorithm + "\n" + stamp + "\n" + scope + "\n" + hex.EncodeToString(digest[:])
	sig := hex.EncodeToString(hmacChain("aliyun_v4"+s.secret, day, s.region, signProduct, signTerminator, toSign))
	r.Header.Set("Authorization", signAlgorithm+" Credential="+s.keyID+"/"+scope+",Signature="+sig)
}

// canonicalRequest renders r as the V4 canonical request: method, URI,
// sorted query, the signed headers (content-type, content-md5 and every
// x-oss-* header), an empty additional-headers line and the payload hash.
func canonicalRequest(r *http.Request) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(escapePath(r.URL.Path) + "\n")
	b.WriteString(canonicalQuery(r.URL.Query()) + "\n")
	var names []string
	vals := map[string]string{}
	for k, v := range r.Header {
		lk := strings.ToLower(k)
		if len(v) == 0 || !(lk == "content-type" || lk == "content-md5" || strings.HasPrefix(lk, "x-oss-")) {
			continue
		}
		names = append(names, lk)
		vals[lk] = strings.TrimSpace(v[0])
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString(n + ":" + vals[n] + "\n")
	}
	b.WriteString("\n\n")
	payload := r.Header.Get(headerContentSHA256)
	if payload == "" {
		payload = unsignedPayload
	}
	b.WriteString(payload)
	return b.String()
}

// canonicalQuery sorts the parameters by encoded name; a parameter
// without a value ("?verify") is written bare.
func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	enc := map[string]string{}
	for k, v := range q {
		ek := escape(k)
		keys = append(keys, ek)
		if len(v) > 0 && v[0] != "" {
			enc[ek] = escape(v[0])
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k
		if v, ok := enc[k]; ok {
			parts[i] += "=" + v
		}
	}
	return strings.Join(parts, "&")
}

// escape percent-encodes everything but unreserved characters, with a
// space as %20.
func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// escapePath escapes each segment of a path, keeping the slashes.
func escapePath(p string) string {
	if p == "" {
		return "/"
	}
	return strings.ReplaceAll(escape(p), "%2F", "/")
}

// hmacChain derives the signing key from key through each scope element
// in turn and returns the HMAC-SHA256 of the last element with it.
func hmacChain(key string, parts ...string) []byte {
	k := []byte(key)
	for _, p := range parts {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(p))
		k = m.Sum(nil)
	}
	return k
}
