package cli

import (
	"context"
	"fmt"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/state"
)

// openRemoteBackend opens an S3 or OSS backend block.
func openRemoteBackend(ctx context.Context, b *config.Backend) (state.Backend, error) {
	return nil, fmt.Errorf("backend %q is not available in this build", b.Kind)
}
