package mgw

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

const (
	v4Algorithm     = "OSS4-HMAC-SHA256"
	v4Product       = "oss"
	v4Terminator    = "aliyun_v4_request"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	dateLayout      = "20060102T150405Z"
	maxSkew         = 15 * time.Minute
)

// credential is a parsed Authorization header.
type credential struct {
	keyID, day, region, product, terminator string
	additional                              []string
	signature                               string
}

// authenticate checks the Host, the date, the signature and the body
// digest of a request, returning the error reply when one fails.
func (s *Server) authenticate(r *http.Request, body []byte) *apiError {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if uid, _, _ := strings.Cut(host, "."); uid != s.opts.UserID {
		return errorf(http.StatusForbidden, "AccessDenied", "The request host %q does not start with the account ID.", host)
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return errorf(http.StatusForbidden, "AccessDenied", "The request is not signed.")
	}
	if tok := s.opts.SecurityToken; tok != "" && r.Header.Get("x-oss-security-token") != tok {
		return errorf(http.StatusForbidden, "InvalidSecurityToken", "The security token you provided is invalid.")
	}
	stamp := r.Header.Get("x-oss-date")
	t, err := time.Parse(dateLayout, stamp)
	if err != nil {
		return errorf(http.StatusForbidden, "AccessDenied", "The request has no valid x-oss-date header.")
	}
	if d := time.Since(t); d > maxSkew || d < -maxSkew {
		return errorf(http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
	}
	c, ok := parseCredential(strings.TrimPrefix(auth, v4Algorithm+" "))
	if !strings.HasPrefix(auth, v4Algorithm+" ") || !ok {
		return errorf(http.StatusBadRequest, "InvalidArgument", "The Authorization header is not an %s signature.", v4Algorithm)
	}
	switch {
	case c.product != v4Product || c.terminator != v4Terminator:
		return errorf(http.StatusForbidden, "SignatureDoesNotMatch", "Invalid credential scope in the Authorization header.")
	case c.region != s.opts.Region:
		return errorf(http.StatusForbidden, "SignatureDoesNotMatch", "Invalid signing region %q in the Authorization header.", c.region)
	case c.day != t.UTC().Format("20060102"):
		return errorf(http.StatusForbidden, "SignatureDoesNotMatch", "Invalid signing date in the Authorization header.")
	case c.keyID != s.opts.AccessKeyID:
		return errorf(http.StatusForbidden, "InvalidAccessKeyId", "The Access Key Id you provided does not exist in our records.")
	}
	canonical := canonicalRequest(r, c.additional)
	sum := sha256.Sum256([]byte(canonical))
	toSign := v4Algorithm + "\n" + stamp + "\n" + c.day + "/" + c.region + "/" + v4Product + "/" + v4Terminator + "\n" + hex.EncodeToString(sum[:])
	want := hex.EncodeToString(derive("aliyun_v4"+s.opts.AccessKeySecret, c.day, c.region, v4Product, v4Terminator, toSign))
	if subtle.ConstantTimeCompare([]byte(want), []byte(c.signature)) != 1 {
		e := errorf(http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
		e.fields = []extra{
			{XMLName: xml.Name{Local: "AccessKeyId"}, Value: c.keyID},
			{XMLName: xml.Name{Local: "SignatureProvided"}, Value: c.signature},
			{XMLName: xml.Name{Local: "StringToSign"}, Value: toSign},
			{XMLName: xml.Name{Local: "CanonicalRequest"}, Value: canonical},
		}
		return e
	}
	if len(body) > 0 {
		md := r.Header.Get("Content-MD5")
		sum := md5.Sum(body)
		if md == "" {
			return errorf(http.StatusBadRequest, "InvalidDigest", "A request with a body must carry Content-MD5.")
		}
		if md != base64.StdEncoding.EncodeToString(sum[:]) {
			return errorf(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified did not match what was received.")
		}
	}
	return nil
}

// parseCredential parses "Credential=AK/day/region/oss/aliyun_v4_request[,AdditionalHeaders=a;b],Signature=hex".
func parseCredential(s string) (credential, bool) {
	var c credential
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return c, false
		}
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 5 {
				return c, false
			}
			c.keyID, c.day, c.region, c.product, c.terminator = scope[0], scope[1], scope[2], scope[3], scope[4]
		case "AdditionalHeaders":
			for _, h := range strings.Split(v, ";") {
				if h != "" {
					c.additional = append(c.additional, strings.ToLower(h))
				}
			}
		case "Signature":
			c.signature = v
		}
	}
	return c, c.keyID != "" && c.signature != ""
}

// canonicalRequest renders the request as the signer must have: method,
// the path percent-encoded with "/" kept, the sorted query with bare
// keys for empty values, the content-type, content-md5, x-oss-* and
// additional headers, the additional header names and the payload hash.
func canonicalRequest(r *http.Request, additional []string) string {
	path := r.URL.Path
	if path == "" {
		path = "/"
	}
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(strings.ReplaceAll(v4Escape(path), "%2F", "/") + "\n")

	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return v4Escape(keys[i]) < v4Escape(keys[j]) })
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(v4Escape(k))
		if v := q.Get(k); v != "" {
			b.WriteString("=" + v4Escape(v))
		}
	}
	b.WriteByte('\n')

	extraNames := map[string]bool{}
	for _, h := range additional {
		extraNames[h] = true
	}
	h := r.Header.Clone()
	h.Set("Host", r.Host)
	var names []string
	vals := map[string]string{}
	for k, v := range h {
		lk := strings.ToLower(k)
		if len(v) == 0 || !(lk == "content-type" || lk == "content-md5" || strings.HasPrefix(lk, "x-oss-") || extraNames[lk]) {
			continue
		}
		names = append(names, lk)
		vals[lk] = strings.TrimSpace(v[0])
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString(n + ":" + vals[n] + "\n")
	}
	b.WriteString("\n" + strings.Join(additional, ";") + "\n")
	payload := r.Header.Get("x-oss-content-sha256")
	if payload == "" {
		payload = unsignedPayload
	}
	b.WriteString(payload)
	return b.String()
}

// v4Escape percent-encodes all but unreserved characters, a space as %20.
func v4Escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// derive runs the V4 HMAC-SHA256 chain from key through parts.
func derive(key string, parts ...string) []byte {
	k := []byte(key)
	for _, p := range parts {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(p))
		k = m.Sum(nil)
	}
	return k
}
