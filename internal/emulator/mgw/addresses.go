package mgw

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// namePattern is the documented rule for job and address names: 3 to 63
// lower-case letters, digits, "-" and "_", not starting with "-" or "_".
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{2,62}$`)

// Address types the emulator can copy between.
const (
	typeS3  = "s3"
	typeOSS = "oss"
)

// createAddress stores a new address after checking its fields.
func (s *Server) createAddress(body []byte) *apiError {
	var in importAddress
	if err := xml.Unmarshal(body, &in); err != nil {
		return errorf(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed: %v", err)
	}
	if !namePattern.MatchString(in.Name) {
		return errorf(http.StatusBadRequest, "InvalidArgument", "Invalid address name %q.", in.Name)
	}
	d := in.AddressDetail
	if e := checkDetail(d); e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.addresses[in.Name] != nil {
		return errorf(http.StatusConflict, "ImportAddressAlreadyExist", "The import address %s already exists.", in.Name)
	}
	now := time.Now().UTC()
	s.addresses[in.Name] = &address{name: in.Name, detail: d, version: newVersion(), status: "notVerify", created: now}
	return nil
}

// checkDetail rejects address details the service would refuse.
func checkDetail(d addressDetail) *apiError {
	if d.Prefix != "" && (!strings.HasSuffix(d.Prefix, "/") || strings.HasPrefix(d.Prefix, "/")) {
		return errorf(http.StatusBadRequest, "InvalidArgument", "The prefix %q must end with \"/\" and must not start with one.", d.Prefix)
	}
	if d.Bucket == "" {
		return errorf(http.StatusBadRequest, "MissingArgument", "Bucket is required.")
	}
	switch d.AddressType {
	case typeS3:
		if d.AccessID == "" || d.AccessSecret == "" || d.Domain == "" {
			return errorf(http.StatusBadRequest, "MissingArgument", "An s3 address needs AccessId, AccessSecret and Domain.")
		}
	case typeOSS:
		if !strings.HasPrefix(d.RegionID, "oss-") {
			return errorf(http.StatusBadRequest, "InvalidArgument", "RegionId %q is not an OSS region ID (oss-<region>).", d.RegionID)
		}
		if d.Role == "" && d.AccessID == "" {
			return errorf(http.StatusBadRequest, "MissingArgument", "An oss address needs a Role or an AccessId.")
		}
	default:
		return errorf(http.StatusBadRequest, "ImportAddressTypeInvalid", "Address type %q is not supported by this emulator.", d.AddressType)
	}
	return nil
}

// getAddress returns an address, its secret masked.
func (s *Server) getAddress(name string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.addresses[name]
	if a == nil {
		return nil, errNoSuchAddress(name)
	}
	d := a.detail
	d.AccessSecret = ""
	out := importAddress{
		Owner: s.opts.UserID, Name: a.name, AddressDetail: d, Version: a.version, Status: a.status,
		CreateTime: a.created.Format(timeLayout), ModifyTime: a.created.Format(timeLayout),
	}
	if !a.verified.IsZero() {
		out.VerifyTime = a.verified.Format(timeLayout)
	}
	return out, nil
}

// errNoSuchAddress is the reply for a missing address.
func errNoSuchAddress(name string) *apiError {
	return errorf(http.StatusNotFound, "NoSuchImportAddress", "The specified import address %s does not exist.", name)
}

// deleteAddress removes an address no job uses.
func (s *Server) deleteAddress(name string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.addresses[name] == nil {
		return errNoSuchAddress(name)
	}
	for _, j := range s.jobs {
		if j.def.SrcAddress == name || j.def.DestAddress == name {
			return errorf(http.StatusConflict, "ImportAddressIsOccupied", "The import address %s is used by job %s.", name, j.def.Name)
		}
	}
	delete(s.addresses, name)
	return nil
}

// verifyAddress checks that the emulated service can reach an address:
// it lists the bucket with the address's identity.
func (s *Server) verifyAddress(ctx context.Context, name string) (any, *apiError) {
	s.mu.Lock()
	a := s.addresses[name]
	s.mu.Unlock()
	if a == nil {
		return nil, errNoSuchAddress(name)
	}
	now := time.Now().UTC()
	out := verifyReply{Status: "available", VerifyTime: now.Format(timeLayout)}
	if code, msg := s.probe(ctx, a.detail); code != "" {
		out.Status, out.ErrorCode, out.ErrorMessage = "unavailable", code, msg
	}
	s.mu.Lock()
	a.status, a.verified = out.Status, now
	s.mu.Unlock()
	return out, nil
}

// probe lists one key of the address's bucket and prefix, returning an
// error code and message when that fails.
func (s *Server) probe(ctx context.Context, d addressDetail) (code, msg string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	switch d.AddressType {
	case typeS3:
		_, err := s3Client(d).ListObjectsV2(ctx, &s3.ListObjectsV2Input{
			Bucket: aws.String(d.Bucket), Prefix: aws.String(d.Prefix), MaxKeys: aws.Int32(1),
		})
		if err != nil {
			var ae smithy.APIError
			if errors.As(err, &ae) {
				return ae.ErrorCode(), ae.ErrorMessage()
			}
			return "SourceUnreachable", err.Error()
		}
	case typeOSS:
		if len(s.opts.Roles) > 0 && !slices.Contains(s.opts.Roles, d.Role) {
			return "InvalidRole", "The service cannot assume the RAM role " + d.Role + "."
		}
		b, err := s.ossBucket(d)
		if err == nil {
			_, err = b.ListObjectsV2(oss.Prefix(d.Prefix), oss.MaxKeys(1), oss.WithContext(ctx))
		}
		if err != nil {
			var se oss.ServiceError
			if errors.As(err, &se) {
				return se.Code, se.Message
			}
			return "DestinationUnreachable", err.Error()
		}
	}
	return "", ""
}
