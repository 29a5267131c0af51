package mgw

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	testUID    = "1147000087600055"
	testRegion = "cn-hangzhou"
	testKey    = "LTAI5tEmulatorKey"
	testSecret = "emulator-secret-0123456789"
)

// client signs requests for a test server the way the service's
// gateway expects, with its own clock and key.
type client struct {
	t      *testing.T
	srv    *Server
	host   string
	secret string
	// md5, when set, is sent as Content-MD5 instead of the body's digest.
	md5 string
}

func newClient(t *testing.T, opts Options) *client {
	t.Helper()
	opts.UserID, opts.Region, opts.AccessKeyID, opts.AccessKeySecret = testUID, testRegion, testKey, testSecret
	srv := Start(t, opts)
	return &client{t: t, srv: srv, host: testUID + "." + testRegion + ".mgw.aliyuncs.com", secret: testSecret}
}

// do sends a signed request and returns the status and body.
func (c *client) do(method, target, body string) (int, string) {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, c.srv.Endpoint()+target, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	r.Host = c.host
	now := time.Now().UTC()
	r.Header.Set("x-oss-date", now.Format(dateLayout))
	r.Header.Set("x-oss-content-sha256", unsignedPayload)
	if body != "" {
		sum := md5.Sum([]byte(body))
		r.Header.Set("Content-Type", "application/xml")
		r.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
		if c.md5 != "" {
			r.Header.Set("Content-MD5", c.md5)
		}
	}
	day := now.Format("20060102")
	canon := sha256.Sum256([]byte(canonicalRequest(r, nil)))
	toSign := v4Algorithm + "\n" + now.Format(dateLayout) + "\n" + day + "/" + testRegion + "/oss/aliyun_v4_request\n" + hex.EncodeToString(canon[:])
	sig := hex.EncodeToString(derive("aliyun_v4"+c.secret, day, testRegion, "oss", "aliyun_v4_request", toSign))
	r.Header.Set("Authorization", v4Algorithm+" Credential="+testKey+"/"+day+"/"+testRegion+"/oss/aliyun_v4_request,Signature="+sig)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("x-oss-request-id") == "" {
		c.t.Errorf("%s %s: no x-oss-request-id", method, target)
	}
	return resp.StatusCode, string(data)
}

// expect checks a reply's status and, for errors, its code.
func (c *client) expect(method, target, body string, status int, code string) string {
	c.t.Helper()
	got, reply := c.do(method, target, body)
	if got != status || code != "" && !strings.Contains(reply, "<Code>"+code+"</Code>") {
		c.t.Fatalf("%s %s: %d %s, want %d %s", method, target, got, reply, status, code)
	}
	return reply
}

// closedPort returns a loopback URL nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func s3Address(name, domain, prefix string) string {
	return `<ImportAddress><Name>` + name + `</Name><AddressDetail><AddressType>s3</AddressType><Bucket>b</Bucket>` +
		`<Domain>` + domain + `</Domain><Prefix>` + prefix + `</Prefix><AccessId>AKIA</AccessId><AccessSecret>aws-secret-value</AccessSecret></AddressDetail></ImportAddress>`
}

const ossAddress = `<ImportAddress><Name>dst-1</Name><AddressDetail><AddressType>oss</AddressType><Bucket>landing</Bucket>` +
	`<RegionId>oss-cn-hangzhou</RegionId><Role>writer</Role></AddressDetail></ImportAddress>`

func TestAuthentication(t *testing.T) {
	c := newClient(t, Options{})
	c.expect(http.MethodGet, "/address/nope", "", http.StatusNotFound, "NoSuchImportAddress")

	resp, err := http.Get(c.srv.Endpoint() + "/address/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned request: %d, want 403", resp.StatusCode)
	}

	c.secret = "wrong-secret"
	reply := c.expect(http.MethodGet, "/address/nope", "", http.StatusForbidden, "SignatureDoesNotMatch")
	if strings.Contains(reply, testSecret) {
		t.Error("the error reply shows the secret")
	}
	c.secret = testSecret
	c.host = "999." + testRegion + ".mgw.aliyuncs.com"
	c.expect(http.MethodGet, "/address/nope", "", http.StatusForbidden, "AccessDenied")
}

