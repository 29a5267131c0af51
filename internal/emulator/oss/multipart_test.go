package oss_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"

	sdk "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func TestMultipart(t *testing.T) {
	for _, sg := range signings {
		t.Run(sg.name, func(t *testing.T) {
			srv := start(t)
			b := client(t, srv, sg, testSecret)
			const partSize = 128 * 1024
			data := randomBytes(7, 3*partSize+777)
			key := "mp/big file+1.parquet"
			imur, err := b.InitiateMultipartUpload(key)
			if err != nil {
				t.Fatalf("initiate: %v", err)
			}
			parts := make([]sdk.UploadPart, 4)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for _, i := range []int{3, 1, 0, 2} { // out of order, concurrently
				wg.Go(func() {
					lo, hi := i*partSize, min((i+1)*partSize, len(data))
					parts[i], errs[i] = b.UploadPart(imur, bytes.NewReader(data[lo:hi]), int64(hi-lo), i+1)
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("part %d: %v", i+1, err)
				}
			}
			lp, err := b.ListUploadedParts(imur)
			if err != nil || len(lp.UploadedParts) != 4 || lp.UploadedParts[0].PartNumber != 1 || lp.UploadedParts[3].Size != 777 {
				t.Errorf("list parts = %+v, %v", lp.UploadedParts, err)
			}
			if _, ok := srv.Object(testBucket, key); ok {
				t.Error("the object is visible before Complete")
			}

			bad := append([]sdk.UploadPart(nil), parts...)
			bad[2].ETag = `"00000000000000000000000000000000"`
			_, err = b.CompleteMultipartUpload(imur, bad)
			if se := serviceError(t, err); se.StatusCode != 400 || se.Code != "InvalidPart" {
				t.Errorf("wrong ETag: %d %s", se.StatusCode, se.Code)
			}

			// The SDK sorts parts, so send a misordered list by hand.
			body := `<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>` + parts[1].ETag +
				`</ETag></Part><Part><PartNumber>1</PartNumber><ETag>` + parts[0].ETag + `</ETag></Part></CompleteMultipartUpload>`
			_, err = b.Do("POST", key, map[string]interface{}{"uploadId": imur.UploadID}, nil, strings.NewReader(body), nil)
			if se := serviceError(t, err); se.Code != "InvalidPartOrder" {
				t.Errorf("misordered parts: %s", se.Code)
			}

			var h http.Header
			res, err := b.CompleteMultipartUpload(imur, parts, sdk.GetResponseHeader(&h))
			if err != nil {
				t.Fatalf("complete: %v", err)
			}
			if h.Get("X-Oss-Hash-Crc64ecma") != crcOf(data) {
				t.Errorf("complete CRC = %s, want %s", h.Get("X-Oss-Hash-Crc64ecma"), crcOf(data))
			}
			if !strings.HasSuffix(res.ETag, `-4"`) || res.Key != key {
				t.Errorf("complete result = %+v", res)
			}
			if got, _ := srv.Object(testBucket, key); !bytes.Equal(got, data) {
				t.Errorf("completed object has %d bytes that differ from the parts", len(got))
			}
			meta, err := b.GetObjectDetailedMeta(key)
			if err != nil || meta.Get("X-Oss-Object-Type") != "Multipart" || meta.Get("X-Oss-Hash-Crc64ecma") != crcOf(data) {
				t.Errorf("head of multipart object = %v, %v", meta, err)
			}
			if srv.Uploads() != 0 {
				t.Errorf("%d uploads left after Complete", srv.Uploads())
			}
		})
	}
}

func TestMultipartLimitsAndAbort(t *testing.T) {
	srv := start(t)
	b := client(t, srv, signings[1], testSecret)
	imur, err := b.InitiateMultipartUpload("small")
	if err != nil {
		t.Fatal(err)
	}
	p1, err1 := b.UploadPart(imur, strings.NewReader("tiny"), 4, 1)
	p2, err2 := b.UploadPart(imur, strings.NewReader("last"), 4, 2)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	_, err = b.CompleteMultipartUpload(imur, []sdk.UploadPart{p1, p2})
	if se := serviceError(t, err); se.Code != "EntityTooSmall" {
		t.Errorf("small first part: %s", se.Code)
	}
	if err := b.AbortMultipartUpload(imur); err != nil {
		t.Fatalf("abort: %v", err)
	}
	err = b.AbortMultipartUpload(imur)
	if se := serviceError(t, err); se.StatusCode != 404 || se.Code != "NoSuchUpload" {
		t.Errorf("second abort: %d %s", se.StatusCode, se.Code)
	}
	_, err = b.UploadPart(imur, strings.NewReader("x"), 1, 3)
	if se := serviceError(t, err); se.Code != "NoSuchUpload" {
		t.Errorf("part of an aborted upload: %s", se.Code)
	}
	if srv.Uploads() != 0 {
		t.Errorf("%d uploads left after Abort", srv.Uploads())
	}
}

func TestCopy(t *testing.T) {
	for _, sg := range signings[:2] {
		t.Run(sg.name, func(t *testing.T) {
			srv := start(t)
			b := client(t, srv, sg, testSecret)
			data := randomBytes(3, 250_000)
			src := "src/a b+c.bin"
			if err := b.PutObject(src, bytes.NewReader(data)); err != nil {
				t.Fatal(err)
			}
			if _, err := b.CopyObject(src, "dst/copy of a+b"); err != nil {
				t.Fatalf("copy: %v", err)
			}
			if got, _ := srv.Object(testBucket, "dst/copy of a+b"); !bytes.Equal(got, data) {
				t.Error("copied object differs")
			}
			imur, err := b.InitiateMultipartUpload("dst/parts")
			if err != nil {
				t.Fatal(err)
			}
			p1, err := b.UploadPartCopy(imur, testBucket, src, 0, 200_000, 1)
			if err != nil {
				t.Fatalf("part copy 1: %v", err)
			}
			p2, err := b.UploadPartCopy(imur, testBucket, src, 200_000, 50_000, 2)
			if err != nil {
				t.Fatalf("part copy 2: %v", err)
			}
			if _, err := b.CompleteMultipartUpload(imur, []sdk.UploadPart{p2, p1}); err != nil {
				t.Fatalf("complete: %v", err)
			}
			if got, _ := srv.Object(testBucket, "dst/parts"); !bytes.Equal(got, data) {
				t.Error("object assembled from part copies differs")
			}
		})
	}
}
