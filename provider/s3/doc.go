// Package s3 is ferry's Amazon S3 bucket: where Redshift UNLOAD stages its
// Parquet files and where the copy to OSS reads them from. It also serves
// S3-compatible stores (MinIO, Ceph, versitygw) through an endpoint
// override and path-style addressing.
//
// Bucket implements provider.Bucket and provider.MultipartBucket over
// aws-sdk-go-v2. Keys are relative to the configured prefix, and URL gives
// the s3:// URL Redshift UNLOAD and COPY expect.
//
// Credentials come from the Config when it carries keys, and otherwise
// from the AWS default chain: environment variables, the shared config and
// credentials files (with Config.Profile picking the profile, including
// SSO and assumed-role profiles), container credentials and the EC2
// instance role.
//
// # Uploads
//
// Put and UploadPart stream their bodies: nothing is buffered beyond the
// HTTP client's own buffers. A SigV4 signature can cover a SHA-256 of the
// body, which needs the body twice and costs a hash on both ends, so
// every body is sent as UNSIGNED-PAYLOAD, which is what the SDK does over
// HTTPS anyway. Over HTTPS, which is how AWS is reached, TLS protects the
// bytes in transit and the SDK adds a trailing CRC32 checksum that S3
// verifies; over plain HTTP to an S3-compatible server only TCP's own
// checksum does. A reader that can seek (the copy engine's in-memory part
// buffers) keeps the SDK's own retries, which need to rewind the body; a
// reader that cannot is sent once and retried by the caller.
//
// With an endpoint override the SDK's request checksums are only sent
// when an operation requires them: many S3-compatible servers reject the
// CRC32 checksums the SDK adds by default since 2025, and a streaming body
// over plain HTTP cannot carry one at all.
//
// # Checksums
//
// Objects report an empty Checksum. An S3 ETag is an MD5 only for single
// part uploads without KMS encryption; for multipart objects it is a hash
// of part hashes, so it cannot be compared with a checksum of the content.
// The copy engine computes its own CRC-64 while streaming instead.
//
// # Errors
//
// A missing key wraps provider.ErrNotFound. Every error names the s3://
// URL it concerns and never contains credentials. IsRetryable classifies
// errors by S3 error code, HTTP status and network error type, for the
// copy engine's retry loop.
package s3
