package detect

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/wardenhq/warden/internal/scan"
)

// Encoded decodes payloads hidden in base64, hex, URL encoding, ROT13 and
// leetspeak and runs the signature rules on what they say, so an encoded
// instruction is caught like a plain one. Decoding is bounded: at most
// maxPayloads payloads a part, each at most maxPayload bytes, two levels
// deep, so nested encodings cannot make it work without end.
type Encoded struct {
	sig *Signatures
}

var _ scan.Detector = (*Encoded)(nil)

const (
	maxPayloads = 16
	maxPayload  = 64 << 10
	maxDepth    = 2
)

var (
	pctRun    = regexp.MustCompile(`(?:%[0-9a-fA-F]{2}[^%\s]{0,3}){6,}`)
	leetChars = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i")
)

// Byte classes for the one pass that finds candidate payloads.
const (
	cB64 = 1 << iota
	cHex
	cLetter
	cLeet
)

var class = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		switch {
		case b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z':
			t[c] |= cB64 | cLetter
			if b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' {
				t[c] |= cHex
			}
		case b >= '0' && b <= '9':
			t[c] |= cB64 | cHex
		case b == '+' || b == '/' || b == '_' || b == '-' || b == '=':
			t[c] |= cB64
		}
		if strings.IndexByte("013457@$", b) >= 0 {
			t[c] |= cLeet
		}
	}
	return t
}()

// scanCandidates finds base64-alphabet runs of at least 24 bytes and hex
// runs of at least 32, and, for texts short enough to decode whole, whether
// leetspeak occurs and whether ROT13 is named. Hand-written loops over a
// byte-class table: regular expressions over every byte of every prompt
// cost more than all the other detectors together.
func scanCandidates(s string) (b64, hx [][2]int, leet, rot bool) {
	n := len(s)
	for i := 0; i < n; {
		if class[s[i]]&cB64 == 0 {
			i++
			continue
		}
		j := i
		for j < n && class[s[j]]&cB64 != 0 {
			j++
		}
		if j-i >= 24 {
			if len(b64) < maxPayloads {
				b64 = append(b64, [2]int{i, j})
			}
			for k := i; k < j; {
				if class[s[k]]&cHex == 0 {
					k++
					continue
				}
				l := k
				for l < j && class[s[l]]&cHex != 0 {
					l++
				}
				if l-k >= 32 && len(hx) < maxPayloads {
					hx = append(hx, [2]int{k, l})
				}
				k = l
			}
		}
		i = j
	}
	if n > maxPayload {
		return b64, hx, false, false
	}
	leetN := 0
	for i := 1; i+1 < n; i++ {
		c := class[s[i]]
		if c&cLeet != 0 && class[s[i-1]]&cLetter != 0 && class[s[i+1]]&(cLetter|cLeet) != 0 {
			leetN++
		}
		if s[i-1]|0x20 == 'r' && c&cLetter != 0 && s[i]|0x20 == 'o' && i+2 < n && s[i+1]|0x20 == 't' && (s[i+2] == '1' || s[i+2] == '-') {
			rot = true
		}
	}
	return b64, hx, leetN >= 3, rot
}

// NewEncoded returns the detector over the built-in signature rules.
func NewEncoded() (*Encoded, error) {
	sig, err := DefaultSignatures()
	if err != nil {
		return nil, err
	}
	return &Encoded{sig: sig}, nil
}

// Name implements scan.Detector.
func (*Encoded) Name() string { return "encoded" }

// Roles implements scan.RoleFilter.
func (*Encoded) Roles() []scan.Role { return attackRoles }

// payload is decoded text and where its encoding sat in the original.
type payload struct {
	text string
	span scan.Span
	how  string
}

// Detect implements scan.Detector.
func (d *Encoded) Detect(ctx context.Context, in *scan.Input) ([]scan.Finding, error) {
	var out []scan.Finding
	for ap := range attackParts(in) {
		i, p, cat, typ := ap.i, ap.p, ap.cat, ap.typ
		for _, pl := range payloads(p.Text, 0) {
			sub := &scan.Input{Parts: []scan.Part{{Role: p.Role, Text: pl.text}}}
			fs, err := d.sig.Detect(ctx, sub)
			if err != nil {
				return out, err
			}
			for _, f := range fs {
				out = append(out, scan.Finding{Category: cat, Type: typ, Confidence: f.Confidence, Severity: scan.SeverityHigh,
					Detector: "encoded", Part: i, Spans: []scan.Span{pl.span}, Reason: pl.how + " payload: " + f.Reason})
			}
		}
	}
	return mergeByPart(out), nil
}

// payloads finds and decodes encoded runs in s, recursing into what they
// decode to.
func payloads(s string, depth int) []payload {
	if depth >= maxDepth {
		return nil
	}
	var out []payload
	seen := map[string]bool{}
	add := func(text string, span scan.Span, how string) {
		// A payload repeated is judged once: repeating one is no reason
		// to decode and scan it again.
		if len(out) >= maxPayloads || seen[text] || !readable(text) {
			return
		}
		seen[text] = true
		out = append(out, payload{text, span, how})
		for _, inner := range payloads(text, depth+1) {
			if len(out) < maxPayloads {
				out = append(out, payload{inner.text, span, how + "+" + inner.how})
			}
		}
	}
	b64, hx, leet, rot := scanCandidates(s)
	for _, loc := range b64 {
		run := strings.TrimLeft(s[loc[0]:min(loc[1], loc[0]+maxPayload)], "=")
		if b, ok := decodeBase64(run); ok {
			add(b, scan.Span{loc[0], loc[1]}, "base64")
		}
	}
	for _, loc := range hx {
		run := s[loc[0]:min(loc[1], loc[0]+maxPayload)]
		if len(run)%2 == 1 {
			run = run[1:]
		}
		if b, err := hex.DecodeString(run); err == nil {
			add(string(b), scan.Span{loc[1] - len(run), loc[1]}, "hex")
		}
	}
	if strings.Count(s, "%") >= 6 {
		for _, loc := range pctRun.FindAllStringIndex(s, maxPayloads) {
			if t, err := url.QueryUnescape(s[loc[0]:min(loc[1], loc[0]+maxPayload)]); err == nil {
				add(t, scan.Span{loc[0], loc[1]}, "url-encoded")
			}
		}
	}
	if depth == 0 && len(s) <= maxPayload {
		if rot {
			add(rot13(s), scan.Span{0, len(s)}, "rot13")
		}
		if leet {
			add(leetChars.Replace(strings.ToLower(s)), scan.Span{0, len(s)}, "leetspeak")
		}
	}
	return out
}

func decodeBase64(s string) (string, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return string(b), true
		}
	}
	return "", false
}

// readable reports whether decoded bytes look like text: valid UTF-8,
// mostly printable, with letters.
func readable(s string) bool {
	if len(s) < 8 || !utf8.ValidString(s) {
		return false
	}
	var printable, letters int
	for _, r := range s {
		if r >= ' ' || r == '\n' || r == '\t' {
			printable++
		}
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127 {
			letters++
		}
	}
	n := utf8.RuneCountInString(s)
	return printable*10 >= n*9 && letters*2 >= n
}

func rot13(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return 'a' + (r-'a'+13)%26
		case r >= 'A' && r <= 'Z':
			return 'A' + (r-'A'+13)%26
		}
		return r
	}, s)
}
