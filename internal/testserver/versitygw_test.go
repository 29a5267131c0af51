package testserver

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

func TestVersitygwServesS3(t *testing.T) {
	srv := Versitygw(t)
	srv.CreateBucket(t, "stage")

	ctx := context.Background()
	c := srv.client()
	_, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("stage"),
		Key:    aws.String("t1/data/0000_part_00.parquet"),
		Body:   strings.NewReader("PAR1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("stage"), Key: aws.String("t1/data/0000_part_00.parquet")})
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(got.Body)
	got.Body.Close()
	if err != nil || string(data) != "PAR1" {
		t.Fatalf("GetObject = %q, %v; want PAR1", data, err)
	}

	// The posix backend keeps the object as a plain file under Dir.
	onDisk, err := os.ReadFile(filepath.Join(srv.Dir, "stage", "t1", "data", "0000_part_00.parquet"))
	if err != nil || string(onDisk) != "PAR1" {
		t.Errorf("backend file = %q, %v; want PAR1", onDisk, err)
	}
}

func TestVersitygwChecksSignatures(t *testing.T) {
	srv := Versitygw(t)
	srv.CreateBucket(t, "stage")

	bad := s3.New(s3.Options{
		Region:       srv.Region,
		BaseEndpoint: aws.String(srv.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(srv.AccessKey, "wrong-secret", ""),
	})
	_, err := bad.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("stage")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "SignatureDoesNotMatch" {
		t.Fatalf("list with a wrong secret: %v, want SignatureDoesNotMatch", err)
	}
}

func TestVersitygwServersAreIsolated(t *testing.T) {
	a, b := Versitygw(t), Versitygw(t)
	if a.Endpoint == b.Endpoint || a.Dir == b.Dir {
		t.Fatalf("two servers share %s / %s", a.Endpoint, a.Dir)
	}
	a.CreateBucket(t, "only-in-a")
	out, err := b.client().ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Buckets) != 0 {
		t.Errorf("server b lists %d buckets, want 0", len(out.Buckets))
	}
}

func TestChildEnvDropsGatewaySettings(t *testing.T) {
	t.Setenv("VGW_REGION", "eu-west-9")
	t.Setenv("ROOT_SECRET_ACCESS_KEY", "leak")
	t.Setenv("FERRY_KEEP", "1")
	var kept bool
	for _, kv := range childEnv() {
		if strings.HasPrefix(kv, "VGW_") || strings.HasPrefix(kv, "ROOT_") {
			t.Errorf("childEnv kept %s", kv)
		}
		kept = kept || kv == "FERRY_KEEP=1"
	}
	if !kept {
		t.Error("childEnv dropped an unrelated variable")
	}
}
