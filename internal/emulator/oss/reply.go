package oss

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Operation names, as used in Faults.Ops and CorruptCRC. They are the
// names of the OSS API actions.
const (
	OpPutBucket               = "PutBucket"
	OpPutObject               = "PutObject"
	OpGetObject               = "GetObject"
	OpHeadObject              = "HeadObject"
	OpGetObjectMeta           = "GetObjectMeta"
	OpDeleteObject            = "DeleteObject"
	OpDeleteMultipleObjects   = "DeleteMultipleObjects"
	OpCopyObject              = "CopyObject"
	OpListObjects             = "ListObjects"
	OpListObjectsV2           = "ListObjectsV2"
	OpInitiateMultipartUpload = "InitiateMultipartUpload"
	OpUploadPart              = "UploadPart"
	OpUploadPartCopy          = "UploadPartCopy"
	OpCompleteMultipartUpload = "CompleteMultipartUpload"
	OpAbortMultipartUpload    = "AbortMultipartUpload"
	OpListParts               = "ListParts"
)

// Protocol constants and limits OSS documents.
const (
	headerCRC                   = "x-oss-hash-crc64ecma"
	lastModifiedXML             = "2006-01-02T15:04:05.000Z"
	maxDeleteKeys               = 1000
	minPartSize                 = 100 * 1024
	maxPartNumber               = 10000
	maxListKeys                 = 1000
	defaultListKeys             = 100
	defaultListParts            = 1000
	errorCodeInternalError      = "InternalError"
	errorCodeServiceUnavailable = "ServiceUnavailable"
)

// handlers maps every supported operation to its implementation.
func (s *Server) handlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		OpPutBucket:               s.putBucket,
		OpPutObject:               s.putObject,
		OpGetObject:               s.getObject,
		OpHeadObject:              s.headObject,
		OpGetObjectMeta:           s.headObject,
		OpDeleteObject:            s.deleteObject,
		OpDeleteMultipleObjects:   s.deleteMultiple,
		OpCopyObject:              s.copyObject,
		OpListObjects:             s.listObjects,
		OpListObjectsV2:           s.listObjects,
		OpInitiateMultipartUpload: s.initiateUpload,
		OpUploadPart:              s.uploadPart,
		OpUploadPartCopy:          s.uploadPart,
		OpCompleteMultipartUpload: s.completeUpload,
		OpAbortMultipartUpload:    s.abortUpload,
		OpListParts:               s.listParts,
	}
}

// field is one extra element of an error body (Key, BucketName, …).
type field struct {
	name, value string
}

// errorBody is the OSS error document.
type errorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
	Extra     []extraElement
	EC        string `xml:"EC"`
}

// extraElement is an element whose name is chosen at run time.
type extraElement struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// fail answers with an OSS error. HEAD replies carry no body, so the
// document goes base64-encoded into x-oss-err, as OSS does.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, req *request, status int, code, msg string, extra ...field) {
	body := errorBody{Code: code, Message: msg, RequestID: req.id, HostID: s.hostID, EC: errorCodeEC(code)}
	for _, f := range extra {
		body.Extra = append(body.Extra, extraElement{XMLName: xml.Name{Local: f.name}, Value: f.value})
	}
	data, _ := xml.Marshal(body)
	data = append([]byte(xml.Header), data...)
	// Drain what is left of the body so the connection can be reused.
	drain(r.Body)
	w.Header().Set("x-oss-ec", body.EC)
	if r.Method == http.MethodHead {
		w.Header().Set("x-oss-err", base64.StdEncoding.EncodeToString(data))
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// errorCodeEC gives the detailed error code OSS attaches to common errors.
func errorCodeEC(code string) string {
	switch code {
	case "NoSuchKey":
		return "0026-00000001"
	case "NoSuchBucket":
		return "0015-00000101"
	case "SignatureDoesNotMatch":
		return "0002-00000040"
	case "InvalidAccessKeyId":
		return "0002-00000902"
	case "NoSuchUpload":
		return "0042-00000002"
	}
	return "0000-00000000"
}

// writeXML answers 200 with an XML document.
func writeXML(w http.ResponseWriter, v any) {
	data, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	data = append([]byte(xml.Header), data...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// encodeIf URL-encodes v the way OSS does for encoding-type=url (spaces
// as %20), when the request asked for it. The SDK decodes these fields
// with url.QueryUnescape, so keys holding "+" or "%" survive.
func encodeIf(enc bool, v string) string {
	if !enc {
		return v
	}
	return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
}

// etagOf formats an MD5 digest as an OSS ETag: quoted upper-case hex.
func etagOf(sum []byte) string {
	return `"` + strings.ToUpper(hex.EncodeToString(sum)) + `"`
}

// httpTime formats t for Last-Modified.
func httpTime(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// xmlTime formats t for LastModified elements.
func xmlTime(t time.Time) string { return t.UTC().Format(lastModifiedXML) }

// crcHeader returns the CRC header value for op, deliberately wrong when
// a test asked this operation to corrupt it.
func (s *Server) crcHeader(op string, crc uint64) string {
	if _, ok := s.corrupt.Load(op); ok {
		crc ^= 0x5A5A
	}
	return strconv.FormatUint(crc, 10)
}

// CorruptCRC makes the listed operations (OpPutObject, OpUploadPart,
// OpCompleteMultipartUpload, OpHeadObject, OpGetObject, …) report an
// x-oss-hash-crc64ecma that differs from the stored bytes' CRC, as a store
// that damaged the data would. Calling it with no operations turns the
// corruption off. It exists for tests of checksum verification.
func (s *Server) CorruptCRC(ops ...string) {
	s.corrupt.Clear()
	for _, op := range ops {
		s.corrupt.Store(op, true)
	}
}
