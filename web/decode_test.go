package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"rarex"
	"rarex/accounts"
)

// FuzzDecodeJSON: no body may panic the decoder, and every failure is a
// coded rarex error, never a raw one.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"x","ttl_days":3}`, `{"org_id":"a","email":"b","role":"exporter"}`, `{`, `[]`, `{"a":1}{"b":2}`, "\x00", `{"name":"\ud800"}`, `{"ttl_days":1e400}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, v := range []any{&CreateTokenRequest{}, &accounts.NewUser{}, &CreateOrgRequest{}} {
			r := httptest.NewRequest("POST", "/api/v1/x", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			err := DecodeJSON(r, v)
			if err == nil {
				continue
			}
			if c := rarex.ErrorCode(err); c != rarex.EINVALID && c != rarex.ETOOLARGE {
				t.Fatalf("DecodeJSON(%q): code %q (%v)", body, c, err)
			}
		}
	})
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "/",
		"/tokens":              "/tokens",
		"/users?x=1":           "/users?x=1",
		"//evil.example":       "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"javascript:alert(1)":  "/",
		"/ok\r\nSet-Cookie: x": "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
