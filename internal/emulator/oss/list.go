package oss

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// owner is the object owner element.
type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

// contents is one listed object.
type contents struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Type         string `xml:"Type"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
	Owner        *owner `xml:"Owner,omitempty"`
}

// commonPrefix is one folder of a delimited listing.
type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// listResult is the ListObjects and ListObjectsV2 reply; the fields of
// the other version are left out by omitempty.
type listResult struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Marker                *string        `xml:"Marker,omitempty"`
	StartAfter            *string        `xml:"StartAfter,omitempty"`
	ContinuationToken     *string        `xml:"ContinuationToken,omitempty"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	KeyCount              *int           `xml:"KeyCount,omitempty"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	Contents              []contents     `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

// listObjects answers ListObjects (v1, marker paging) and ListObjectsV2
// (continuation tokens).
func (s *Server) listObjects(w http.ResponseWriter, r *http.Request, req *request) {
	q := req.query
	v2 := req.op == OpListObjectsV2
	maxKeys := defaultListKeys
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxListKeys {
			s.fail(w, r, req, http.StatusBadRequest, "InvalidArgument", "max-keys must be between 0 and 1000.")
			return
		}
		maxKeys = n
	}
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	enc := q.Get("encoding-type") == "url"
	res := listResult{Name: req.bucket, Prefix: encodeIf(enc, prefix), MaxKeys: maxKeys, Delimiter: encodeIf(enc, delim)}
	if enc {
		res.EncodingType = "url"
	}

	after := ""
	if v2 {
		if tok, ok := q["continuation-token"]; ok {
			raw, err := base64.RawURLEncoding.DecodeString(tok[0])
			if err != nil {
				s.fail(w, r, req, http.StatusBadRequest, "InvalidArgument", "The continuation token is invalid.")
				return
			}
			after = string(raw)
			ct := encodeIf(enc, tok[0])
			res.ContinuationToken = &ct
		} else {
			after = q.Get("start-after")
		}
		sa := encodeIf(enc, q.Get("start-after"))
		res.StartAfter = &sa
	} else {
		after = q.Get("marker")
		m := encodeIf(enc, after)
		res.Marker = &m
	}
	withOwner := !v2 || q.Get("fetch-owner") == "true"

	last, count := "", 0
	for _, o := range s.sortedKeys(req.bucket, prefix) {
		if o.key <= after || (delim != "" && strings.HasSuffix(after, delim) && strings.HasPrefix(o.key, after)) {
			continue
		}
		name := o.key
		if delim != "" {
			if i := strings.Index(o.key[len(prefix):], delim); i >= 0 {
				name = o.key[:len(prefix)+i+len(delim)]
			}
		}
		if name == last {
			continue // another key of the folder already listed
		}
		if count == maxKeys {
			res.IsTruncated = true
			break
		}
		count++
		last = name
		if name != o.key {
			res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: encodeIf(enc, name)})
			continue
		}
		c := contents{
			Key: encodeIf(enc, o.key), LastModified: xmlTime(o.modified), ETag: o.etag,
			Type: o.objType, Size: o.size, StorageClass: "Standard",
		}
		if withOwner {
			c.Owner = &owner{ID: s.opts.AccessKeyID, DisplayName: s.opts.AccessKeyID}
		}
		res.Contents = append(res.Contents, c)
	}
	if res.IsTruncated {
		if v2 {
			res.NextContinuationToken = encodeIf(enc, base64.RawURLEncoding.EncodeToString([]byte(last)))
		} else {
			res.NextMarker = encodeIf(enc, last)
		}
	}
	if v2 {
		res.KeyCount = &count
	}
	writeXML(w, res)
}

// deleteRequest is the DeleteMultipleObjects body.
type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key string `xml:"Key"`
	} `xml:"Object"`
}

// deleted is one entry of a non-quiet DeleteMultipleObjects reply.
type deleted struct {
	Key string `xml:"Key"`
}

// deleteResult is the DeleteMultipleObjects reply.
type deleteResult struct {
	XMLName      xml.Name  `xml:"DeleteResult"`
	EncodingType string    `xml:"EncodingType,omitempty"`
	Deleted      []deleted `xml:"Deleted"`
}

// deleteMultiple removes up to 1000 keys. The Content-MD5 header is
// required, as OSS requires it; quiet mode lists nothing.
func (s *Server) deleteMultiple(w http.ResponseWriter, r *http.Request, req *request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		s.fail(w, r, req, http.StatusBadRequest, "IncompleteBody", "The request body is incomplete.")
		return
	}
	if r.Header.Get("Content-MD5") == "" {
		s.fail(w, r, req, http.StatusBadRequest, "MissingArgument", "Missing Some Required Arguments.", field{"ArgumentName", "Content-MD5"})
		return
	}
	sum := md5.Sum(body)
	if !s.checkMD5(w, r, req, sum[:]) {
		return
	}
	var d deleteRequest
	if err := xml.Unmarshal(body, &d); err != nil || len(d.Objects) == 0 || len(d.Objects) > maxDeleteKeys {
		s.fail(w, r, req, http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
		return
	}
	enc := req.query.Get("encoding-type") == "url"
	res := deleteResult{}
	if enc {
		res.EncodingType = "url"
	}
	for _, o := range d.Objects {
		s.remove(req.bucket, o.Key)
		if !d.Quiet {
			res.Deleted = append(res.Deleted, deleted{Key: encodeIf(enc, o.Key)})
		}
	}
	writeXML(w, res)
}
