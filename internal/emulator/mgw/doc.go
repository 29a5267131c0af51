// Package mgw is an emulator of Alibaba Cloud's Data Online Migration
// service (API product hcs-mgw, version 2024-06-26) for tests: an HTTP
// server that speaks the service's REST protocol and, when a job is
// started, really performs the copy from an S3 server into an OSS server.
//
// It follows the published API reference, not ferry's client:
//
//   - Addressing: every request's Host starts with the account uid
//     (<uid>.<region>.mgw.aliyuncs.com); another uid is refused.
//   - Authentication: the OSS V4 header signature the service's gateway
//     checks (OSS4-HMAC-SHA256, scope <day>/<region>/oss/aliyun_v4_request,
//     x-oss-date within 15 minutes); a wrong signature is a 403
//     SignatureDoesNotMatch. A request with a body must carry a matching
//     Content-MD5. STS tokens are checked when Options.SecurityToken is set.
//   - Addresses: CreateAddress, GetAddress (secrets masked), DeleteAddress
//     (refused while a job uses the address), VerifyAddress (really lists
//     the S3 bucket or the OSS bucket, and checks the RAM role name).
//   - Jobs: CreateJob (one job per source and destination pair),
//     GetJob, UpdateJob (IMPORT_JOB_LAUNCHING starts a run,
//     IMPORT_JOB_SUSPEND stops it), DeleteJob, GetJobResult and
//     ListJobHistory (newest first, paged by marker).
//   - Reports: CreateReport and GetReport; a finished report writes the
//     failed-object list into the destination bucket under
//     aliyun_import_report/.
//   - Errors are OSS-style XML (<Error><Code/><Message/><RequestId/>) with
//     the documented codes: NoSuchImportAddress, NoSuchImportJob,
//     ImportAddressAlreadyExist, ImportJobAlreadyExist,
//     ImportJobRepeatedOnSameAddress, ImportAddressIsOccupied, ….
//
// A run lists the source prefix with aws-sdk-go-v2 (path style, the source
// address's keys, its Domain as the endpoint) and writes each object under
// the destination prefix with aliyun-oss-go-sdk (V4-signed for the
// address's region, with the credentials in Options.OSS), in parts for
// large objects. Overwrite and transfer modes decide which objects are
// skipped. Counts move as objects complete, so clients can watch progress.
//
// Faults exercise the unhappy paths: failing the first objects of every
// run, slowing each object down, answering 503 to the next requests, and
// reporting undocumented statuses while running or when done.
package mgw
