// Package credkv finds credentials written as assignments, in whatever
// syntax a developer pastes (env, INI, YAML, JSON, XML attributes and
// elements, TOML, SQL, connection strings and URLs, CLI flags, code in the
// common languages), and judges each with a small trained validator: a
// value that is a variable reference, a placeholder, an example or a
// word is a look-alike; a random-looking one next to a secret's name is
// not. The way CredSweeper's ML stage judges its candidates, with
// features a reviewer can read (features.go).
package credkv

import (
	"strings"
)

// Candidate is one name = value pair whose name says secret.
type Candidate struct {
	Key   string
	Value string
	// Start and End are the value's byte offsets in the text.
	Start, End int
	// Syntax is how it was written: assign (=, :=, =>), colon (YAML,
	// JSON), is (prose), xml (element), attr (an XML key/value pair of
	// attributes), flag (--password x), sql (IDENTIFIED BY, PASSWORD
	// '...'), call (setPassword("x")), url (user:pass@host).
	Syntax string
	Quoted bool
}

// keyWords are the words that make a name a secret's name; a candidate is
// only looked for around them (lower case).
var keyWords = []string{"pass", "pwd", "psw", "pw", "secret", "token", "key", "api", "auth", "cred", "private", "bearer",
	"identified by", "salt", "signature", "session", "cookie", "conn", "dsn"}

// maxValue bounds a value: no assigned secret is longer (a PEM key is for
// the rules).
const maxValue = 256

// Keywords are the words candidates are looked for around, lower case:
// a caller that already searches text for words (the secrets detector's
// automaton) adds these and passes its hits to FindAt.
func Keywords() []string { return append(append([]string{}, keyWords...), "://") }

// Hit is a keyword found at Start of the lowered text; Word indexes
// Keywords.
type Hit struct {
	Start, Word int
}

// Find returns the candidates in text, in order, without duplicates.
func Find(text string) []Candidate {
	if len(text) == 0 {
		return nil
	}
	lower := asciiLower(text)
	var hits []Hit
	for w, k := range Keywords() {
		for from := 0; ; {
			i := strings.Index(lower[from:], k)
			if i < 0 {
				break
			}
			hits = append(hits, Hit{Start: from + i, Word: w})
			from += i + len(k)
		}
	}
	return FindAt(text, lower, hits)
}

// FindAt returns the candidates around hits in text (lower is text with
// ASCII letters lowered, same offsets), in order, without duplicates.
func FindAt(text, lower string, hits []Hit) []Candidate {
	var out []Candidate
	add := func(c Candidate, ok bool) {
		if !ok || c.End <= c.Start {
			return
		}
		for _, o := range out {
			if o.Start == c.Start {
				return
			}
		}
		out = append(out, c)
	}
	for _, h := range hits {
		switch w := h.Word; {
		case w == len(keyWords):
			add(urlPassword(text, h.Start+3))
		case keyWords[w] == "identified by":
			add(quotedAfter(text, h.Start+len(keyWords[w]), "identified by", "sql"))
		default:
			add(atKey(text, lower, h.Start, h.Start+len(keyWords[w])))
		}
	}
	sortByStart(out)
	return out
}

// atKey reads the assignment whose name holds the key word at [ws, we).
func atKey(text, lower string, ws, we int) (Candidate, bool) {
	ks, ke := ws, we
	for ks > 0 && keyByte(text[ks-1]) {
		ks--
	}
	for ke < len(text) && keyByte(text[ke]) {
		ke++
	}
	key := text[ks:ke]
	if len(key) > 64 {
		return Candidate{}, false
	}
	// An XML element: <password>value</password>.
	if ks > 0 && text[ks-1] == '<' && ke < len(text) && text[ke] == '>' {
		end := strings.Index(text[ke+1:], "</")
		if end < 0 || end > maxValue {
			return Candidate{}, false
		}
		s, e := trimSpace(text, ke+1, ke+1+end)
		return Candidate{Key: key, Value: text[s:e], Start: s, End: e, Syntax: "xml"}, true
	}
	// A name in a key="..." attribute, its value in value="...".
	if ks > 0 && (text[ks-1] == '"' || text[ks-1] == '\'') {
		if c, ok := attrPair(text, lower, ks, ke, key); ok {
			return c, true
		}
	}
	i := ke
	if i < len(text) && (text[i] == '"' || text[i] == '\'' || text[i] == '`') {
		i++ // the closing quote of a quoted name ("password": ...)
	}
	i = skipBlank(text, i)
	if i >= len(text) {
		return Candidate{}, false
	}
	syntax := ""
	switch {
	case strings.HasPrefix(text[i:], ":="), strings.HasPrefix(text[i:], "=>"), strings.HasPrefix(text[i:], "->"):
		syntax, i = "assign", i+2
	case strings.HasPrefix(text[i:], "=="), strings.HasPrefix(text[i:], "!="):
		return Candidate{}, false // a comparison
	case text[i] == '=':
		syntax, i = "assign", i+1
	case text[i] == ':':
		syntax, i = "colon", i+1
	case text[i] == '(':
		syntax, i = "call", i+1
	case text[i] == ',' && ks > 0 && (text[ks-1] == ' ' || text[ks-1] == ','):
		syntax, i = "arg", i+1 // setopt(curl, CURLOPT_PASSWORD, "x")
	case strings.HasPrefix(lower[i:], "is "):
		syntax, i = "is", i+3
	case key[0] == '-' && i > ke:
		syntax = "flag" // --password value
	case strings.HasSuffix(strings.ToLower(key), "password") && i > ke && (text[i] == '\'' || text[i] == '"'):
		syntax = "sql" // CREATE USER x PASSWORD 'value'
	default:
		return Candidate{}, false
	}
	return valueAt(text, skipBlank(text, i), key, syntax)
}