func TestAddressesAndJobs(t *testing.T) {
	c := newClient(t, Options{Faults: &Faults{FailRequests: 1}})
	c.expect(http.MethodGet, "/address/src-1", "", http.StatusServiceUnavailable, "ServiceUnavailable")

	c.expect(http.MethodPost, "/address", s3Address("src-1", "http://x", "no-slash"), http.StatusBadRequest, "InvalidArgument")
	c.expect(http.MethodPost, "/address", s3Address("src-1", closedPort(t), "data/"), http.StatusOK, "")
	c.expect(http.MethodPost, "/address", s3Address("src-1", "http://x", "data/"), http.StatusConflict, "ImportAddressAlreadyExist")
	c.expect(http.MethodPost, "/address", ossAddress, http.StatusOK, "")
	reply := c.expect(http.MethodGet, "/address/src-1", "", http.StatusOK, "")
	if strings.Contains(reply, "aws-secret-value") || !strings.Contains(reply, "<Prefix>data/</Prefix>") {
		t.Errorf("GetAddress: %s", reply)
	}
	if reply := c.expect(http.MethodGet, "/address/src-1?verify", "", http.StatusOK, ""); !strings.Contains(reply, "<Status>unavailable</Status>") {
		t.Errorf("verify of an unreachable source: %s", reply)
	}

	job := `<ImportJob><Name>job-1</Name><SrcAddress>src-1</SrcAddress><DestAddress>dst-1</DestAddress>` +
		`<OverwriteMode>always</OverwriteMode><TransferMode>all</TransferMode></ImportJob>`
	c.expect(http.MethodPost, "/job", strings.Replace(job, "dst-1", "dst-2", 1), http.StatusNotFound, "NoSuchImportAddress")
	c.expect(http.MethodPost, "/job", job, http.StatusOK, "")
	c.expect(http.MethodPost, "/job", strings.Replace(job, "job-1", "job-2", 1), http.StatusConflict, "ImportJobRepeatedOnSameAddress")
	c.expect(http.MethodDelete, "/address/src-1", "", http.StatusConflict, "ImportAddressIsOccupied")
	if reply := c.expect(http.MethodGet, "/job/job-1", "", http.StatusOK, ""); !strings.Contains(reply, "<Status>IMPORT_JOB_BEGIN</Status>") {
		t.Errorf("new job: %s", reply)
	}

	// The source cannot be listed, so the run is interrupted.
	c.expect(http.MethodPut, "/job/job-1", `<ImportJob><Status>IMPORT_JOB_LAUNCHING</Status></ImportJob>`, http.StatusOK, "")
	var status string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if status, _ = c.srv.JobStatus("job-1"); status == statusInterrupted {
			break
		}
	}
	if status != statusInterrupted {
		t.Fatalf("run with an unreachable source ended %s", status)
	}
	var hist historyList
	if err := xml.Unmarshal([]byte(c.expect(http.MethodGet, "/jobhistory/job-1?count=2", "", http.StatusOK, "")), &hist); err != nil {
		t.Fatal(err)
	}
	if len(hist.JobHistory) != 2 || !hist.Truncated || hist.JobHistory[0].Status != statusInterrupted ||
		hist.JobHistory[0].RuntimeState != "Interrupt" || hist.JobHistory[0].Message == "" {
		t.Errorf("history page: %+v", hist)
	}
	next := c.expect(http.MethodGet, "/jobhistory/job-1?marker="+hist.NextMarker, "", http.StatusOK, "")
	if !strings.Contains(next, "<Status>IMPORT_JOB_LAUNCHING</Status>") || strings.Contains(next, statusInterrupted) {
		t.Errorf("second history page: %s", next)
	}
	c.expect(http.MethodGet, "/job/job-1?jobResult&runtimeId=2", "", http.StatusNotFound, "NoSuchImportJobRunTimeId")
	c.expect(http.MethodDelete, "/job/job-1", "", http.StatusOK, "")
	c.expect(http.MethodDelete, "/address/src-1", "", http.StatusOK, "")
	if got := c.srv.Addresses(); len(got) != 1 || got[0] != "dst-1" {
		t.Errorf("addresses left: %v", got)
	}
}

func TestBodyDigestIsChecked(t *testing.T) {
	c := newClient(t, Options{})
	sum := md5.Sum([]byte("another body"))
	c.md5 = base64.StdEncoding.EncodeToString(sum[:])
	c.expect(http.MethodPost, "/address", ossAddress, http.StatusBadRequest, "InvalidDigest")
	if len(c.srv.Addresses()) != 0 {
		t.Error("an address was created from a body whose digest did not match")
	}
	c.md5 = ""
	c.expect(http.MethodPost, "/address", ossAddress, http.StatusOK, "")
}
