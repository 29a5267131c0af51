package cli

import (
	"context"
	"fmt"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/state"
	"github.com/ferry-dev/ferry/state/remote"
)

// openRemoteBackend opens an S3 or OSS backend block: the state is an
// object, locked with conditional writes, shared by a team and its CI.
func openRemoteBackend(ctx context.Context, b *config.Backend) (state.Backend, error) {
	str := func(name string) string {
		v, ok := b.Attrs[name]
		if !ok || v.Value.IsNull() || !v.Value.IsKnown() {
			return ""
		}
		return v.Value.AsString()
	}
	switch b.Kind {
	case "s3":
		pathStyle := false
		if v, ok := b.Attrs["path_style"]; ok && !v.Value.IsNull() && v.Value.IsKnown() {
			pathStyle = v.Value.True()
		}
		return remote.NewS3(ctx, remote.S3Config{
			Bucket: str("bucket"), Key: str("key"), Region: str("region"), Endpoint: str("endpoint"),
			PathStyle: pathStyle, Profile: str("profile"), AccessKey: str("access_key"), SecretKey: str("secret_key"),
		})
	case "oss":
		return remote.NewOSS(ctx, remote.OSSConfig{
			Bucket: str("bucket"), Key: str("key"), Endpoint: str("endpoint"), Region: str("region"),
			AccessKeyID: str("access_key_id"), AccessKeySecret: str("access_key_secret"), SecurityToken: str("security_token"),
		})
	}
	return nil, fmt.Errorf("backend %q is not available in this build", b.Kind)
}
