package oss_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	sdk "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func TestContentMD5AndOverwrite(t *testing.T) {
	srv := start(t)
	b := client(t, srv, signings[1], testSecret)
	err := b.PutObject("k", strings.NewReader("hello"), sdk.ContentMD5("XUFAKrxLKna5cZ2REBfwWg=="))
	if se := serviceError(t, err); se.StatusCode != 400 || se.Code != "InvalidDigest" {
		t.Errorf("wrong Content-MD5: %d %s", se.StatusCode, se.Code)
	}
	if err := b.PutObject("k", strings.NewReader("hello"), sdk.ContentMD5("XUFAKrxLKna5cZ2REBfFkg==")); err != nil {
		t.Errorf("right Content-MD5: %v", err)
	}
	err = b.PutObject("k", strings.NewReader("again"), sdk.ForbidOverWrite(true))
	if se := serviceError(t, err); se.StatusCode != 409 || se.Code != "FileAlreadyExists" {
		t.Errorf("forbidden overwrite: %d %s", se.StatusCode, se.Code)
	}
	if got, _ := srv.Object(testBucket, "k"); string(got) != "hello" {
		t.Errorf("object = %q after a refused overwrite", got)
	}
}

func TestRanges(t *testing.T) {
	srv := start(t)
	b := client(t, srv, signings[0], testSecret)
	data := []byte("0123456789")
	if err := b.PutObject("r", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rng      string
		standard bool
		want     string
		status   int
	}{
		{"2-4", false, "234", 206},
		{"7-", false, "789", 206},
		{"-3", false, "789", 206},
		{"8-100", false, "89", 206},
		{"20-30", false, "0123456789", 200},
		{"20-30", true, "", 416},
		{"5-2", false, "0123456789", 200},
	} {
		opts := []sdk.Option{sdk.NormalizedRange(tc.rng)}
		if tc.standard {
			opts = append(opts, sdk.RangeBehavior("standard"))
		}
		rc, err := b.GetObject("r", opts...)
		if tc.status == 416 {
			if se := serviceError(t, err); se.StatusCode != 416 || se.Code != "InvalidRange" {
				t.Errorf("range %s: %d %s", tc.rng, se.StatusCode, se.Code)
			}
			continue
		}
		if err != nil {
			t.Errorf("range %s: %v", tc.rng, err)
			continue
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != tc.want {
			t.Errorf("range %s = %q, want %q", tc.rng, got, tc.want)
		}
	}
}

func TestDeleteMultiple(t *testing.T) {
	srv := start(t)
	b := client(t, srv, signings[1], testSecret)
	keys := []string{"d/1", "d/a b", "d/c+d", "d/keep"}
	for _, k := range keys {
		if err := b.PutObject(k, strings.NewReader(k)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := b.DeleteObjects([]string{"d/1", "d/a b", "d/missing"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.DeletedObjects) != 3 || res.DeletedObjects[1] != "d/a b" {
		t.Errorf("deleted = %q", res.DeletedObjects)
	}
	res, err = b.DeleteObjects([]string{"d/c+d"}, sdk.DeleteObjectsQuiet(true))
	if err != nil || len(res.DeletedObjects) != 0 {
		t.Errorf("quiet delete = %q, %v", res.DeletedObjects, err)
	}
	for _, k := range keys {
		_, ok := srv.Object(testBucket, k)
		if ok != (k == "d/keep") {
			t.Errorf("%s present = %v after deletes", k, ok)
		}
	}
}
