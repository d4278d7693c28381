// Package rarex holds the domain types, store interfaces and error codes of
// the rarex export-control system. It imports only the standard library;
// engines, stores and the web layer build on it.
package rarex

import (
	"errors"
	"fmt"
)

// Error codes. The list is append-only: clients match on these strings.
const (
	ECONFLICT     = "conflict"     // a unique value is taken, or the state forbids the change
	EFORBIDDEN    = "forbidden"    // the caller is known but may not do this
	EINTERNAL     = "internal"     // a fault of ours; details are logged, never shown
	EINVALID      = "invalid"      // the request is malformed; the message names the field
	ENOTFOUND     = "not_found"    // no such thing (or not visible to the caller)
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	ERATELIMIT    = "rate_limited" // too many attempts; try again later
	ETOOLARGE     = "too_large"    // the request body exceeds the limit
	EUNAVAILABLE  = "unavailable"  // a dependency (database, disk) cannot be reached
)

// Error is the one error type that crosses package boundaries. Its Message is
// safe to show to the user; wrap causes with fmt.Errorf("...: %w", err).
type Error struct {
	Code    string
	Message string
	// Key and Args, when set, are the message in the catalog (i18n), for
	// pages in the reader's language; Message is then its English.
	Key  string
	Args []string
}

func (e *Error) Error() string {
	return fmt.Sprintf("rarex error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. Errors that are not
// *Error never leak their text: they read "Internal error."
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
