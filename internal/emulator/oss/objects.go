package oss

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// putBucket creates the bucket (PUT /bucket).
func (s *Server) putBucket(w http.ResponseWriter, r *http.Request, req *request) {
	_, _ = io.Copy(io.Discard, r.Body)
	s.CreateBucket(req.bucket)
	w.Header().Set("Location", "/"+req.bucket)
	w.WriteHeader(http.StatusOK)
}

// checkMD5 compares a Content-MD5 header, when present, with sum. It
// answers 400 InvalidDigest and returns false on a mismatch.
func (s *Server) checkMD5(w http.ResponseWriter, r *http.Request, req *request, sum []byte) bool {
	h := r.Header.Get("Content-MD5")
	if h == "" {
		return true
	}
	want, err := base64.StdEncoding.DecodeString(h)
	if err != nil || !bytes.Equal(want, sum) {
		s.fail(w, r, req, http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.")
		return false
	}
	return true
}

// putObject stores the body as a Normal object.
func (s *Server) putObject(w http.ResponseWriter, r *http.Request, req *request) {
	forbid := strings.EqualFold(r.Header.Get("x-oss-forbid-overwrite"), "true")
	if forbid && s.lookup(req.bucket, req.key) != nil {
		s.fail(w, r, req, http.StatusConflict, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.")
		return
	}
	b, err := s.writeBlob(r.Body)
	if err != nil || (r.ContentLength >= 0 && b.size != r.ContentLength) {
		removeBlob(b.path)
		s.fail(w, r, req, http.StatusBadRequest, "IncompleteBody", "The request body does not match Content-Length.")
		return
	}
	if !s.checkMD5(w, r, req, b.md5) {
		removeBlob(b.path)
		return
	}
	o := &object{
		key: req.key, path: b.path, size: b.size, etag: etagOf(b.md5), crc: b.crc,
		objType: "Normal", contentType: contentTypeOf(r), modified: time.Now().UTC(),
	}
	if !s.store(req.bucket, o, forbid) {
		s.fail(w, r, req, http.StatusConflict, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.")
		return
	}
	w.Header().Set("ETag", o.etag)
	w.Header().Set("Content-MD5", base64.StdEncoding.EncodeToString(b.md5))
	w.Header().Set(headerCRC, s.crcHeader(req.op, o.crc))
	w.WriteHeader(http.StatusOK)
}

// contentTypeOf is the request's Content-Type or OSS's default.
func contentTypeOf(r *http.Request) string {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

// openObject finds bucket/key and opens its file under the lock, so a
// concurrent replacement cannot remove the file in between.
func (s *Server) openObject(bucketName, key string) (*object, *os.File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucketName]
	if b == nil || b.objects[key] == nil {
		return nil, nil
	}
	o := b.objects[key]
	f, err := os.Open(o.path)
	if err != nil {
		return nil, nil
	}
	return o, f
}

// objectHeaders sets the metadata headers GET and HEAD share.
func (s *Server) objectHeaders(w http.ResponseWriter, req *request, o *object) {
	h := w.Header()
	h.Set("ETag", o.etag)
	h.Set("Last-Modified", httpTime(o.modified))
	if req.op == OpGetObjectMeta {
		h.Set("Content-Length", strconv.FormatInt(o.size, 10))
		return
	}
	h.Set("Content-Type", o.contentType)
	h.Set("Accept-Ranges", "bytes")
	h.Set("x-oss-object-type", o.objType)
	h.Set("x-oss-storage-class", "Standard")
	h.Set(headerCRC, s.crcHeader(req.op, o.crc))
}

// noSuchKey answers 404 NoSuchKey.
func (s *Server) noSuchKey(w http.ResponseWriter, r *http.Request, req *request) {
	s.fail(w, r, req, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", field{"Key", req.key})
}

// headObject answers HeadObject and GetObjectMeta.
func (s *Server) headObject(w http.ResponseWriter, r *http.Request, req *request) {
	o := s.lookup(req.bucket, req.key)
	if o == nil {
		s.noSuchKey(w, r, req)
		return
	}
	s.objectHeaders(w, req, o)
	w.Header().Set("Content-Length", strconv.FormatInt(o.size, 10))
	w.WriteHeader(http.StatusOK)
}

// getObject sends the object, or the byte range the Range header asks for.
func (s *Server) getObject(w http.ResponseWriter, r *http.Request, req *request) {
	o, f := s.openObject(req.bucket, req.key)
	if o == nil {
		s.noSuchKey(w, r, req)
		return
	}
	defer f.Close()
	start, end, status := parseRange(r.Header.Get("Range"), o.size)
	standard := strings.EqualFold(r.Header.Get("x-oss-range-behavior"), "standard")
	switch {
	case status == rangeUnsatisfiable && standard:
		w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(o.size, 10))
		s.fail(w, r, req, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range cannot be satisfied.")
		return
	case status != rangeOK:
		start, end = 0, o.size-1
	}
	s.objectHeaders(w, req, o)
	w.Header().Set("Content-Length", strconv.FormatInt(end-start+1, 10))
	code := http.StatusOK
	if status == rangeOK {
		w.Header().Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(o.size, 10))
		code = http.StatusPartialContent
	}
	w.WriteHeader(code)
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return
	}
	_, _ = io.Copy(w, io.LimitReader(f, end-start+1))
}

// Outcomes of parseRange.
const (
	rangeNone = iota
	rangeOK
	rangeInvalid
	rangeUnsatisfiable
)

// parseRange interprets "bytes=a-b", "bytes=a-" and "bytes=-n" against
// an object of size bytes. OSS serves only single ranges; a malformed
// header is ignored (the whole object is sent) unless the client asked
// for standard behaviour.
func parseRange(h string, size int64) (start, end int64, status int) {
	if h == "" {
		return 0, 0, rangeNone
	}
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, 0, rangeInvalid
	}
	a, b, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return 0, 0, rangeInvalid
	}
	if a == "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return 0, 0, rangeInvalid
		}
		if size == 0 {
			return 0, 0, rangeUnsatisfiable
		}
		return max(size-n, 0), size - 1, rangeOK
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil || start < 0 {
		return 0, 0, rangeInvalid
	}
	end = size - 1
	if b != "" {
		if end, err = strconv.ParseInt(b, 10, 64); err != nil || end < start {
			return 0, 0, rangeInvalid
		}
	}
	if start >= size {
		return 0, 0, rangeUnsatisfiable
	}
	return start, min(end, size-1), rangeOK
}

