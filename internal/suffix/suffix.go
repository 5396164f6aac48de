package suffix

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a suspected adversarial suffix: its byte range in the text and
// what made it one.
type Span struct {
	Start, End int
	Tokens     int // whitespace tokens in it
	Odd        int // of which odd
	Bits       float64
}

// Thresholds, chosen on synthetic suffixes and the training split's benign
// rows (see suffix_test.go), never on the project's test split.
const (
	oddBits   = 4.6 // mean bits per character above which a token reads as salad
	minTokens = 6   // a suffix is at least this long
	minStrong = 3   // with at least this many tokens of debris, odd case or odd punctuation
	oddShare  = 0.4 // and at least this share of odd tokens
	headShare = 0.25
	minHead   = 4 // after a request of at least this many tokens, at most headShare odd
	maxSpan   = 48
	maxHead   = 64 // head tokens read before the longest span
)

type token struct {
	start, end  int
	odd, strong bool
	bits        float64
	script      byte
}

// Find returns the suffix of text that reads as token salad: a span at
// the end of at least minTokens tokens, starting on an odd one, with at
// least minStrong tokens of markup or bracket debris, a case change inside
// a word or punctuation inside one, odd tokens at least oddShare of it,
// after a request of ordinary tokens. Of the spans that qualify, the
// longest. Code, URLs, e-mail addresses, base64 and hex are left alone.
func (m *Model) Find(text string) (Span, bool) {
	// Only the tail is read: the longest span and the head it is judged
	// against. Most prompts end in plain prose, which cannot hold a strong
	// token or a second script: that is ruled out in one pass first.
	if plainTail(text[tailStart(text, maxSpan):]) {
		return Span{}, false
	}
	toks := m.tokens(text, tailStart(text, maxSpan+maxHead))
	n := len(toks)
	if n < minTokens+minHead {
		return Span{}, false
	}
	oddBefore := make([]int, n+1) // odd tokens in toks[:i]
	for i, t := range toks {
		oddBefore[i+1] = oddBefore[i]
		if t.odd {
			oddBefore[i+1]++
		}
	}
	best, strong := -1, 0
	scripts := map[byte]bool{}
	for i := n - 1; i >= minHead && n-i <= maxSpan; i-- {
		if toks[i].strong {
			strong++
		}
		scripts[toks[i].script] = true
		// Words of three or more scripts run together are salad too: each
		// script past the second counts as a strong token.
		mixed := max(0, len(scripts)-2)
		span := n - i
		odd := oddBefore[n] - oddBefore[i]
		if toks[i].odd && span >= minTokens && strong+mixed >= minStrong && float64(odd+mixed) >= oddShare*float64(span) &&
			float64(oddBefore[i]) <= headShare*float64(i) {
			best = i
		}
	}
	if best < 0 || looksLikeCode(text) {
		return Span{}, false
	}
	sp := Span{Start: toks[best].start, End: toks[n-1].end, Tokens: n - best, Odd: oddBefore[n] - oddBefore[best]}
	for _, t := range toks[best:] {
		sp.Bits += t.bits
	}
	sp.Bits /= float64(sp.Tokens)
	return sp, true
}

