// Package oss is ferry's Alibaba Cloud OSS bucket: the landing zone
// between the S3 staging area and a MaxCompute LOAD. It implements
// provider.Bucket and provider.MultipartBucket on the aliyun-oss-go-sdk.
//
// Requests are signed with V4 (OSS4-HMAC-SHA256, scoped to Config.Region)
// when a region is configured, and with V1 otherwise. Credentials are the
// explicit key pair (and STS token) when given, else the Alibaba Cloud
// default credential chain (environment, profile files, ECS RAM role), and
// when Config.RoleArn is set, an STS session of that role assumed with
// those credentials.
//
// OSS computes a CRC-64/ECMA of every object it stores and returns it as
// x-oss-hash-crc64ecma. The SDK's CRC check is on, so an upload whose
// stored bytes differ from those sent fails (ErrChecksumMismatch), and
// Put and multipart Complete report the store's CRC as the Object's
// checksum ("crc64ecma:<decimal>"), which the copy engine compares with
// the CRC it computed while sending.
//
// Retry decisions (IsRetryable) come from OSS status codes, error codes
// and network error types, never from message text. Reads, listings and
// deletes are retried here; uploads are retried here only when their
// body can be rewound, and otherwise by the caller.
package oss
