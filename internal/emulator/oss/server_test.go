package oss_test

import (
	"bytes"
	"context"
	"errors"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	sdk "github.com/aliyun/aliyun-oss-go-sdk/oss"

	emulator "github.com/ferry-dev/ferry/internal/emulator/oss"
)

const (
	testAK     = "LTAI5tEmulatorKey"
	testSecret = "emulator-secret-value"
	testRegion = "cn-hangzhou"
	testBucket = "bkt"
)

// signing is one way a client addresses and signs requests.
type signing struct {
	name    string
	v4      bool
	virtual bool
}

var signings = []signing{
	{"v1-path", false, false},
	{"v4-path", true, false},
	{"v1-virtual", false, true},
	{"v4-virtual", true, true},
}

// start runs an emulator with the test bucket.
func start(t *testing.T) *emulator.Server {
	t.Helper()
	srv := emulator.Start(t, emulator.Options{AccessKeyID: testAK, AccessKeySecret: testSecret, Region: testRegion})
	srv.CreateBucket(testBucket)
	return srv
}

// client returns an SDK bucket handle talking to srv the way sg says. For
// virtual-host addressing the endpoint is a host name that a custom dialer
// sends to the emulator, so the request carries Host: bkt.<endpoint>.
func client(t *testing.T, srv *emulator.Server, sg signing, secret string) *sdk.Bucket {
	t.Helper()
	endpoint := srv.Endpoint()
	opts := []sdk.ClientOption{sdk.EnableCRC(true)}
	if sg.v4 {
		opts = append(opts, sdk.AuthVersion(sdk.AuthV4), sdk.Region(testRegion))
	}
	if sg.virtual {
		_, port, _ := net.SplitHostPort(srv.Addr())
		endpoint = "http://oss-" + testRegion + ".aliyuncs.com:" + port
		addr := srv.Addr()
		tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}
		t.Cleanup(tr.CloseIdleConnections)
		opts = append(opts, sdk.HTTPClient(&http.Client{Transport: tr}))
	}
	c, err := sdk.New(endpoint, testAK, secret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Bucket(testBucket)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serviceError returns err as an OSS service error, failing the test if
// it is not one.
func serviceError(t *testing.T, err error) sdk.ServiceError {
	t.Helper()
	var se sdk.ServiceError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not an OSS service error", err, err)
	}
	if se.RequestID == "" {
		t.Errorf("error %s has no request ID", se.Code)
	}
	return se
}

func crcOf(b []byte) string {
	return strconv.FormatUint(crc64.Checksum(b, crc64.MakeTable(crc64.ECMA)), 10)
}