// plainTail reports text that no strong token can come from: ASCII only,
// no debris characters, no lower-to-upper case change, no punctuation
// between two letters other than a hyphen, an apostrophe, a period or a
// slash.
func plainTail(t string) bool {
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= 0x80:
			return false
		case c >= 'A' && c <= 'Z':
			if i > 0 && t[i-1] >= 'a' && t[i-1] <= 'z' {
				return false
			}
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == ' ', c == '\n', c == '\t', c == '\r', c == '\'', c == '-', c == '.', c == '/':
		case c == ',' || c == '!' || c == '?' || c == ':':
			if i > 0 && i+1 < len(t) && isLetter(t[i-1]) && isLetter(t[i+1]) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// tailStart returns where the last n whitespace-separated tokens of text
// begin.
func tailStart(text string, n int) int {
	i := len(text)
	for k := 0; k < n && i > 0; k++ {
		for i > 0 && isSpace(text[i-1]) {
			i--
		}
		for i > 0 && !isSpace(text[i-1]) {
			i--
		}
	}
	return i
}

func (m *Model) tokens(text string, from int) []token {
	var out []token
	for i := from; i < len(text); {
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		j := i
		for j < len(text) && !isSpace(text[j]) {
			j++
		}
		if j > i {
			w := text[i:j]
			b := m.Surprisal(w)
			strong := isStrong(w)
			out = append(out, token{start: i, end: j, bits: b, strong: strong, script: scriptOf(w),
				odd: strong || b > oddBits && utf8.RuneCountInString(w) >= 3 && !exempt(w)})
		}
		i = j
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isStrong reports a token no prose has: markup or bracket debris, a case
// change inside a word, punctuation inside a word.
func isStrong(w string) bool {
	// One pass first: most tokens are plain words and need no more.
	letters, punct, other, digits := 0, 0, 0, 0
	innerUpper, special := false, false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'a' && c <= 'z':
			letters++
		case c >= 'A' && c <= 'Z':
			letters++
			innerUpper = innerUpper || i > 0
		case c >= '0' && c <= '9':
			digits++
		case c >= 0x80:
			other++
		case c == '\'':
		default:
			punct++
			special = special || c == '\\' || c == '{' || c == '[' || c == '@' || c == ':' || c == '/' || c == '+' || c == '='
		}
	}
	if punct == 0 && !innerUpper {
		return false
	}
	if digits*2 >= len(w) || special && exempt(w) {
		return false
	}
	if special {
		// Escapes of pasted JSON strings and {placeholders} of templates
		// are not debris.
		if strings.IndexByte(w, '\\') >= 0 {
			w = escapes.Replace(w)
		}
		if strings.ContainsAny(w, "{[") {
			w = placeholder.ReplaceAllString(w, "x")
		}
		letters, punct = 0, 0
		for i := 0; i < len(w); i++ {
			switch c := w[i]; {
			case isLetter(c):
				letters++
			case c < 0x80 && c != '\'' && c != ' ' && (c < '0' || c > '9'):
				punct++
			}
		}
	}
	if other > letters {
		return false // a word of another script, with its own punctuation
	}
	switch {
	case letters == 0 && punct > 0 && !plainPunct(strings.TrimSpace(w)):
		return true // bracket and markup noise: "[", "]];", "{%", "\!--"
	case letters > 0 && innerUpper && innerCase(w):
		return true // "similarlyNow", "SureBEtera"
	case letters > 0 && punct >= 2 && innerPunct(w):
		return true // "oppositeley.](", "]];usepackage"
	}
	return false
}

// plainPunct are punctuation tokens ordinary prose, lists, tables and
// markdown use.
func plainPunct(w string) bool {
	switch w {
	case "", "-", "--", "---", "—", "–", "&", "/", "*", "**", "...", "…", ":", "=", "+", "|", "||", "#", "##", "###", "####", "?", "!", ".", ",", ">", "->", "=>", "<-", "(", ")", "\"", "'", "`", "```", "%", "$", "~", "_", "__", "{{", "}}":
		return true
	}
	return false
}

// innerCase reports case no word or identifier has: an upper-case run
// followed by lower case ("SureBEtera"), or lower case followed by an
// upper-case run that does not end the word as an acronym would
// ("SocietyEGINx"), or a word that is all lower case before a capital and
// after it ("manuallyOral" is camel case and passes; "similarlyNow" too:
// case alone cannot tell those from identifiers).
func innerCase(w string) bool {
	if strings.ContainsAny(w, "_0123456789") {
		return false
	}
	core := strings.Trim(w, `.,!?;:"'()[]{}`)
	for i := 0; i+2 < len(core); i++ {
		a, b, c := core[i], core[i+1], core[i+2]
		up := func(x byte) bool { return x >= 'A' && x <= 'Z' }
		low := func(x byte) bool { return x >= 'a' && x <= 'z' }
		// Two capitals then a lower-case letter, not at the start of the
		// word (an acronym prefix like "HTMLElement" starts the word).
		if i > 0 && up(a) && up(b) && low(c) && low(core[i-1]) {
			return true
		}
		// Lower case, then a capital run of three or more inside or at
		// the end of a word that began in lower case.
		if i > 0 && low(a) && up(b) && up(c) && low(core[0]) {
			return true
		}
	}
	return false
}

// innerPunct reports punctuation between letters that prose does not put
// there (not an apostrophe, hyphen, period of an abbreviation or domain).
func innerPunct(w string) bool {
	core := strings.Trim(w, `.,!?;:"'()[]*_~`)
	for i := 1; i+1 < len(core); i++ {
		c := core[i]
		if c == '\'' || c == '-' || c == '.' || c == '/' || c == '@' || c == '&' || c == '_' || c == ':' || c == ' ' || c == '*' {
			continue
		}
		if c < 0x80 && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return true
		}
	}
	return strings.Count(w, "](") > 0 || strings.Count(w, "]]") > 0
}

