// Package mgw is ferry's "mgw" copy engine: it hands the copy from the S3
// staging prefix to the OSS landing prefix to Alibaba Cloud's Data Online
// Migration service (API product hcs-mgw, version 2024-06-26), so that
// large migrations move their bytes cloud to cloud instead of through the
// ferry host.
//
// No SDK for the service can be fetched, so the client is written by
// hand from the published REST reference: ROA-style XML bodies sent to
// https://<uid>.<region>.mgw.aliyuncs.com, signed by the scheme of the
// OSS gateway that fronts the service (OSS4-HMAC-SHA256 with the scope
// <date>/<region>/oss/aliyun_v4_request, x-oss-date, an unsigned payload
// and the body covered by Content-MD5).
//
// A copy is a source address (the S3 bucket and prefix, read with an AWS
// key pair), a destination address (the OSS bucket and prefix, written
// through a RAM role) and a job between them. Their names derive from
// their definitions, so a rerun finds the resources of an earlier,
// interrupted run and resumes its job instead of starting over. The job
// runs with CreateReport set; a run with failed objects fails the copy
// with the count and the place of the failed-object list. Whatever the
// service reports, the copy ends by listing both buckets and requiring
// every source object at the destination with the same size.
//
// Requests failing with 5xx, 429 or network errors are retried with
// backoff; decisions come from HTTP status codes and service error codes,
// never from message text. Errors never contain the access key secrets or
// the security token.
package mgw
