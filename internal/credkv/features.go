package credkv

import (
	"math"
	"strconv"
	"strings"
)

// Features names the properties of a candidate the validator weighs: its
// value's length, entropy and characters, shapes that mark a look-alike
// (a variable, a placeholder, a hash, a word), its name and syntax, and
// words of the line around it. Each is a readable string, so a detection
// can say which features fired.
func Features(c Candidate, line string) []string {
	v := c.Value
	f := make([]string, 0, 24)
	f = append(f, "bias", "syntax="+c.Syntax)
	if c.Quoted {
		f = append(f, "quoted")
	}
	f = append(f, "len="+bucket(len(v), 4, 6, 8, 12, 16, 24, 32, 48, 64, 100))
	e := entropy(v)
	f = append(f, "entropy="+bucket(int(e*4), 4, 8, 10, 12, 14, 16, 18))
	var lo, up, dg, sp int
	for i := 0; i < len(v); i++ {
		switch ch := v[i]; {
		case ch >= 'a' && ch <= 'z':
			lo++
		case ch >= 'A' && ch <= 'Z':
			up++
		case ch >= '0' && ch <= '9':
			dg++
		default:
			sp++
		}
	}
	classes := 0
	for _, n := range []int{lo, up, dg, sp} {
		if n > 0 {
			classes++
		}
	}
	f = append(f, "classes="+strconv.Itoa(classes))
	if dg == len(v) {
		f = append(f, "digits_only")
	}
	if lo+up == len(v) {
		f = append(f, "letters_only")
	}
	if isHex(v) && len(v) >= 16 {
		f = append(f, "hex")
		switch len(v) {
		case 32, 40, 64, 128:
			f = append(f, "hash_length")
		}
	}
	if len(v) == 36 && strings.Count(v, "-") == 4 {
		f = append(f, "uuid")
	}
	lv := strings.ToLower(v)
	for _, p := range refPrefixes {
		if strings.HasPrefix(lv, p) {
			f = append(f, "ref_prefix")
			break
		}
	}
	if strings.ContainsAny(v, "()") {
		f = append(f, "parens")
	}
	if strings.Contains(v, "{{") || strings.Contains(v, "${") || strings.Contains(v, "%(") || strings.Contains(v, "#{") {
		f = append(f, "template")
	}
	if identPath(v) {
		f = append(f, "ident_path") // config.password, os.environ, settings.DB_PASS
	}
	if sp == 0 && up == 0 && dg == 0 && len(v) < 16 {
		f = append(f, "lower_word")
	}
	if run := maxRun(v); run >= 4 {
		f = append(f, "repeated_run")
	}
	if strings.HasPrefix(v, "$2") || strings.HasPrefix(v, "$1$") || strings.HasPrefix(v, "$5$") || strings.HasPrefix(v, "$6$") ||
		strings.HasPrefix(v, "$argon2") || strings.HasPrefix(lv, "{ssha}") || strings.HasPrefix(lv, "sha256:") {
		f = append(f, "crypt_hash")
	}
	for _, w := range lookalikeWords {
		if strings.Contains(lv, w) {
			f = append(f, "value_word="+w)
		}
	}
	if strings.EqualFold(v, c.Key) || strings.Contains(strings.ToLower(c.Key), lv) && len(v) >= 3 {
		f = append(f, "value_is_key")
	}
	f = append(f, "key_head="+keyHead(c.Key))
	lk := strings.ToLower(c.Key)
	for _, w := range keyTokens {
		if strings.Contains(lk, w) {
			f = append(f, "key="+w)
		}
	}
	ll := strings.ToLower(line)
	for _, w := range contextWords {
		if strings.Contains(ll, w) {
			f = append(f, "line="+w)
		}
	}
	return f
}

var (
	refPrefixes    = []string{"$", "%", "<", "[", "{", "env.", "env:", "os.", "process.", "getenv", "vault:", "secret:", "@"}
	lookalikeWords = []string{"example", "sample", "test", "dummy", "fake", "your", "xxx", "***", "...", "changeme",
		"change_me", "password", "secret", "token", "placeholder", "redacted", "null", "none", "true", "false", "string",
		"value", "here", "insert", "todo", "admin", "default", "123", "abc", "qwerty", "foo", "bar", "demo", "key"}
	keyTokens = []string{"pass", "pwd", "psw", "secret", "token", "api", "key", "auth", "private", "access", "client",
		"cred", "session", "cookie", "salt", "hash", "id", "name", "user", "url", "file", "path", "type", "len", "size"}
	contextWords = []string{"example", "test", "sample", "dummy", "todo", "fixme", "assert", "mock", "doc", "http", "sql",
		"<", "--", "#", "//", "export", "select", "insert", "create", "connect", "login"}
)

func bucket(n int, edges ...int) string {
	for _, e := range edges {
		if n < e {
			return "<" + strconv.Itoa(e)
		}
	}
	return ">=" + strconv.Itoa(edges[len(edges)-1])
}

// entropy is the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var n [256]int
	for i := 0; i < len(s); i++ {
		n[s[i]]++
	}
	e := 0.0
	for _, c := range n {
		if c > 0 {
			p := float64(c) / float64(len(s))
			e -= p * math.Log2(p)
		}
	}
	return e
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// identPath reports a dotted identifier path (a.b, a.b.c), the way code
// names a value it reads from elsewhere.
func identPath(s string) bool {
	if !strings.Contains(s, ".") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" || part[0] >= '0' && part[0] <= '9' {
			return false
		}
		for i := 0; i < len(part); i++ {
			c := part[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
				return false
			}
		}
	}
	return true
}

func maxRun(s string) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if i > 0 && s[i] == s[i-1] {
			run++
		} else {
			run = 1
		}
		best = max(best, run)
	}
	return best
}

// keyHead returns the last word of a name, which says what it holds
// (client_secret holds a secret, clientId an id), folded into a small
// vocabulary.
func keyHead(key string) string {
	// The last word: after the last _, -, . or space, or the last
	// upper-case letter that follows a lower-case one (camelCase).
	end := len(key)
	for end > 0 && !isAlnum(key[end-1]) {
		end--
	}
	start := end
	for start > 0 && isAlnum(key[start-1]) {
		if c := key[start-1]; c >= 'A' && c <= 'Z' && start-2 >= 0 && key[start-2] >= 'a' && key[start-2] <= 'z' {
			start--
			break
		}
		start--
	}
	w := strings.ToLower(key[start:end])
	for _, h := range headWords {
		if strings.HasPrefix(w, h) {
			return h
		}
	}
	return "other"
}

var headWords = []string{"pass", "pwd", "psw", "pw", "secret", "token", "key", "auth", "cred", "id", "name", "url",
	"uri", "user", "file", "path", "type", "len", "size", "count", "hash", "salt", "sig", "session", "cookie", "bearer"}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
