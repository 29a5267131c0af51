package provider

import (
	"context"
	"io"
)

// MultipartBucket is a Bucket that can assemble one object from parts
// uploaded independently. A Copier discovers it with a type assertion and
// uses it for objects too large to send in one Put: parts can then be sent
// in parallel, and a failed part is resent on its own instead of restarting
// the whole object.
//
// The S3 and OSS buckets implement it; a local directory need not.
type MultipartBucket interface {
	Bucket
	// CreateMultipart starts an upload that will become key once it is
	// completed. Nothing is visible under key until then. Errors mean the
	// store refused to start the upload (permissions, missing bucket).
	CreateMultipart(ctx context.Context, key string) (MultipartUpload, error)
}

// MultipartUpload is one object being uploaded in parts. Its methods are
// safe for concurrent use by several goroutines, so that parts can be
// uploaded in parallel.
type MultipartUpload interface {
	// UploadPart stores size bytes from r as part number (numbered from 1,
	// in object order). Parts may arrive in any order and concurrently;
	// uploading a number again replaces that part, which is how a failed
	// part is retried. An error means the part is not stored.
	UploadPart(ctx context.Context, number int, r io.Reader, size int64) error
	// Complete joins parts 1..n, in order, into the object and publishes
	// it atomically: readers see either the previous object (or none) or
	// the whole new one. It returns the stored object, with the store's
	// checksum of the joined bytes when it keeps one. An error means
	// nothing was published; the caller should Abort.
	Complete(ctx context.Context) (Object, error)
	// Abort discards the upload and every part stored so far. Aborting an
	// upload that is already aborted or unknown to the store is not an
	// error.
	Abort(ctx context.Context) error
}

// ServerCopier is a Bucket that can copy an object from another bucket
// of the same store without the bytes passing through ferry, as an object
// store's server-side copy does. A Copier discovers it with a type
// assertion and tries it before streaming.
//
// The local bucket implements it with a hard link between two folders of
// one file system (objects are never changed in place, only replaced, so
// the two names cannot diverge).
type ServerCopier interface {
	Bucket
	// CopyFrom copies srcKey of src to dstKey of this bucket and returns
	// the stored object and the CRC-64/ECMA of the source's bytes. ok is
	// false, with nothing written, when this bucket cannot copy from src
	// that way (another store, another file system); the caller then
	// streams the object. An error means the copy failed.
	CopyFrom(ctx context.Context, src Bucket, srcKey, dstKey string) (obj Object, crc uint64, ok bool, err error)
}
