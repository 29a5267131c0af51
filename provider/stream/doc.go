// Package stream is ferry's "stream" copy engine: it moves the Parquet
// files a Redshift UNLOAD staged in S3 to the OSS location a MaxCompute
// LOAD reads, with the bytes flowing through the ferry process.
//
// The engine works with any pair of provider.Buckets. It lists both sides
// once, skips objects the destination already holds (same size and, when
// both stores report a checksum of the same algorithm, the same
// checksum), and copies the rest several at a time:
//
//   - Small objects stream from Open straight into Put; nothing is held in
//     memory beyond I/O buffers.
//   - Large objects, when the destination implements
//     provider.MultipartBucket, are read as byte ranges and uploaded as
//     parts, several at a time. A part is buffered so that a failed upload
//     is retried without reading the source again, which bounds memory by
//     Transfers × PartConcurrency × PartSize.
//
// While sending, the engine computes the CRC-64/ECMA of every object (for
// multipart objects, per part, joined with a CRC combine so parts can be
// hashed in parallel) and compares it with the checksum the destination
// reports. OSS reports exactly this CRC for every upload, so a copy to OSS
// is verified end to end without reading anything back. S3 checksums use
// other algorithms and are not compared. On amd64 the CRC folds 64 bytes
// at a time with the carry-less multiply instruction, about seven times
// faster than hash/crc64's tables, which were the largest CPU cost of a
// copy.
//
// Failures are retried with exponential backoff and jitter, per object for
// streamed objects and per part for multipart ones. An object whose stored
// checksum disagrees with the bytes sent is deleted at once and copied
// again from the start, up to Options.Retries times; it is never accepted.
// An object that still fails leaves nothing at the destination: Put only
// replaces an object once complete, multipart uploads are aborted, and a
// mismatching object is deleted. Rerunning a failed or killed copy
// therefore resumes it, copying only what is missing.
package stream
