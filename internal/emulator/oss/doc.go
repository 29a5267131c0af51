// Package oss is an Alibaba Cloud OSS protocol emulator for tests: an
// http.Handler that the real aliyun-oss-go-sdk talks to over HTTP, so
// that ferry's OSS bucket is exercised through the same requests,
// signatures, headers and XML bodies it sends to the real service.
//
// The emulator follows the documented OSS protocol, not ferry's code:
//
//   - Addressing: path style (/bucket/key) and virtual host
//     (Host: bucket.<endpoint>); keys come from the decoded URL path, since
//     the SDK sends "/" inside keys as %2F.
//   - Authentication: the header signatures V1 ("OSS AK:sig", HMAC-SHA1)
//     and V4 ("OSS4-HMAC-SHA256", HMAC-SHA256 key chain with a region
//     scope) are verified; a wrong signature is a 403 SignatureDoesNotMatch.
//     STS security tokens are checked when Options.SecurityToken is set.
//   - Objects: PutObject (Content-MD5 checked, x-oss-forbid-overwrite),
//     GetObject with Range (206, x-oss-range-behavior: standard gives 416
//     on an unsatisfiable range), HeadObject, GetObjectMeta, DeleteObject,
//     DeleteMultipleObjects (quiet or not), CopyObject.
//   - Listing: ListObjectsV2 and ListObjects (v1) with prefix, delimiter,
//     max-keys, continuation-token/marker, start-after and
//     encoding-type=url, keys in UTF-8 byte order.
//   - Multipart: Initiate, UploadPart, UploadPartCopy, Complete (parts in
//     the listed order, InvalidPart, InvalidPartOrder, EntityTooSmall),
//     Abort and ListParts.
//   - Every reply carries x-oss-request-id; every error has the OSS error
//     XML body (HEAD errors carry it base64-encoded in x-oss-err).
//   - x-oss-hash-crc64ecma, the CRC-64/ECMA of the stored bytes in unsigned
//     decimal, is returned on put, part upload, complete, copy, HEAD and GET.
//
// Object bytes live in a temporary directory, so large objects do not sit
// in memory; only metadata does.
//
// Faults can be injected (error status codes, connection resets, delays)
// at a given rate, limited to some operations, reproducibly with a seed;
// Server.Injected counts them. Server.CorruptCRC makes chosen operations
// report a wrong CRC, as a store that damaged the bytes would;
// Server.FlipByteInPart damages the stored bytes of an acknowledged part
// itself, which only the CRC of the completed object reveals.
// Server.Requests counts the requests received, by operation.
package oss
