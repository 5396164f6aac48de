package interaction

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Content is the text of an interaction, kept only for subscriptions that
// capture it, and only sealed.
type Content struct {
	Prompt   []Turn `json:"prompt"`
	Response []Turn `json:"response,omitempty"`
}

// Turn is one part of a prompt or response: its role and text.
type Turn struct {
	Role string `json:"role"`
	Text string `json:"text"`
}

// Key is one content key: its id (stored beside each sealed row) and 32
// bytes of key.
type Key struct {
	ID  string
	Key []byte
}

// ParseKey reads a key written as base64 of 32 bytes (as `openssl rand
// -base64 32` prints it).
func ParseKey(id, b64 string) (Key, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return Key{}, fmt.Errorf("content key %s: not base64: %w", id, err)
	}
	if len(k) != 32 {
		return Key{}, fmt.Errorf("content key %s: %d bytes, want 32 (AES-256)", id, len(k))
	}
	if id == "" {
		return Key{}, errors.New("content key: an id is required")
	}
	return Key{ID: id, Key: k}, nil
}

// Sealer seals content with AES-256-GCM under the first of its keys and
// opens content sealed under any of them: to rotate, put the new key first
// and keep the old ones until nothing sealed under them is kept.
type Sealer struct {
	current string
	aeads   map[string]cipher.AEAD
	raw     map[string][]byte // for the search index's keys
	order   []string          // key ids as configured
}

// NewSealer returns a sealer over keys, the first of which seals.
func NewSealer(keys []Key) (*Sealer, error) {
	if len(keys) == 0 {
		return nil, errors.New("content keys: none")
	}
	s := &Sealer{current: keys[0].ID, aeads: map[string]cipher.AEAD{}, raw: map[string][]byte{}}
	for _, k := range keys {
		if _, dup := s.aeads[k.ID]; dup {
			return nil, fmt.Errorf("content key %s: listed twice", k.ID)
		}
		b, err := aes.NewCipher(k.Key)
		if err != nil {
			return nil, err
		}
		g, err := cipher.NewGCM(b)
		if err != nil {
			return nil, err
		}
		s.aeads[k.ID] = g
		s.raw[k.ID] = k.Key
		s.order = append(s.order, k.ID)
	}
	return s, nil
}

// Seal encrypts c for the interaction id (bound as additional data, so a
// sealed row cannot be moved to another interaction) and returns the key
// id and nonce||ciphertext.
func (s *Sealer) Seal(id string, c Content) (string, []byte, error) {
	plain, err := json.Marshal(c)
	if err != nil {
		return "", nil, err
	}
	g := s.aeads[s.current]
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(plain)+g.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", nil, err
	}
	return s.current, g.Seal(nonce, nonce, plain, []byte(id)), nil
}

// Open decrypts what Seal returned for interaction id.
func (s *Sealer) Open(id, keyID string, sealed []byte) (Content, error) {
	g, ok := s.aeads[keyID]
	if !ok {
		return Content{}, fmt.Errorf("content sealed under key %q, which is not configured", keyID)
	}
	if len(sealed) < g.NonceSize() {
		return Content{}, errors.New("sealed content too short")
	}
	plain, err := g.Open(nil, sealed[:g.NonceSize()], sealed[g.NonceSize():], []byte(id))
	if err != nil {
		return Content{}, fmt.Errorf("sealed content does not open: %w", err)
	}
	var c Content
	err = json.Unmarshal(plain, &c)
	return c, err
}
