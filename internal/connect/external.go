package connect

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferry-dev/ferry/provider"
)

// externalCopier is the "external" engine: a team copies the objects with
// its own tools, and ferry only checks that every staged object arrived
// with the same size.
type externalCopier struct{}

var _ provider.Copier = externalCopier{}

// Copy verifies the destination; it moves nothing.
func (externalCopier) Copy(ctx context.Context, req provider.CopyRequest) (*provider.CopyResult, error) {
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
	if len(missing) > 0 {
		return nil, fmt.Errorf("external copy not complete: %d of %d objects missing or of another size at the destination, first %s", len(missing), len(src), missing[0])
	}
	return res, nil
}
