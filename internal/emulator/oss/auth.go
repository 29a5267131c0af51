package oss

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

const (
	// v4Algorithm opens a V4 Authorization header.
	v4Algorithm = "OSS4-HMAC-SHA256"
	// v4Product is the service in a V4 credential scope.
	v4Product = "oss"
	// v4Terminator ends a V4 credential scope.
	v4Terminator = "aliyun_v4_request"
	// unsignedPayload is the body hash V4 signers send.
	unsignedPayload = "UNSIGNED-PAYLOAD"
	// maxSkew is how far a request's date may be from the server clock.
	maxSkew = 15 * time.Minute
)

// signedSubresources are the query parameters a V1 signature covers; every
// other parameter (prefix, list-type, encoding-type, max-keys, …) is left
// out of the canonicalized resource.
var signedSubresources = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`acl uploads location cors logging website referer lifecycle
		delete append tagging objectMeta uploadId partNumber security-token position img style
		styleName replication replicationProgress replicationLocation cname bucketInfo comp qos
		live status vod startTime endTime symlink x-oss-process response-content-type
		x-oss-traffic-limit response-content-language response-expires response-cache-control
		response-content-disposition response-content-encoding udf udfName udfImage udfId
		udfImageDesc udfApplication udfApplicationLog restore callback callback-var qosInfo policy
		stat encryption versions versioning versionId requestPayment x-oss-request-payer sequential
		inventory inventoryId continuation-token asyncFetch worm wormId wormExtend withHashContext
		x-oss-enable-md5 x-oss-enable-sha1 x-oss-enable-sha256 x-oss-hash-ctx x-oss-md5-ctx
		transferAcceleration regionList cloudboxes x-oss-ac-source-ip x-oss-ac-subnet-mask
		x-oss-ac-vpc-id x-oss-ac-forward-allow metaQuery resourceGroup rtc x-oss-async-process
		responseHeader`) {
		signedSubresources[k] = true
	}
}

// authenticate verifies the request's Authorization header, answering
// 403 and returning false when it does not hold.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, req *request) bool {
	auth := r.Header.Get("Authorization")
	deny := func(code, msg string, extra ...field) bool {
		s.fail(w, r, req, http.StatusForbidden, code, msg, extra...)
		return false
	}
	if auth == "" {
		return deny("AccessDenied", "You have no right to access this object because of bucket acl.")
	}
	if tok := s.opts.SecurityToken; tok != "" && r.Header.Get("x-oss-security-token") != tok {
		return deny("InvalidSecurityToken", "The security token you provided is invalid.")
	}
	if err := checkDate(r); err != "" {
		return deny("RequestTimeTooSkewed", err)
	}
	var (
		akID, got, want, stringToSign string
	)
	switch {
	case strings.HasPrefix(auth, "OSS "):
		id, sig, ok := strings.Cut(strings.TrimPrefix(auth, "OSS "), ":")
		if !ok {
			return deny("InvalidArgument", "Authorization header is invalid.")
		}
		akID, got = id, sig
		stringToSign = stringToSignV1(r, req)
		mac := hmac.New(sha1.New, []byte(s.opts.AccessKeySecret))
		mac.Write([]byte(stringToSign))
		want = base64.StdEncoding.EncodeToString(mac.Sum(nil))
	case strings.HasPrefix(auth, v4Algorithm+" "):
		a, ok := parseV4(strings.TrimPrefix(auth, v4Algorithm+" "))
		if !ok {
			return deny("InvalidArgument", "Authorization header is invalid.")
		}
		if a.product != v4Product || a.terminator != v4Terminator {
			return deny("SignatureDoesNotMatch", "Invalid credential scope in the Authorization header.")
		}
		if s.opts.Region != "" && a.region != s.opts.Region {
			return deny("SignatureDoesNotMatch", "Invalid signing region in Authorization header.")
		}
		akID, got = a.akID, a.signature
		var day string
		stringToSign, day = stringToSignV4(r, req, a)
		if day != a.day {
			return deny("SignatureDoesNotMatch", "Invalid signing date in Authorization header.")
		}
		want = hex.EncodeToString(signingKeyV4(s.opts.AccessKeySecret, a.day, a.region, stringToSign))
	default:
		return deny("InvalidArgument", "Authorization header is invalid.")
	}
	if akID != s.opts.AccessKeyID {
		return deny("InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.",
			field{"OSSAccessKeyId", akID})
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return deny("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			field{"OSSAccessKeyId", akID}, field{"SignatureProvided", got}, field{"StringToSign", stringToSign})
	}
	return true
}

// checkDate rejects requests whose date is missing or too far from now.
func checkDate(r *http.Request) string {
	var (
		t   time.Time
		err error
	)
	if d := r.Header.Get("x-oss-date"); d != "" {
		t, err = time.Parse("20060102T150405Z", d)
	} else {
		t, err = http.ParseTime(r.Header.Get("Date"))
	}
	if err != nil {
		return "The request has no valid Date or x-oss-date header."
	}
	if d := time.Since(t); d > maxSkew || d < -maxSkew {
		return "The difference between the request time and the current time is too large."
	}
	return ""
}