func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func TestObjectRoundTrip(t *testing.T) {
	for _, sg := range signings {
		t.Run(sg.name, func(t *testing.T) {
			srv := start(t)
			b := client(t, srv, sg, testSecret)
			data := randomBytes(1, 300_000)
			key := "dir/a b+c%d/ü.parquet"

			var h http.Header
			if err := b.PutObject(key, bytes.NewReader(data), sdk.GetResponseHeader(&h)); err != nil {
				t.Fatalf("put: %v", err)
			}
			if got := h.Get("X-Oss-Hash-Crc64ecma"); got != crcOf(data) {
				t.Errorf("put CRC header = %q, want %q", got, crcOf(data))
			}
			if h.Get("X-Oss-Request-Id") == "" {
				t.Error("put reply has no x-oss-request-id")
			}
			if stored, ok := srv.Object(testBucket, key); !ok || !bytes.Equal(stored, data) {
				t.Fatalf("stored object differs (found %v, %d bytes)", ok, len(stored))
			}

			meta, err := b.GetObjectDetailedMeta(key)
			if err != nil {
				t.Fatalf("head: %v", err)
			}
			if meta.Get("Content-Length") != strconv.Itoa(len(data)) || meta.Get("X-Oss-Hash-Crc64ecma") != crcOf(data) ||
				meta.Get("X-Oss-Object-Type") != "Normal" {
				t.Errorf("head headers = %v", meta)
			}
			if ok, err := b.IsObjectExist(key); err != nil || !ok {
				t.Errorf("IsObjectExist = %v, %v", ok, err)
			}

			rc, err := b.GetObject(key)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, data) {
				t.Errorf("get returned %d bytes that differ from the %d put", len(got), len(data))
			}

			var rh http.Header
			rc, err = b.GetObject(key, sdk.Range(1000, 1999), sdk.GetResponseHeader(&rh))
			if err != nil {
				t.Fatalf("ranged get: %v", err)
			}
			got, _ = io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, data[1000:2000]) {
				t.Errorf("range 1000-1999 returned %d bytes, not the object's", len(got))
			}
			if cr := rh.Get("Content-Range"); cr != "bytes 1000-1999/300000" {
				t.Errorf("Content-Range = %q", cr)
			}

			if err := b.DeleteObject(key); err != nil {
				t.Fatalf("delete: %v", err)
			}
			if err := b.DeleteObject(key); err != nil {
				t.Fatalf("delete of a missing key: %v", err)
			}
			_, err = b.GetObject(key)
			if se := serviceError(t, err); se.StatusCode != 404 || se.Code != "NoSuchKey" {
				t.Errorf("get after delete: %d %s", se.StatusCode, se.Code)
			}
			if ok, err := b.IsObjectExist(key); err != nil || ok {
				t.Errorf("IsObjectExist after delete = %v, %v", ok, err)
			}
		})
	}
}

func TestSignatureErrors(t *testing.T) {
	for _, sg := range signings {
		t.Run(sg.name, func(t *testing.T) {
			srv := start(t)
			b := client(t, srv, sg, "not-the-secret")
			err := b.PutObject("k", strings.NewReader("x"))
			if se := serviceError(t, err); se.StatusCode != 403 || se.Code != "SignatureDoesNotMatch" {
				t.Errorf("bad secret: %d %s", se.StatusCode, se.Code)
			}
			if _, ok := srv.Object(testBucket, "k"); ok {
				t.Error("an unauthenticated put stored the object")
			}
			_, err = b.ListObjectsV2()
			if se := serviceError(t, err); se.Code != "SignatureDoesNotMatch" {
				t.Errorf("bad secret on list: %s", se.Code)
			}
		})
	}
	t.Run("unknown-key-id", func(t *testing.T) {
		srv := start(t)
		c, _ := sdk.New(srv.Endpoint(), "LTAIother", testSecret)
		b, _ := c.Bucket(testBucket)
		_, err := b.GetObject("k")
		if se := serviceError(t, err); se.StatusCode != 403 || se.Code != "InvalidAccessKeyId" {
			t.Errorf("unknown key id: %d %s", se.StatusCode, se.Code)
		}
	})
	t.Run("v4-wrong-region", func(t *testing.T) {
		srv := start(t)
		c, _ := sdk.New(srv.Endpoint(), testAK, testSecret, sdk.AuthVersion(sdk.AuthV4), sdk.Region("us-west-1"))
		b, _ := c.Bucket(testBucket)
		err := b.PutObject("k", strings.NewReader("x"))
		if se := serviceError(t, err); se.StatusCode != 403 || se.Code != "SignatureDoesNotMatch" {
			t.Errorf("wrong region: %d %s", se.StatusCode, se.Code)
		}
	})
	t.Run("v4-additional-headers", func(t *testing.T) {
		srv := start(t)
		for _, secret := range []string{testSecret, "wrong"} {
			c, _ := sdk.New(srv.Endpoint(), testAK, secret, sdk.AuthVersion(sdk.AuthV4), sdk.Region(testRegion),
				sdk.AdditionalHeaders([]string{"host", "User-Agent"}))
			b, _ := c.Bucket(testBucket)
			err := b.PutObject("k", strings.NewReader("x"))
			if (err == nil) != (secret == testSecret) {
				t.Errorf("secret %q: %v", secret, err)
			}
		}
	})
	t.Run("sts-token", func(t *testing.T) {
		srv := emulator.Start(t, emulator.Options{AccessKeyID: testAK, AccessKeySecret: testSecret, SecurityToken: "tok"})
		srv.CreateBucket(testBucket)
		for _, tc := range []struct {
			token string
			ok    bool
		}{{"tok", true}, {"other", false}} {
			c, _ := sdk.New(srv.Endpoint(), testAK, testSecret, sdk.SecurityToken(tc.token))
			b, _ := c.Bucket(testBucket)
			err := b.PutObject("k", strings.NewReader("x"))
			if (err == nil) != tc.ok {
				t.Errorf("token %q: err = %v", tc.token, err)
			}
		}
	})
}

