package oss

import (
	"crypto/md5"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// initiateResult is the InitiateMultipartUpload reply.
type initiateResult struct {
	XMLName      xml.Name `xml:"InitiateMultipartUploadResult"`
	Bucket       string   `xml:"Bucket"`
	Key          string   `xml:"Key"`
	UploadID     string   `xml:"UploadId"`
	EncodingType string   `xml:"EncodingType,omitempty"`
}

// initiateUpload starts a multipart upload (POST ?uploads).
func (s *Server) initiateUpload(w http.ResponseWriter, r *http.Request, req *request) {
	_, _ = io.Copy(io.Discard, r.Body)
	u := &upload{
		id: s.newUploadID(), bucket: req.bucket, key: req.key, contentType: contentTypeOf(r),
		initiated: time.Now().UTC(), parts: map[int]*part{},
	}
	s.mu.Lock()
	s.uploads[u.id] = u
	s.mu.Unlock()
	enc := req.query.Get("encoding-type") == "url"
	res := initiateResult{Bucket: req.bucket, Key: encodeIf(enc, req.key), UploadID: u.id}
	if enc {
		res.EncodingType = "url"
	}
	writeXML(w, res)
}

// copyPartResult is the UploadPartCopy reply.
type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
}

// uploadPart stores one part (PUT ?partNumber&uploadId), from the body
// or, for UploadPartCopy, from a range of another object. Uploading a
// number again replaces the part.
func (s *Server) uploadPart(w http.ResponseWriter, r *http.Request, req *request) {
	n, err := strconv.Atoi(req.query.Get("partNumber"))
	if err != nil || n < 1 || n > maxPartNumber {
		s.fail(w, r, req, http.StatusBadRequest, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive.")
		return
	}
	id := req.query.Get("uploadId")
	if s.uploadFor(id, req.bucket, req.key) == nil {
		s.noSuchUpload(w, r, req, id)
		return
	}
	var b blob
	if req.op == OpUploadPartCopy {
		var ok bool
		if b, ok = s.copyPartBlob(w, r, req); !ok {
			return
		}
	} else {
		b, err = s.writeBlob(r.Body)
		if err != nil || (r.ContentLength >= 0 && b.size != r.ContentLength) {
			removeBlob(b.path)
			s.fail(w, r, req, http.StatusBadRequest, "IncompleteBody", "The request body does not match Content-Length.")
			return
		}
		if !s.checkMD5(w, r, req, b.md5) {
			removeBlob(b.path)
			return
		}
		s.damageStoredPart(n, b.path, b.size)
	}
	p := &part{number: n, path: b.path, size: b.size, etag: etagOf(b.md5), md5: b.md5, crc: b.crc, modified: time.Now().UTC()}
	s.mu.Lock()
	u := s.uploads[id]
	var old *part
	if u != nil {
		old = u.parts[n]
		u.parts[n] = p
	}
	s.mu.Unlock()
	if u == nil {
		removeBlob(b.path)
		s.noSuchUpload(w, r, req, id)
		return
	}
	if old != nil {
		removeBlob(old.path)
	}
	w.Header().Set("ETag", p.etag)
	w.Header().Set(headerCRC, s.crcHeader(req.op, p.crc))
	if req.op == OpUploadPartCopy {
		writeXML(w, copyPartResult{LastModified: xmlTime(p.modified), ETag: p.etag})
		return
	}
	w.WriteHeader(http.StatusOK)
}

// copyPartBlob reads the x-oss-copy-source range into a new blob.
func (s *Server) copyPartBlob(w http.ResponseWriter, r *http.Request, req *request) (blob, bool) {
	_, _ = io.Copy(io.Discard, r.Body)
	sb, sk, ok := copySource(r.Header.Get("x-oss-copy-source"))
	if !ok {
		s.fail(w, r, req, http.StatusBadRequest, "InvalidArgument", "x-oss-copy-source is invalid.")
		return blob{}, false
	}
	src, f := s.openObject(sb, sk)
	if src == nil {
		s.fail(w, r, req, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", field{"Key", sk})
		return blob{}, false
	}
	defer f.Close()
	start, end, status := parseRange(r.Header.Get("x-oss-copy-source-range"), src.size)
	if status == rangeUnsatisfiable {
		s.fail(w, r, req, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range cannot be satisfied.")
		return blob{}, false
	}
	if status != rangeOK {
		start, end = 0, src.size-1
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		s.fail(w, r, req, http.StatusInternalServerError, errorCodeInternalError, err.Error())
		return blob{}, false
	}
	b, err := s.writeBlob(io.LimitReader(f, end-start+1))
	if err != nil {
		s.fail(w, r, req, http.StatusInternalServerError, errorCodeInternalError, err.Error())
		return blob{}, false
	}
	return b, true
}

// noSuchUpload answers 404 NoSuchUpload.
func (s *Server) noSuchUpload(w http.ResponseWriter, r *http.Request, req *request, id string) {
	s.fail(w, r, req, http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
		field{"UploadId", id})
}

// completeRequest is the CompleteMultipartUpload body.
type completeRequest struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
	} `xml:"Part"`
}

// completeResult is the CompleteMultipartUpload reply.
type completeResult struct {
	XMLName      xml.Name `xml:"CompleteMultipartUploadResult"`
	EncodingType string   `xml:"EncodingType,omitempty"`
	Location     string   `xml:"Location"`
	Bucket       string   `xml:"Bucket"`
	Key          string   `xml:"Key"`
	ETag         string   `xml:"ETag"`
}

// completeUpload joins the listed parts, in the listed order, into the
// object and publishes it.
func (s *Server) completeUpload(w http.ResponseWriter, r *http.Request, req *request) {
	id := req.query.Get("uploadId")
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		s.fail(w, r, req, http.StatusBadRequest, "IncompleteBody", "The request body is incomplete.")
		return
	}
	s.mu.Lock()
	u := s.uploads[id]
	var have map[int]*part
	if u != nil && u.bucket == req.bucket && u.key == req.key {
		have = make(map[int]*part, len(u.parts))
		for k, v := range u.parts {
			have[k] = v
		}
	}
	s.mu.Unlock()
	if have == nil {
		s.noSuchUpload(w, r, req, id)
		return
	}
	var list []*part
	if strings.EqualFold(r.Header.Get("x-oss-complete-all"), "yes") {
		for _, p := range have {
			list = append(list, p)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].number < list[j].number })
	} else {
		var c completeRequest
		if err := xml.Unmarshal(body, &c); err != nil || len(c.Parts) == 0 {
			s.fail(w, r, req, http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
			return
		}
		for i, cp := range c.Parts {
			if i > 0 && cp.PartNumber <= c.Parts[i-1].PartNumber {
				s.fail(w, r, req, http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.")
				return
			}
			p := have[cp.PartNumber]
			if p == nil || !strings.EqualFold(strings.Trim(cp.ETag, `"`), strings.Trim(p.etag, `"`)) {
				s.fail(w, r, req, http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.",
					field{"PartNumber", strconv.Itoa(cp.PartNumber)})
				return
			}
			list = append(list, p)
		}
	}
	for i, p := range list {
		if i < len(list)-1 && p.size < minPartSize {
			s.fail(w, r, req, http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size.",
				field{"PartNumber", strconv.Itoa(p.number)})
			return
		}
	}
	b, etag, err := s.joinParts(list)
	if err != nil {
		s.fail(w, r, req, http.StatusInternalServerError, errorCodeInternalError, err.Error())
		return
	}
	s.mu.Lock()
	_, still := s.uploads[id]
	s.mu.Unlock()
	if !still {
		removeBlob(b.path)
		s.noSuchUpload(w, r, req, id)
		return
	}
	o := &object{
		key: req.key, path: b.path, size: b.size, etag: etag, crc: b.crc,
		objType: "Multipart", contentType: u.contentType, modified: time.Now().UTC(),
	}
	s.store(req.bucket, o, false)
	s.dropUpload(id)
	enc := req.query.Get("encoding-type") == "url"
	res := completeResult{
		Location: "http://" + req.bucket + "." + r.Host + "/" + encodeIf(true, req.key),
		Bucket:   req.bucket, Key: encodeIf(enc, req.key), ETag: etag,
	}
	if enc {
		res.EncodingType = "url"
	}
	w.Header().Set("ETag", etag)
	w.Header().Set(headerCRC, s.crcHeader(req.op, o.crc))
	writeXML(w, res)
}

// joinParts concatenates the parts' files into a new blob and returns it
// with the multipart ETag: the MD5 of the parts' binary MD5s, "-N".
func (s *Server) joinParts(list []*part) (blob, string, error) {
	readers := make([]io.Reader, 0, len(list))
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	etags := md5.New()
	for _, p := range list {
		f, err := os.Open(p.path)
		if err != nil {
			return blob{}, "", fmt.Errorf("part %d: %w", p.number, err)
		}
		files = append(files, f)
		readers = append(readers, f)
		etags.Write(p.md5)
	}
	b, err := s.writeBlob(io.MultiReader(readers...))
	if err != nil {
		return blob{}, "", err
	}
	etag := etagOf(etags.Sum(nil))
	return b, etag[:len(etag)-1] + "-" + strconv.Itoa(len(list)) + `"`, nil
}

// abortUpload discards an upload and its parts (DELETE ?uploadId).
func (s *Server) abortUpload(w http.ResponseWriter, r *http.Request, req *request) {
	id := req.query.Get("uploadId")
	if s.uploadFor(id, req.bucket, req.key) == nil || !s.dropUpload(id) {
		s.noSuchUpload(w, r, req, id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listedPart is one part of a ListParts reply.
type listedPart struct {
	PartNumber    int    `xml:"PartNumber"`
	LastModified  string `xml:"LastModified"`
	ETag          string `xml:"ETag"`
	HashCrc64ecma uint64 `xml:"HashCrc64ecma"`
	Size          int64  `xml:"Size"`
}

// listPartsResult is the ListParts reply.
type listPartsResult struct {
	XMLName              xml.Name     `xml:"ListPartsResult"`
	EncodingType         string       `xml:"EncodingType,omitempty"`
	Bucket               string       `xml:"Bucket"`
	Key                  string       `xml:"Key"`
	UploadID             string       `xml:"UploadId"`
	PartNumberMarker     int          `xml:"PartNumberMarker"`
	NextPartNumberMarker int          `xml:"NextPartNumberMarker"`
	MaxParts             int          `xml:"MaxParts"`
	IsTruncated          bool         `xml:"IsTruncated"`
	Parts                []listedPart `xml:"Part"`
}

// listParts lists an upload's parts in number order (GET ?uploadId).
func (s *Server) listParts(w http.ResponseWriter, r *http.Request, req *request) {
	id := req.query.Get("uploadId")
	maxParts, marker := defaultListParts, 0
	if v := req.query.Get("max-parts"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 && n <= defaultListParts {
			maxParts = n
		}
	}
	if v := req.query.Get("part-number-marker"); v != "" {
		marker, _ = strconv.Atoi(v)
	}
	var parts []*part
	s.mu.Lock()
	u := s.uploads[id]
	if u != nil && (u.bucket != req.bucket || u.key != req.key) {
		u = nil
	}
	if u != nil {
		for _, p := range u.parts {
			if p.number > marker {
				parts = append(parts, p)
			}
		}
	}
	s.mu.Unlock()
	if u == nil {
		s.noSuchUpload(w, r, req, id)
		return
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].number < parts[j].number })
	enc := req.query.Get("encoding-type") == "url"
	res := listPartsResult{Bucket: req.bucket, Key: encodeIf(enc, req.key), UploadID: id, PartNumberMarker: marker, MaxParts: maxParts}
	if enc {
		res.EncodingType = "url"
	}
	if len(parts) > maxParts {
		parts, res.IsTruncated = parts[:maxParts], true
	}
	for _, p := range parts {
		res.Parts = append(res.Parts, listedPart{PartNumber: p.number, LastModified: xmlTime(p.modified), ETag: p.etag, HashCrc64ecma: p.crc, Size: p.size})
		res.NextPartNumberMarker = p.number
	}
	writeXML(w, res)
}
