package connect

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ferry-dev/ferry/provider"
)

// externalCopier is the "external" engine: a team copies the objects with
// its own tools, and ferry only checks that every staged object arrived
// with the same size.
type externalCopier struct {
	// wait is how long to wait for the objects to arrive (0: check once);
	// poll how often to look.
	wait, poll time.Duration
}

var _ provider.Copier = externalCopier{}

// Copy waits until the destination holds every staged object with its
// size, or the wait runs out; it moves nothing.
func (c externalCopier) Copy(ctx context.Context, req provider.CopyRequest) (*provider.CopyResult, error) {
	deadline := time.Now().Add(c.wait)
	for {
		res, err := c.check(ctx, req)
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			return res, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(c.poll):
		}
	}
}

func (externalCopier) check(ctx context.Context, req provider.CopyRequest) (*provider.CopyResult, error) {
	src, err := req.Src.List(ctx, req.SrcPrefix)
	if err != nil {
		return nil, err
	}
	dst, err := req.Dst.List(ctx, req.DstPrefix)
	if err != nil {
		return nil, err
	}
	have := map[string]provider.Object{}
	for _, o := range dst {
		have[strings.TrimPrefix(o.Key, req.DstPrefix)] = o
	}
	res := &provider.CopyResult{Objects: dst}
	var missing []string
	for _, o := range src {
		rel := strings.TrimPrefix(o.Key, req.SrcPrefix)
		d, ok := have[rel]
		if !ok || d.Size != o.Size {
			missing = append(missing, req.DstPrefix+rel)
			continue
		}
		res.Skipped++
		res.Bytes += o.Size
	}
	if req.Progress != nil {
		req.Progress(provider.CopyProgress{Objects: res.Skipped, ObjectsTotal: int64(len(src)), Bytes: res.Bytes})
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("external copy not complete: %d of %d objects missing or of another size at the destination (first %s); copy %s to %s, then run apply again",
			len(missing), len(src), missing[0], req.Src.URL(req.SrcPrefix), req.Dst.URL(req.DstPrefix))
	}
	return res, nil
}
