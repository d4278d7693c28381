package rarex

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// JSONKind lets a type name itself in decoding errors ("a decimal number")
// instead of its Go type.
type JSONKind interface{ JSONKind() string }

// DecodeJSON reads exactly one JSON value from r into v. Unknown fields,
// trailing data, wrong types and malformed or empty input are EINVALID
// errors naming the field (or what, e.g. "body", for the whole value).
// Errors of the reader itself (a body over its limit) are returned as they
// are, wrapped, for the caller to map.
func DecodeJSON(r io.Reader, v any, what string) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, what)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return jsonError(err, what)
		}
		return Errorf(EINVALID, "%s: more than one JSON value", what)
	}
	return nil
}

func jsonError(err error, what string) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return Errorf(EINVALID, "%s: empty; a JSON object is required", what)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Errorf(EINVALID, "%s: JSON ends too early", what)
	case errors.As(err, &syn):
		return Errorf(EINVALID, "%s: malformed JSON at byte %d: %v", what, syn.Offset, syn)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = what
		}
		expected := typ.Type.String()
		if k, ok := reflect.Zero(typ.Type).Interface().(JSONKind); ok {
			expected = k.JSONKind()
		}
		return Errorf(EINVALID, "%s: expected %s, got JSON %s", field, expected, typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return Errorf(EINVALID, "%s: unknown field %s", what, strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return fmt.Errorf("%s: %w", what, err)
}
