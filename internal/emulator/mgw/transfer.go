package mgw

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// sourceObject is one object a run found under the source prefix.
type sourceObject struct {
	key      string
	size     int64
	modified time.Time
}

// s3Client returns an SDK client that reads an s3 address: its Domain is
// the endpoint (https unless it names a scheme), addressed path style.
func s3Client(d addressDetail) *s3.Client {
	endpoint := d.Domain
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	region := d.RegionID
	if region == "" {
		region = "us-east-1"
	}
	return s3.New(s3.Options{
		Region:                     region,
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(d.AccessID, d.AccessSecret, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// ossBucket returns an SDK handle on an oss address's bucket in the OSS
// server of Options.OSS, V4-signed for the address's region.
func (s *Server) ossBucket(d addressDetail) (*oss.Bucket, error) {
	t := s.opts.OSS
	c, err := oss.New(t.Endpoint, t.AccessKeyID, t.AccessKeySecret,
		oss.AuthVersion(oss.AuthV4), oss.Region(strings.TrimPrefix(d.RegionID, "oss-")))
	if err != nil {
		return nil, err
	}
	return c.Bucket(d.Bucket)
}

// run performs one run of a job: list the source, copy what the modes
// call for, and record the counts as objects complete. A run stopped by
// UpdateJob or DeleteJob leaves the status they set.
func (s *Server) run(ctx context.Context, j *job, rt *runtime, src, dst addressDetail) {
	s.mu.Lock()
	s.commit(j, rt, statusPreparing)
	never, byTime := j.def.OverwriteMode == "never", j.def.TransferMode == "lastmodified"
	s.mu.Unlock()

	bucket, err := s.ossBucket(dst)
	var objs []sourceObject
	var existing map[string]time.Time
	if err == nil {
		objs, err = listSource(ctx, src)
	}
	if err == nil {
		existing, err = listDest(ctx, bucket, dst.Prefix)
	}
	if err != nil {
		s.finish(ctx, j, rt, err)
		return
	}
	s.mu.Lock()
	rt.total, rt.listStatus = int64(len(objs)), "Finished"
	for _, o := range objs {
		rt.totalSize += o.size
	}
	running := s.faults.RunningStatus
	if running == "" {
		running = statusDoing
	}
	s.commit(j, rt, running)
	s.mu.Unlock()

	next := make(chan int)
	var wg sync.WaitGroup
	for range s.opts.Workers {
		wg.Go(func() {
			for i := range next {
				o := objs[i]
				dstKey := dst.Prefix + strings.TrimPrefix(o.key, src.Prefix)
				f := s.currentFaults()
				if f.ObjectDelay > 0 && sleep(ctx, f.ObjectDelay) != nil {
					continue
				}
				mod, exists := existing[dstKey]
				var err error
				switch {
				case i < f.FailObjects:
					err = errors.New("injected failure")
				case exists && (never || byTime && !o.modified.After(mod)):
					s.count(rt, func() { rt.skipped++ })
					continue
				default:
					err = s.copyObject(ctx, bucket, src, o, dstKey)
				}
				if ctx.Err() != nil {
					continue
				}
				if err != nil {
					s.count(rt, func() { rt.failed++; rt.failedKeys = append(rt.failedKeys, o.key) })
					continue
				}
				s.count(rt, func() { rt.copied++; rt.copiedSize += o.size })
			}
		})
	}
feed:
	for i := range objs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	s.finish(ctx, j, rt, nil)
}

// count applies a change to a run's counts under the server lock.
func (s *Server) count(rt *runtime, change func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	change()
}

// finish ends a run: interrupted when err is set, else closing and then
// finished, with the report started when the job asks for one. A run
// stopped through its context records nothing more.
func (s *Server) finish(ctx context.Context, j *job, rt *runtime, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ctx.Err() != nil || j.active != rt {
		return
	}
	rt.end = time.Now().UTC()
	j.stop, j.active = nil, nil
	if err != nil {
		rt.state, rt.message = "Interrupt", err.Error()
		s.commit(j, rt, statusInterrupted)
		return
	}
	s.commit(j, rt, statusClosing)
	final := s.faults.FinishedStatus
	if final == "" {
		final = statusFinished
	}
	s.commit(j, rt, final)
	if j.def.CreateReport {
		s.startReport(j, rt)
	}
}

// listSource lists every object under an s3 address's prefix, by key.
func listSource(ctx context.Context, d addressDetail) ([]sourceObject, error) {
	var out []sourceObject
	p := s3.NewListObjectsV2Paginator(s3Client(d), &s3.ListObjectsV2Input{Bucket: aws.String(d.Bucket), Prefix: aws.String(d.Prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list source s3://%s/%s: %w", d.Bucket, d.Prefix, err)
		}
		for _, o := range page.Contents {
			out = append(out, sourceObject{key: aws.ToString(o.Key), size: aws.ToInt64(o.Size), modified: aws.ToTime(o.LastModified)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

// listDest returns the last-modified time of every object under prefix
// in the destination bucket.
func listDest(ctx context.Context, b *oss.Bucket, prefix string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	token := ""
	for {
		opts := []oss.Option{oss.Prefix(prefix), oss.MaxKeys(1000), oss.WithContext(ctx)}
		if token != "" {
			opts = append(opts, oss.ContinuationToken(token))
		}
		res, err := b.ListObjectsV2(opts...)
		if err != nil {
			return nil, fmt.Errorf("list destination oss://%s/%s: %w", b.BucketName, prefix, err)
		}
		for _, o := range res.Objects {
			out[o.Key] = o.LastModified
		}
		if !res.IsTruncated || res.NextContinuationToken == "" {
			return out, nil
		}
		token = res.NextContinuationToken
	}
}

// copyObject copies one object: with one PutObject below the part size,
// else as a multipart upload of ranged reads, aborted on failure.
func (s *Server) copyObject(ctx context.Context, b *oss.Bucket, src addressDetail, o sourceObject, dstKey string) error {
	cli := s3Client(src)
	get := func(rng string) (*s3.GetObjectOutput, error) {
		in := &s3.GetObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(o.key)}
		if rng != "" {
			in.Range = aws.String(rng)
		}
		return cli.GetObject(ctx, in)
	}
	if o.size < s.opts.PartSize {
		out, err := get("")
		if err != nil {
			return err
		}
		defer out.Body.Close()
		return b.PutObject(dstKey, out.Body, oss.ContentLength(o.size), oss.WithContext(ctx))
	}
	imur, err := b.InitiateMultipartUpload(dstKey, oss.WithContext(ctx))
	if err != nil {
		return err
	}
	var parts []oss.UploadPart
	for n, off := 1, int64(0); off < o.size; n, off = n+1, off+s.opts.PartSize {
		size := min(s.opts.PartSize, o.size-off)
		out, err := get(fmt.Sprintf("bytes=%d-%d", off, off+size-1))
		if err == nil {
			var p oss.UploadPart
			p, err = b.UploadPart(imur, out.Body, size, n, oss.WithContext(ctx))
			out.Body.Close()
			parts = append(parts, p)
		}
		if err != nil {
			_ = b.AbortMultipartUpload(imur)
			return err
		}
	}
	if _, err := b.CompleteMultipartUpload(imur, parts, oss.WithContext(ctx)); err != nil {
		_ = b.AbortMultipartUpload(imur)
		return err
	}
	return nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
