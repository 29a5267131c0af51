package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ferry-dev/ferry/provider"
)

func providerCopyRequest(src, dst provider.Bucket) provider.CopyRequest {
	return provider.CopyRequest{Src: src, Dst: dst}
}

// rawClient signs plain net/http requests with SigV4 and an unsigned
// payload: the least work a client can do per byte.
type rawClient struct {
	endpoint string
	hc       *http.Client
	signer   *v4.Signer
	creds    aws.Credentials
}

func newRawClient(endpoint string) *rawClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	tr.DisableCompression = true
	return &rawClient{endpoint: endpoint, hc: &http.Client{Transport: tr}, signer: v4.NewSigner(),
		creds: aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}}
}

var emptySHA = func() string { h := sha256.Sum256(nil); return hex.EncodeToString(h[:]) }()

func (c *rawClient) request(method, path string, body io.Reader, size int64) (*http.Response, error) {
	req, err := http.NewRequest(method, c.endpoint+path, body)
	if err != nil {
		return nil, err
	}
	payload := emptySHA
	if body != nil {
		payload = "UNSIGNED-PAYLOAD"
		req.ContentLength = size
		if size == 0 {
			req.Body = http.NoBody
		}
	}
	req.Header.Set("X-Amz-Content-Sha256", payload)
	if err := c.signer.SignHTTP(context.Background(), c.creds, req, payload, "s3", region, time.Now()); err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		resp.Body.Close()
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(msg)))
	}
	return resp, nil
}

func (c *rawClient) do(method, path string, body io.Reader, size int64) error {
	resp, err := c.request(method, path, body, size)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// pipe copies one object: the GET response body is the PUT request body.
func (c *rawClient) pipe(key string, size int64) error {
	resp, err := c.request(http.MethodGet, "/"+srcBucket+"/"+key, nil, 0)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return c.do(http.MethodPut, "/"+dstBucket+"/"+key, resp.Body, size)
}

// copyRaw copies every object (workers > 1) or the largest one alone
// (workers == 1) with single-stream GET->PUT pipes, no checksums, no
// multipart, no retries.
func copyRaw(o options, workers int) error {
	src, err := s3Bucket(o.endpoint, srcBucket)
	if err != nil {
		return err
	}
	objs, err := src.List(context.Background(), "")
	if err != nil {
		return err
	}
	if workers == 1 {
		var big provider.Object
		for _, ob := range objs {
			if ob.Size > big.Size {
				big = ob
			}
		}
		objs = []provider.Object{big}
	}
	c := newRawClient(o.endpoint)
	jobs := make(chan provider.Object)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ob := range jobs {
				if err := c.pipe(ob.Key, ob.Size); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var failed error
loop:
	for _, ob := range objs {
		select {
		case jobs <- ob:
		case failed = <-errs:
			break loop
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if failed == nil {
		failed = <-errs
	}
	return failed
}
