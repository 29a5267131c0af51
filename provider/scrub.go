package provider

import "strings"

// Redacted is the text that stands in for a secret wherever ferry shows
// something that held one.
const Redacted = "(sensitive)"

// ScrubError returns err with every secret (of at least four bytes: shorter
// strings would blank out ordinary words) in its text replaced by
// Redacted. The result still unwraps to err, so errors.Is and errors.As
// keep working for retry decisions; the original text must not be printed.
// An error that mentions no secret is returned as it is.
func ScrubError(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := msg
	for _, s := range secrets {
		if len(s) >= 4 {
			clean = strings.ReplaceAll(clean, s, Redacted)
		}
	}
	if clean == msg {
		return err
	}
	return &scrubbedError{msg: clean, err: err}
}

// scrubbedError prints the scrubbed text and unwraps to the original.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }
