package remote

import (
	"context"
	"errors"
	"github.com/ferry-dev/ferry/provider"
	"strings"
	"time"
)

// ErrStateChanged is wrapped by Save, and by unlock, when the object was
// changed by someone else after this backend last read or wrote it. The
// stored state is left as the other writer saved it; load it again and
// plan against it.
var ErrStateChanged = errors.New("state changed since it was read")

// requestTimeout bounds each request made by a method of state.Backend
// that takes no context.
const requestTimeout = 2 * time.Minute

// errNotFound and errPrecondition are what objectStore implementations
// turn their service's "no such key" and "condition not met" answers
// into, so that the backend logic needs no knowledge of either service.
var (
	errNotFound     = errors.New("object does not exist")
	errPrecondition = errors.New("object was changed by another writer")
)

// condition says what a put or remove expects to find. The zero value
// expects nothing: the write is unconditional.
type condition struct {
	// absent: the key must not exist (create only).
	absent bool
	// etag: the key must hold exactly this version.
	etag string
}

// objectStore is the handful of object operations a remote backend
// needs. Errors wrap errNotFound and errPrecondition where they apply, and
// never contain credentials.
type objectStore interface {
	// get returns the object's bytes and ETag.
	get(ctx context.Context, key string) (data []byte, etag string, err error)
	// put stores data at key if cond holds and returns the new ETag. A
	// condition that does not hold is errPrecondition.
	put(ctx context.Context, key string, data []byte, cond condition) (etag string, err error)
	// remove deletes key if it still holds version etag (any version when
	// etag is empty). A missing key is not an error.
	remove(ctx context.Context, key, etag string) error
	// url returns "scheme://bucket/key".
	url(key string) string
}

// sameETag compares two ETags as servers spell them: with or without
// quotes, in either case of hex.
func sameETag(a, b string) bool {
	return strings.EqualFold(strings.Trim(a, `"`), strings.Trim(b, `"`))
}

// scrub returns err with the secrets in its text replaced.
func scrub(err error, secrets ...string) error { return provider.ScrubError(err, secrets...) }
