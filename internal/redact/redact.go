// Package redact replaces sensitive values in text by typed placeholders:
// the one place that decides what evidence, `warden redact` and every
// other view of text may show of a card number, an identifier or a secret.
// Secrets are always masked whole. Other values may keep the last four
// digits of a card, and may carry a keyed hash so that the same value can
// be linked across alerts of one subscription without being stored.
package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// Mark is one value to replace: its byte span, its kind (a sensitive
// information type or a credential kind) and whether it is a secret.
type Mark struct {
	Start, End int
	Kind       string
	Secret     bool
}

// Options choose what a placeholder may keep.
type Options struct {
	// LastFour keeps the last four digits of payment cards.
	LastFour bool
	// HashKey, when set, adds the first 8 bytes (hex) of
	// HMAC-SHA256(HashKey, value) to non-secret placeholders. Give each
	// subscription its own key (SubscriptionKey) so hashes link values
	// within a subscription and nowhere else.
	HashKey []byte
}

// SubscriptionKey derives a subscription's hash key from the server's key,
// so one configured secret serves every subscription.
func SubscriptionKey(serverKey []byte, subscription string) []byte {
	if len(serverKey) == 0 {
		return nil
	}
	m := hmac.New(sha256.New, serverKey)
	m.Write([]byte("warden redact v1\x00" + subscription))
	return m.Sum(nil)
}

// Placeholder returns the text that stands for value of kind.
func Placeholder(kind, value string, secret bool, o Options) string {
	if secret {
		return "[REDACTED:" + strings.ToUpper(kind) + "]"
	}
	var b strings.Builder
	b.WriteString("[" + strings.ToUpper(kind))
	if o.LastFour && (kind == "credit_card") {
		if d := lastDigits(value, 4); len(d) == 4 {
			b.WriteString(" ****" + d)
		}
	}
	if len(o.HashKey) > 0 {
		m := hmac.New(sha256.New, o.HashKey)
		m.Write([]byte(canonical(value)))
		b.WriteString(" #" + hex.EncodeToString(m.Sum(nil)[:8]))
	}
	b.WriteString("]")
	return b.String()
}

// canonical is the form a value is hashed in: its letters and digits,
// lowercased, so "4539 3010 1967 3114" and "4539301019673114" link.
func canonical(v string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z':
			return r + 32
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r > 0x7f:
			return r
		}
		return -1
	}, v)
}

func lastDigits(v string, n int) string {
	var d []byte
	for i := len(v) - 1; i >= 0 && len(d) < n; i-- {
		if v[i] >= '0' && v[i] <= '9' {
			d = append([]byte{v[i]}, d...)
		}
	}
	return string(d)
}

// Apply returns text with every mark replaced by its placeholder, and a
// function mapping an offset of text to the matching offset of the result
// (an offset inside a replaced value maps to its placeholder's start).
// Marks may come in any order and overlap: overlapping marks are merged
// into one, secret if any of them is, so no part of a value survives.
func Apply(text string, marks []Mark, o Options) (string, func(int) int) {
	ms := merge(text, marks)
	if len(ms) == 0 {
		return text, func(i int) int { return i }
	}
	var b strings.Builder
	type moved struct{ start, end, newStart, newEnd int }
	var mv []moved
	last := 0
	for _, m := range ms {
		b.WriteString(text[last:m.Start])
		ns := b.Len()
		b.WriteString(Placeholder(m.Kind, text[m.Start:m.End], m.Secret, o))
		mv = append(mv, moved{m.Start, m.End, ns, b.Len()})
		last = m.End
	}
	b.WriteString(text[last:])
	return b.String(), func(off int) int {
		d := 0
		for _, x := range mv {
			switch {
			case off >= x.end:
				d = x.newEnd - x.end
			case off > x.start:
				return x.newStart
			default:
				return off + d
			}
		}
		return off + d
	}
}

// merge sorts marks, drops those outside text and merges overlaps.
func merge(text string, marks []Mark) []Mark {
	var ms []Mark
	for _, m := range marks {
		if m.Start >= 0 && m.End <= len(text) && m.Start < m.End {
			ms = append(ms, m)
		}
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Start < ms[j].Start })
	var out []Mark
	for _, m := range ms {
		if n := len(out); n > 0 && m.Start < out[n-1].End {
			p := &out[n-1]
			p.End = max(p.End, m.End)
			if m.Secret && !p.Secret {
				p.Kind = m.Kind
			}
			p.Secret = p.Secret || m.Secret
			continue
		}
		out = append(out, m)
	}
	return out
}
