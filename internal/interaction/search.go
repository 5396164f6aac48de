package interaction

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"strings"
)

// The search index over captured content is blind: it holds, in the
// order of the text, a keyed hash of each word (HMAC-SHA256 under a key
// derived from the content key, 80 bits), never the word. The store's
// full-text engine (SQLite FTS5, PostgreSQL tsvector) matches words and
// phrases of hashes as it would words, so eDiscovery searches the text
// without a plaintext copy of it in the database. What it gives away is
// what any deterministic index does: which interactions share a word, and
// how often words recur.

// indexKeyLabel derives a content key's index key: the index is keyed
// apart from the sealing, so one never stands in for the other.
const indexKeyLabel = "warden content search index v1"

var token = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func (s *Sealer) indexKey(id string) []byte {
	m := hmac.New(sha256.New, s.raw[id])
	m.Write([]byte(indexKeyLabel))
	return m.Sum(nil)
}

// term is word's index token under key: a letter then 16 base32
// characters, so every engine's tokenizer keeps it whole.
func term(key []byte, word string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(word))
	return "w" + token.EncodeToString(m.Sum(nil)[:10])
}

// Terms returns content's index entry under the sealing key: the tokens
// of its words, prompt then response, space-separated, and the key id.
func (s *Sealer) Terms(c Content) (keyID, terms string) {
	key := s.indexKey(s.current)
	var b strings.Builder
	for _, t := range append(append([]Turn{}, c.Prompt...), c.Response...) {
		for _, w := range words(t.Text) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(term(key, w))
		}
	}
	return s.current, b.String()
}

// TermQuery is a search over the index: any of its alternatives (one per
// configured key, since content sealed before a rotation was indexed under
// the old one) matches when all of the alternative's phrases occur, each
// phrase being tokens in a row.
type TermQuery [][][]string

// Query turns a search ("words" and "quoted phrases", all of which must
// occur, in any case) into index tokens under every key.
func (s *Sealer) Query(q string) (TermQuery, error) {
	var phrases [][]string
	for i, part := range strings.Split(q, `"`) {
		if i%2 == 1 { // inside quotes: one phrase
			if ws := words(part); len(ws) > 0 {
				phrases = append(phrases, ws)
			}
			continue
		}
		for _, w := range words(part) {
			phrases = append(phrases, []string{w})
		}
	}
	if len(phrases) == 0 {
		return nil, errors.New("the search has no words")
	}
	if len(phrases) > 32 {
		return nil, errors.New("at most 32 words or phrases")
	}
	var out TermQuery
	for _, id := range s.order {
		key := s.indexKey(id)
		var alt [][]string
		for _, p := range phrases {
			var toks []string
			for _, w := range p {
				toks = append(toks, term(key, w))
			}
			alt = append(alt, toks)
		}
		out = append(out, alt)
	}
	return out, nil
}