// exempt are tokens that look odd and are not: URLs, e-mail addresses,
// base64 and hex, dates, times and other numbers with separators.
func exempt(w string) bool {
	if strings.Contains(w, "://") || strings.HasPrefix(w, "www.") || strings.IndexByte(w, '@') >= 0 && email.MatchString(w) {
		return true
	}
	digits, other := 0, 0
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case isLetter(c) || c == '+' || c == '/' || c == '=':
		default:
			other++
		}
	}
	// "2024-05-08T14:45:00", "14:00", "(415)"; base64, hex, a long id.
	return digits*2 >= len(w) || len(w) >= 16 && other == 0
}

var escapes = strings.NewReplacer(`\n`, " ", `\t`, " ", `\"`, " ", `\r`, " ")

var email = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)

// placeholder is a template slot: "{name}", "{{ name }}", "[name]".
var placeholder = regexp.MustCompile(`\{\{? ?[A-Za-z_ ]+ ?\}?\}|\[[A-Za-z_ ]+\]`)

// codeSigns are marks of code, queries and formulas inside prose: a call,
// a comparison or logical operator, a LaTeX command, display math, an SQL
// clause, an HTML tag, an escaped newline in a pasted string.
var codeSigns = regexp.MustCompile(`\w\(|==|!=|<=|>=|&&|\|\||\\[a-z]+\{|\$\$|\b(SELECT|FROM|WHERE|GROUP BY|ORDER BY|INSERT INTO)\b|</?[a-z]+[ >]|;\\n|=>|:=`)

// looksLikeCode reports text that is code or holds some: several indented
// or brace-, semicolon- or keyword-led lines, a fence, or two marks of
// code anywhere.
func looksLikeCode(text string) bool {
	if len(codeSigns.FindAllStringIndex(text, 2)) >= 2 {
		return true
	}
	lines := strings.Split(text, "\n")
	if len(lines) < 3 {
		return strings.Contains(text, "```")
	}
	code := 0
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(l, "    ") || strings.HasPrefix(l, "\t") || strings.HasSuffix(t, ";") || strings.HasSuffix(t, "{") ||
			strings.HasPrefix(t, "}") || strings.HasPrefix(t, "def ") || strings.HasPrefix(t, "import ") || strings.HasPrefix(t, "#include") ||
			strings.HasPrefix(t, "func ") || strings.HasPrefix(t, "return ") || strings.HasPrefix(t, "```") {
			code++
		}
	}
	return code >= 2 || strings.Contains(text, "```")
}

// scriptOf names the script of a token's first letter: 0 for none (digits,
// punctuation), 'L' Latin, else a letter per script family.
func scriptOf(w string) byte {
	for _, r := range w {
		switch {
		case r < 0x80:
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				return 'L'
			}
			continue
		case unicode.Is(unicode.Latin, r):
			return 'L'
		case unicode.Is(unicode.Cyrillic, r):
			return 'C'
		case unicode.Is(unicode.Greek, r):
			return 'G'
		case unicode.Is(unicode.Arabic, r):
			return 'A'
		case unicode.Is(unicode.Hebrew, r):
			return 'H'
		case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			return 'J'
		case unicode.Is(unicode.Hangul, r):
			return 'K'
		case unicode.IsLetter(r):
			return 'O'
		}
	}
	return 0
}