func TestListEncodingAndPaging(t *testing.T) {
	for _, sg := range signings[:2] {
		t.Run(sg.name, func(t *testing.T) {
			srv := start(t)
			b := client(t, srv, sg, testSecret)
			keys := []string{
				"p/a b.txt", "p/a+b.txt", "p/100%.txt", "p/%41.txt", "p/ünï/cödé.txt", "p/sub/x", "p/sub/y",
				"p/sub2/z", "p/z~!*'();:@&=$,?#[].txt", "q/outside",
			}
			for _, k := range keys {
				if err := b.PutObject(k, strings.NewReader(k)); err != nil {
					t.Fatalf("put %q: %v", k, err)
				}
			}
			var want []string
			for _, k := range keys {
				if strings.HasPrefix(k, "p/") {
					want = append(want, k)
				}
			}
			sort.Strings(want)

			var got []string
			token := ""
			pages := 0
			for {
				opts := []sdk.Option{sdk.Prefix("p/"), sdk.MaxKeys(3)}
				if token != "" {
					opts = append(opts, sdk.ContinuationToken(token))
				}
				res, err := b.ListObjectsV2(opts...)
				if err != nil {
					t.Fatalf("list v2: %v", err)
				}
				pages++
				for _, o := range res.Objects {
					got = append(got, o.Key)
				}
				if !res.IsTruncated {
					break
				}
				token = res.NextContinuationToken
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") || pages != 3 {
				t.Errorf("v2 listing in %d pages:\n%s\nwant:\n%s", pages, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}

			res, err := b.ListObjectsV2(sdk.Prefix("p/"), sdk.Delimiter("/"), sdk.StartAfter("p/a b.txt"))
			if err != nil {
				t.Fatal(err)
			}
			var files []string
			for _, o := range res.Objects {
				files = append(files, o.Key)
			}
			if strings.Join(res.CommonPrefixes, ",") != "p/sub/,p/sub2/,p/ünï/" || strings.Contains(strings.Join(files, ","), "a b") {
				t.Errorf("delimited listing: files %q, prefixes %q", files, res.CommonPrefixes)
			}

			var v1 []string
			marker := ""
			for {
				r1, err := b.ListObjects(sdk.Prefix("p/"), sdk.Delimiter("/"), sdk.MaxKeys(2), sdk.Marker(marker))
				if err != nil {
					t.Fatalf("list v1: %v", err)
				}
				for _, o := range r1.Objects {
					v1 = append(v1, o.Key)
				}
				v1 = append(v1, r1.CommonPrefixes...)
				if !r1.IsTruncated {
					break
				}
				marker = r1.NextMarker
			}
			wantV1 := `p/%41.txt p/100%.txt p/a b.txt p/a+b.txt p/sub/ p/sub2/ p/z~!*'();:@&=$,?#[].txt p/ünï/`
			if sort.Strings(v1); strings.Join(v1, " ") != wantV1 {
				t.Errorf("v1 delimited listing = %q", v1)
			}
		})
	}
}