// canonicalHeaders renders the signed headers, sorted by lower-cased name,
// one "name:value\n" each. keep says which lower-cased names to include.
func canonicalHeaders(h http.Header, keep func(string) bool, trim bool) string {
	vals := map[string]string{}
	var names []string
	for k, v := range h {
		lk := strings.ToLower(k)
		if !keep(lk) || len(v) == 0 {
			continue
		}
		val := v[0]
		if trim {
			val = strings.Trim(val, " ")
		}
		if _, dup := vals[lk]; !dup {
			names = append(names, lk)
		}
		vals[lk] = val
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n + ":" + vals[n] + "\n")
	}
	return b.String()
}

// stringToSignV1 builds the V1 string to sign: verb, Content-MD5,
// Content-Type, Date, the x-oss-* headers, and the canonicalized resource
// /bucket/key with its signed sub-resources (raw, unencoded values).
func stringToSignV1(r *http.Request, req *request) string {
	ossHeaders := canonicalHeaders(r.Header, func(k string) bool { return strings.HasPrefix(k, "x-oss-") }, false)
	resource := "/"
	if req.bucket != "" {
		resource = "/" + req.bucket + "/" + req.key
	}
	var keys []string
	for k := range req.query {
		if signedSubresources[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for i, k := range keys {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		resource += sep + k
		if v := req.query.Get(k); v != "" {
			resource += "=" + v
		}
	}
	return r.Method + "\n" + r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n" +
		r.Header.Get("Date") + "\n" + ossHeaders + resource
}

// v4Auth is a parsed V4 Authorization header.
type v4Auth struct {
	akID, day, region, product, terminator string
	additional                             []string
	signature                              string
}

// parseV4 parses "Credential=AK/day/region/oss/aliyun_v4_request[,AdditionalHeaders=a;b],Signature=hex".
func parseV4(s string) (v4Auth, bool) {
	var a v4Auth
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, false
		}
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 5 {
				return a, false
			}
			a.akID, a.day, a.region, a.product, a.terminator = scope[0], scope[1], scope[2], scope[3], scope[4]
		case "AdditionalHeaders":
			for _, h := range strings.Split(v, ";") {
				if h != "" {
					a.additional = append(a.additional, strings.ToLower(h))
				}
			}
		case "Signature":
			a.signature = v
		}
	}
	return a, a.akID != "" && a.signature != ""
}

// v4Escape percent-encodes s as V4 canonical requests do: query escaping
// with spaces as %20.
func v4Escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// stringToSignV4 builds the V4 string to sign, and returns with it the
// yyyymmdd day of the request's date for comparison with the scope.
func stringToSignV4(r *http.Request, req *request, a v4Auth) (string, string) {
	resource := "/"
	if req.bucket != "" {
		resource = "/" + req.bucket + "/" + strings.ReplaceAll(v4Escape(req.key), "%2F", "/")
	}
	var keys []string
	enc := map[string]string{}
	for k, v := range req.query {
		ek := url.QueryEscape(k)
		keys = append(keys, ek)
		if len(v) > 0 && v[0] != "" {
			enc[ek] = v4Escape(v[0])
		}
	}
	sort.Strings(keys)
	var sub strings.Builder
	for i, k := range keys {
		if i > 0 {
			sub.WriteByte('&')
		}
		sub.WriteString(k)
		if v, ok := enc[k]; ok {
			sub.WriteString("=" + v)
		}
	}
	additional := map[string]bool{}
	for _, h := range a.additional {
		additional[h] = true
	}
	// Go moves Host out of the header map; signers that list it as an
	// additional header signed the value they sent.
	h := r.Header.Clone()
	h.Set("Host", r.Host)
	headers := canonicalHeaders(h, func(k string) bool {
		return k == "content-md5" || k == "content-type" || strings.HasPrefix(k, "x-oss-") || additional[k]
	}, true)
	payload := r.Header.Get("x-oss-content-sha256")
	if payload == "" {
		payload = unsignedPayload
	}
	canonical := r.Method + "\n" + resource + "\n" + sub.String() + "\n" + headers + "\n" +
		strings.Join(a.additional, ";") + "\n" + payload
	sum := sha256.Sum256([]byte(canonical))

	date := r.Header.Get("x-oss-date")
	var t time.Time
	if date != "" {
		t, _ = time.Parse("20060102T150405Z", date)
	} else {
		date = r.Header.Get("Date")
		t, _ = http.ParseTime(date)
	}
	day := t.UTC().Format("20060102")
	return v4Algorithm + "\n" + date + "\n" + a.day + "/" + a.region + "/" + v4Product + "/" + v4Terminator + "\n" +
		hex.EncodeToString(sum[:]), day
}

// signingKeyV4 derives the V4 key from the secret and the scope and signs
// stringToSign with it.
func signingKeyV4(secret, day, region, stringToSign string) []byte {
	key := []byte("aliyun_v4" + secret)
	for _, part := range []string{day, region, v4Product, v4Terminator, stringToSign} {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(part))
		key = mac.Sum(nil)
	}
	return key
}
