package webhooks

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Sealer encrypts hooks' signing secrets at rest with AES-256-GCM under a
// key kept outside the database (the server's secrets key file), with the
// hook's id as associated data. A copy of the database alone does not give
// anyone the secrets, and a sealed secret copied onto another hook does
// not open.
type Sealer struct{ aead cipher.AEAD }

// sealedPrefix marks a sealed secret; a stored secret without it predates
// sealing and is used as it is.
const sealedPrefix = "sealed.v1:"

// SecretsKeySize is the length of a secrets key in bytes.
const SecretsKeySize = 32

// NewSealer makes a Sealer from a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != SecretsKeySize {
		return nil, fmt.Errorf("a secrets key is %d bytes, not %d", SecretsKeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal returns the stored form of hook id's secret. A nil Sealer stores it
// as it is.
func (s *Sealer) Seal(id, secret string) (string, error) {
	if s == nil {
		return secret, nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(secret), []byte(id))), nil
}

// Open returns hook id's secret from its stored form.
func (s *Sealer) Open(id, stored string) (string, error) {
	b64, sealed := strings.CutPrefix(stored, sealedPrefix)
	if !sealed {
		return stored, nil
	}
	if s == nil {
		return "", errors.New("the hook's secret is sealed and this server has no secrets key")
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	n := s.aead.NonceSize()
	if err != nil || len(raw) < n {
		return "", errors.New("the hook's sealed secret is damaged")
	}
	secret, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(id))
	if err != nil {
		return "", errors.New("the hook's secret does not open with this server's secrets key (another key, or a damaged record)")
	}
	return string(secret), nil
}