// valueAt reads a value starting at i: quoted up to its closing quote, or
// bare up to a delimiter.
func valueAt(text string, i int, key, syntax string) (Candidate, bool) {
	if i >= len(text) {
		return Candidate{}, false
	}
	if q := text[i]; q == '"' || q == '\'' || q == '`' {
		for j := i + 1; j < len(text) && j-i <= maxValue+1; j++ {
			switch text[j] {
			case '\\':
				j++
			case q:
				return Candidate{Key: key, Value: text[i+1 : j], Start: i + 1, End: j, Syntax: syntax, Quoted: true}, j > i+1
			case '\n':
				return Candidate{}, false
			}
		}
		return Candidate{}, false
	}
	j := i
	for j < len(text) && j-i <= maxValue && !valueEnd(text[j]) {
		j++
	}
	if j-i > maxValue {
		return Candidate{}, false
	}
	return Candidate{Key: key, Value: text[i:j], Start: i, End: j, Syntax: syntax}, j > i
}

// quotedAfter reads the quoted or bare value after a phrase such as
// IDENTIFIED BY.
func quotedAfter(text string, i int, key, syntax string) (Candidate, bool) {
	return valueAt(text, skipBlank(text, i), key, syntax)
}

// attrPair reads <add key="DbPassword" value="..."/>: the name is in one
// attribute, the value in the next value= attribute of the same tag.
func attrPair(text, lower string, ks, ke int, key string) (Candidate, bool) {
	end := strings.IndexByte(text[ke:], '>')
	if end < 0 {
		end = len(text) - ke
	}
	tag := lower[ke : ke+end]
	v := strings.Index(tag, "value=")
	if v < 0 {
		return Candidate{}, false
	}
	c, ok := valueAt(text, ke+v+len("value="), key, "attr")
	return c, ok && c.Quoted
}

// urlPassword reads the password of scheme://user:password@host.
func urlPassword(text string, i int) (Candidate, bool) {
	at, colon := -1, -1
	for j := i; j < len(text) && j-i <= maxValue; j++ {
		c := text[j]
		if c == '@' {
			at = j
		}
		if c == '/' || c == ' ' || c == '\n' || c == '"' || c == '\'' || c == '<' || c == '>' {
			break
		}
		if c == ':' && colon < 0 && at < 0 {
			colon = j
		}
	}
	if at < 0 || colon < 0 || colon > at {
		return Candidate{}, false
	}
	// The last @ ends the userinfo (a password may hold one).
	return Candidate{Key: "url_password", Value: text[colon+1 : at], Start: colon + 1, End: at, Syntax: "url"}, at > colon+1
}

func keyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
}

func valueEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ';', ',', '&', '<', '>', ')', '"', '\'', '`', '}', ']':
		return true
	}
	return false
}

func skipBlank(text string, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	return i
}

func trimSpace(text string, s, e int) (int, int) {
	for s < e && (text[s] == ' ' || text[s] == '\t' || text[s] == '\n' || text[s] == '\r') {
		s++
	}
	for e > s && (text[e-1] == ' ' || text[e-1] == '\t' || text[e-1] == '\n' || text[e-1] == '\r') {
		e--
	}
	return s, e
}

// asciiLower lowers ASCII letters only, so offsets stay those of text.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func sortByStart(cs []Candidate) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].Start < cs[j-1].Start; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}
