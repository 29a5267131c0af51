package maxcompute

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sort"
	"strings"
	"time"
)

// maxClockSkew is how far a request's Date may be from the server clock.
const maxClockSkew = 15 * time.Minute

// authError is a rejected request: the HTTP status and the service's error
// code and message.
type authError struct {
	status        int
	code, message string
}

// authenticate verifies the request's Authorization header, the way the
// service does for the SDK's accounts:
//
//	V2: ODPS <AccessKeyId>:base64(HMAC-SHA1(secret, canonical))
//	V4: ODPS <AccessKeyId>/<yyyymmdd>/<region>/odps/aliyun_v4_request:base64(HMAC-SHA1(kSigning, canonical))
//
// where kSigning chains HMAC-SHA256 over "aliyun_v4"+secret, the date, the
// region, "odps" and "aliyun_v4_request".
func (s *Server) authenticate(r *http.Request) *authError {
	denied := func(code, msg string) *authError {
		return &authError{status: http.StatusForbidden, code: code, message: msg}
	}
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "ODPS ")
	if !ok {
		return &authError{status: http.StatusUnauthorized, code: "Unauthorized",
			message: "ODPS-0410051:Invalid credentials - missing ODPS Authorization header"}
	}
	cut := strings.LastIndexByte(auth, ':')
	if cut < 0 {
		return denied("InvalidSignature", "ODPS-0410042:Invalid signature value - malformed Authorization header")
	}
	credential, signature := auth[:cut], auth[cut+1:]
	fields := strings.Split(credential, "/")
	if fields[0] != s.opts.AccessKeyID {
		return denied("InvalidAccessKeyId", "ODPS-0410051:Invalid credentials - accessKeyId not found: "+fields[0])
	}
	date, err := http.ParseTime(r.Header.Get("Date"))
	if err != nil {
		return denied("InvalidSignature", "ODPS-0410042:Invalid signature value - missing or malformed Date header")
	}
	if d := time.Since(date); d > maxClockSkew || d < -maxClockSkew {
		return denied("RequestTimeTooSkewed", "ODPS-0410031:Authentication request expired - the Date header is too far from the server time")
	}
	if s.opts.SecurityToken != "" && r.Header.Get("Authorization-Sts-Token") != s.opts.SecurityToken {
		return denied("InvalidSecurityToken", "ODPS-0410051:Invalid credentials - the STS token is missing or wrong")
	}
	key := []byte(s.opts.AccessKeySecret)
	switch {
	case len(fields) == 1:
	case len(fields) == 5 && fields[3] == "odps" && fields[4] == "aliyun_v4_request":
		if s.opts.Region != "" && fields[2] != s.opts.Region {
			return denied("InvalidSignature", "ODPS-0410042:Invalid signature value - the signature names region "+fields[2])
		}
		key = v4Key(s.opts.AccessKeySecret, fields[1], fields[2])
	default:
		return denied("InvalidSignature", "ODPS-0410042:Invalid signature value - malformed credential scope")
	}
	mac := hmac.New(sha1.New, key)
	mac.Write(canonicalString(r))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return denied("InvalidSignature", "ODPS-0410042:Invalid signature value - User signature dose not match")
	}
	return nil
}

// v4Key derives the V4 signing key.
func v4Key(secret, date, region string) []byte {
	k := hmacSHA256([]byte("aliyun_v4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, "odps")
	return hmacSHA256(k, "aliyun_v4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalString is what the client signed: method, Content-MD5,
// Content-Type and Date lines, the x-odps-* headers sorted and lower-cased,
// then the resource (path below /api and the sorted query, a key with an
// empty value written bare, nothing URL-encoded).
func canonicalString(r *http.Request) []byte {
	var b bytes.Buffer
	for _, line := range []string{r.Method, r.Header.Get("Content-MD5"), r.Header.Get("Content-Type"), r.Header.Get("Date")} {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	var keys []string
	for k := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-odps-") {
			keys = append(keys, lk)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(k + ":" + strings.Join(r.Header.Values(k), ",") + "\n")
	}
	b.WriteString(strings.TrimPrefix(r.URL.Path, "/api"))
	q := r.URL.Query()
	if len(q) > 0 {
		names := make([]string, 0, len(q))
		for k := range q {
			names = append(names, k)
		}
		sort.Strings(names)
		b.WriteByte('?')
		for i, k := range names {
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(k)
			if v := q.Get(k); v != "" {
				b.WriteString("=" + v)
			}
		}
	}
	return b.Bytes()
}
