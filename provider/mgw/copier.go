package mgw

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ferry-dev/ferry/provider"
)

// Copier hands a copy from an S3 bucket to an OSS bucket to Alibaba
// Cloud's Data Online Migration service, so that the bytes never pass
// through ferry. It is safe for concurrent use.
type Copier struct {
	cfg Config
	api *client
	// sleep waits between polls; replaced in tests.
	sleep func(ctx context.Context, d time.Duration) error
}

var _ provider.Copier = (*Copier)(nil)

// New returns a Copier for cfg. It checks the configuration but makes no
// request.
func New(cfg Config) (*Copier, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	base, host, err := cfg.serviceTarget()
	if err != nil {
		return nil, err
	}
	api := &client{
		http:    cfg.HTTPClient,
		base:    base,
		host:    host,
		signer:  &signer{keyID: cfg.AccessKeyID, secret: cfg.AccessKeySecret, token: cfg.SecurityToken, region: cfg.Region, now: time.Now},
		secrets: cfg.secrets(),
	}
	return &Copier{cfg: cfg, api: api, sleep: sleepCtx}, nil
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// plan is what one Copy asks of the service: two addresses and a job,
// all named from their definitions.
type plan struct {
	src, dst importAddress
	job      importJob
	// dstBucket names the destination bucket in messages.
	dstBucket string
}

// Copy copies every object under req.SrcPrefix of the S3 bucket req.Src
// to the same relative key under req.DstPrefix of the OSS bucket req.Dst,
// through a migration job:
//
//  1. Both sides are listed. When the destination already holds every
//     source object with the same size, nothing is created and every
//     object counts as skipped.
//  2. The source and destination addresses are looked up by name and
//     created when missing; both are verified until the service calls
//     them available. Names derive from the definitions (buckets,
//     prefixes, endpoints, identities), so a rerun finds the same ones.
//  3. The job is looked up by name. A running one is followed, a new or
//     paused one is started, and a finished one is deleted and created
//     again, so a rerun after a failure resumes the copy.
//  4. The job is polled until it ends, progress going to req.Progress;
//     a status the service has not documented counts as running until
//     the counts show every object handled.
//  5. The run's report is requested. Failed objects make Copy fail with
//     their count and the prefix of the failed-object list.
//  6. Both sides are listed again: every source object must be at the
//     destination with the same size (and checksum, when both report one
//     of the same algorithm).
//  7. The job and addresses are deleted, best effort.
//
// On failure the job and addresses are left in place, for inspection and
// so that a rerun resumes the same job. Errors never contain secrets.
func (c *Copier) Copy(ctx context.Context, req provider.CopyRequest) (*provider.CopyResult, error) {
	if req.Src == nil || req.Dst == nil {
		return nil, errors.New("mgw copy: source and destination buckets are required")
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()

	p, err := c.plan(req)
	if err != nil {
		return nil, err
	}
	todo, err := c.missing(ctx, req)
	if err != nil {
		return nil, err
	}
	if len(todo) == 0 {
		return c.verify(ctx, req, nil)
	}
	progress := func(cp provider.CopyProgress) {
		if req.Progress != nil {
			req.Progress(cp)
		}
	}
	progress(provider.CopyProgress{ObjectsTotal: int64(len(todo)), BytesTotal: sumSizes(todo)})

	for _, a := range []importAddress{p.src, p.dst} {
		if err := c.ensureAddress(ctx, a); err != nil {
			return nil, fmt.Errorf("mgw copy %s: %w", req.Src.URL(req.SrcPrefix), err)
		}
	}
	job, minRuntime, err := c.ensureJob(ctx, p.job)
	if err != nil {
		return nil, fmt.Errorf("mgw copy %s: %w", req.Src.URL(req.SrcPrefix), err)
	}
	run, err := c.wait(ctx, job, minRuntime, progress)
	if err != nil {
		return nil, c.leftInPlace(p, err)
	}
	if err := c.checkFailures(ctx, p, job, run); err != nil {
		return nil, c.leftInPlace(p, err)
	}
	res, err := c.verify(ctx, req, todo)
	if err != nil {
		return nil, c.leftInPlace(p, err)
	}
	c.cleanup(p)
	return res, nil
}

// leftInPlace adds to err where the job that failed can be inspected.
func (c *Copier) leftInPlace(p *plan, err error) error {
	return fmt.Errorf("mgw job %s (addresses %s, %s, left in place; a rerun resumes it): %w",
		p.job.Name, p.src.Name, p.dst.Name, err)
}

// plan derives the addresses and job of a request.
func (c *Copier) plan(req provider.CopyRequest) (*plan, error) {
	src, err := locate(req.Src, "s3", c.cfg.SourceAddress.Bucket, req.SrcPrefix)
	if err != nil {
		return nil, err
	}
	dst, err := locate(req.Dst, "oss", c.cfg.DestAddress.Bucket, req.DstPrefix)
	if err != nil {
		return nil, err
	}
	sa, da := c.cfg.SourceAddress, c.cfg.DestAddress
	p := &plan{dstBucket: dst.bucket}
	p.src = importAddress{AddressDetail: addressDetail{
		AddressType: addressTypeS3, Bucket: src.bucket, Prefix: src.prefix, Domain: sa.Domain,
		RegionID: sa.Region, AccessID: sa.AccessKeyID, AccessSecret: sa.AccessKeySecret,
	}}
	p.src.Name = c.name("src", p.src.AddressDetail.AddressType, p.src.AddressDetail.Domain, p.src.AddressDetail.RegionID,
		p.src.AddressDetail.Bucket, p.src.AddressDetail.Prefix, p.src.AddressDetail.AccessID)
	p.dst = importAddress{AddressDetail: addressDetail{
		AddressType: addressTypeOSS, Bucket: dst.bucket, Prefix: dst.prefix, Domain: da.Domain,
		RegionID: da.RegionID, Role: da.Role,
	}}
	p.dst.Name = c.name("dst", p.dst.AddressDetail.AddressType, p.dst.AddressDetail.Domain, p.dst.AddressDetail.RegionID,
		p.dst.AddressDetail.Bucket, p.dst.AddressDetail.Prefix, p.dst.AddressDetail.Role)
	p.job = importJob{
		SrcAddress: p.src.Name, DestAddress: p.dst.Name,
		OverwriteMode: c.cfg.OverwriteMode, TransferMode: c.cfg.TransferMode, CreateReport: true,
	}
	if c.cfg.MaxBandwidth > 0 {
		p.job.ImportQos = &importQos{MaxBandWidth: c.cfg.MaxBandwidth}
	}
	p.job.Name = c.name("job", p.job.SrcAddress, p.job.DestAddress, p.job.OverwriteMode, p.job.TransferMode)
	return p, nil
}

// name returns JobPrefix-kind-<16 hex digits of a hash of parts>.
func (c *Copier) name(kind string, parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return c.cfg.JobPrefix + "-" + kind + "-" + hex.EncodeToString(h[:8])
}

// location is a bucket and a folder prefix in it.
type location struct {
	bucket, prefix string
}

// named is implemented by buckets that expose their name and prefix.
type named interface {
	Name() string
	Prefix() string
}

// locate finds the bucket name and full key prefix of rel in b, which
// must be a bucket of the given URL scheme. A configured bucket name
// must agree with the bucket's own. The service copies folders, so the
// prefix must be empty or end in "/".
func locate(b provider.Bucket, scheme, configured, rel string) (location, error) {
	u, err := url.Parse(b.URL(""))
	if err != nil || u.Scheme != scheme {
		return location{}, fmt.Errorf("mgw copy: %s is not an %s bucket; the migration service copies from S3 to OSS", b.URL(""), strings.ToUpper(scheme))
	}
	loc := location{bucket: u.Host, prefix: strings.TrimPrefix(u.Path, "/")}
	if n, ok := b.(named); ok {
		loc = location{bucket: n.Name(), prefix: n.Prefix()}
	}
	if configured != "" && configured != loc.bucket {
		return location{}, fmt.Errorf("mgw copy: configured bucket %q differs from the request's bucket %s", configured, b.URL(""))
	}
	loc.prefix += rel
	if loc.prefix != "" && (!strings.HasSuffix(loc.prefix, "/") || strings.HasPrefix(loc.prefix, "/")) {
		return location{}, fmt.Errorf("mgw copy: prefix %q of %s must name a folder (end in \"/\", not start with one)", loc.prefix, b.URL(""))
	}
	return loc, nil
}

// missing lists both sides and returns the source objects the
// destination lacks or holds with another size or checksum.
func (c *Copier) missing(ctx context.Context, req provider.CopyRequest) ([]provider.Object, error) {
	src, dst, err := listBoth(ctx, req)
	if err != nil {
		return nil, err
	}
	have := make(map[string]provider.Object, len(dst))
	for _, o := range dst {
		have[o.Key] = o
	}
	var todo []provider.Object
	for _, o := range src {
		if d, ok := have[destKey(o.Key, req.SrcPrefix, req.DstPrefix)]; !ok || !sameContent(o, d) {
			todo = append(todo, o)
		}
	}
	return todo, nil
}

// listBoth lists the source and destination prefixes.
func listBoth(ctx context.Context, req provider.CopyRequest) (src, dst []provider.Object, err error) {
	if src, err = req.Src.List(ctx, req.SrcPrefix); err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", req.Src.URL(req.SrcPrefix), err)
	}
	if dst, err = req.Dst.List(ctx, req.DstPrefix); err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", req.Dst.URL(req.DstPrefix), err)
	}
	sort.Slice(src, func(i, j int) bool { return src[i].Key < src[j].Key })
	return src, dst, nil
}

// destKey maps a source key to its destination key: the part after
// srcPrefix, appended to dstPrefix.
func destKey(key, srcPrefix, dstPrefix string) string {
	return dstPrefix + strings.TrimPrefix(key, srcPrefix)
}

// sameContent reports whether dst holds src's bytes as far as the
// listings tell: the same size and, when both carry a checksum of the
// same algorithm, the same checksum.
func sameContent(src, dst provider.Object) bool {
	if src.Size != dst.Size {
		return false
	}
	algS, _, okS := strings.Cut(src.Checksum, ":")
	algD, _, okD := strings.Cut(dst.Checksum, ":")
	if okS && okD && algS != "" && algS == algD {
		return src.Checksum == dst.Checksum
	}
	return true
}

// sumSizes adds up the sizes of objs.
func sumSizes(objs []provider.Object) int64 {
	var n int64
	for _, o := range objs {
		n += o.Size
	}
	return n
}
