// Package accounts signs people in and out, keeps their sessions and API
// tokens, and manages organisations and users. Every call that acts for a
// user names its action and asks rarex.Authorize once.
package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"rarex"
)

// HashParams are argon2id's cost parameters.
type HashParams struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32
	Threads   uint8
	KeyLen    uint32
}

// DefaultHashParams follow RFC 9106's second recommended option, scaled to
// two threads: 64 MiB, 3 passes. About 100 ms on one of this project's cores.
var DefaultHashParams = HashParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 2, KeyLen: 32}

// TestHashParams are cheap parameters for tests only.
var TestHashParams = HashParams{Time: 1, MemoryKiB: 1024, Threads: 1, KeyLen: 32}

// Password length bounds, in characters. Long passphrases are welcome; the
// upper bound only stops hashing megabytes.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// CheckPassword returns EINVALID when pw is unacceptable.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return rarex.Errorf(rarex.EINVALID, "password: not valid UTF-8")
	case n < MinPasswordLen:
		return rarex.Errorf(rarex.EINVALID, "password: at least %d characters, please", MinPasswordLen)
	case n > MaxPasswordLen:
		return rarex.Errorf(rarex.EINVALID, "password: at most %d characters", MaxPasswordLen)
	}
	return nil
}

// HashPassword returns pw hashed with argon2id in the PHC string format.
func HashPassword(pw string, p HashParams) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the encoded hash. A malformed
// hash is an error, never a match.
func VerifyPassword(pw, encoded string) (bool, error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

func decodeHash(s string) (p HashParams, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("password hash: not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("password hash: unsupported version %q", parts[2])
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &threads); err != nil {
		return p, nil, nil, fmt.Errorf("password hash: bad parameters %q", parts[3])
	}
	// Bounds keep a tampered row from making us allocate gigabytes.
	if p.Time < 1 || p.Time > 16 || p.MemoryKiB < 8 || p.MemoryKiB > 1<<20 || threads < 1 || threads > 16 {
		return p, nil, nil, fmt.Errorf("password hash: parameters out of range %q", parts[3])
	}
	p.Threads = uint8(threads)
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("password hash: bad salt")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, fmt.Errorf("password hash: bad key")
	}
	return p, salt, key, nil
}

// GeneratePassword returns a random 20-character password drawn from an
// alphabet without look-alike characters.
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic("accounts: crypto/rand failed: " + err.Error())
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