// deleteObject removes the object; a missing key is still a 204.
func (s *Server) deleteObject(w http.ResponseWriter, r *http.Request, req *request) {
	s.remove(req.bucket, req.key)
	w.WriteHeader(http.StatusNoContent)
}

// copySource decodes x-oss-copy-source ("/bucket/key[?versionId=v]").
// The v1 SDK escapes the key with url.QueryEscape, so "+" means a space
// and QueryUnescape is the right decoder.
func copySource(h string) (bucketName, key string, ok bool) {
	if i := strings.Index(h, "?versionId="); i >= 0 {
		h = h[:i]
	}
	dec, err := url.QueryUnescape(h)
	if err != nil {
		return "", "", false
	}
	bucketName, key, ok = strings.Cut(strings.TrimPrefix(dec, "/"), "/")
	return bucketName, key, ok && bucketName != "" && key != ""
}

// copyResult is the CopyObject reply.
type copyResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
}

// copyObject copies a whole object server-side.
func (s *Server) copyObject(w http.ResponseWriter, r *http.Request, req *request) {
	sb, sk, ok := copySource(r.Header.Get("x-oss-copy-source"))
	if !ok {
		s.fail(w, r, req, http.StatusBadRequest, "InvalidArgument", "x-oss-copy-source is invalid.")
		return
	}
	src, f := s.openObject(sb, sk)
	if src == nil {
		s.fail(w, r, req, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", field{"Key", sk})
		return
	}
	b, err := s.writeBlob(f)
	f.Close()
	if err != nil {
		s.fail(w, r, req, http.StatusInternalServerError, errorCodeInternalError, err.Error())
		return
	}
	o := &object{
		key: req.key, path: b.path, size: b.size, etag: etagOf(b.md5), crc: b.crc,
		objType: "Normal", contentType: src.contentType, modified: time.Now().UTC(),
	}
	if !s.store(req.bucket, o, strings.EqualFold(r.Header.Get("x-oss-forbid-overwrite"), "true")) {
		s.fail(w, r, req, http.StatusConflict, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.")
		return
	}
	w.Header().Set(headerCRC, s.crcHeader(req.op, o.crc))
	writeXML(w, copyResult{LastModified: xmlTime(o.modified), ETag: o.etag})
}
