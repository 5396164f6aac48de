package gateway

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/llmapi"
)

// endpoint is what a request path says: the route style, the wire format and,
// for Azure OpenAI, the deployment named in the path.
type endpoint struct {
	style      string
	api        llmapi.API
	deployment string
	// invalid, when set, says why a parameter in the path is refused.
	invalid string
	// unknown marks an API of the provider Warden forwards without
	// scanning (files, images, audio, batches, ...).
	unknown bool
	// upload marks a file upload: read whole, scanned when it is a
	// batch input file, forwarded as sent.
	upload bool
}

// classify maps a request to its endpoint. ok is false for paths Warden does
// not serve.
func classify(r *http.Request) (endpoint, bool) {
	p := r.URL.Path
	post := r.Method == http.MethodPost
	switch {
	case post && p == "/v1/chat/completions":
		return endpoint{style: config.StyleOpenAI, api: llmapi.OpenAIChat}, true
	case post && p == "/v1/completions":
		return endpoint{style: config.StyleOpenAI, api: llmapi.OpenAICompletions}, true
	case post && p == "/v1/responses":
		return endpoint{style: config.StyleOpenAI, api: llmapi.OpenAIResponses}, true
	case post && p == "/v1/embeddings":
		return endpoint{style: config.StyleOpenAI, api: llmapi.OpenAIEmbeddings}, true
	case post && p == "/v1/messages":
		return endpoint{style: config.StyleAnthropic, api: llmapi.AnthropicMessages}, true
	case r.Method == http.MethodGet && (p == "/v1/models" || strings.HasPrefix(p, "/v1/models/")):
		ep := endpoint{style: config.StyleOpenAI, api: llmapi.Passthrough}
		if r.Header.Get("anthropic-version") != "" || r.Header.Get("x-api-key") != "" {
			ep.style = config.StyleAnthropic
		}
		if id, ok := strings.CutPrefix(r.URL.EscapedPath(), "/v1/models/"); ok && !validParam(id, true) {
			ep.invalid = "the model id in the path"
		}
		return ep, true
	case post && p == "/models/chat/completions":
		return endpoint{style: config.StyleAzureInference, api: llmapi.OpenAIChat}, true
	case post && p == "/models/embeddings":
		return endpoint{style: config.StyleAzureInference, api: llmapi.OpenAIEmbeddings}, true
	case post && strings.HasPrefix(p, "/openai/deployments/"):
		rest := strings.TrimPrefix(p, "/openai/deployments/")
		dep, op, ok := strings.Cut(rest, "/")
		if !ok || dep == "" {
			return endpoint{}, false
		}
		ep := endpoint{style: config.StyleAzureOpenAI, deployment: dep}
		if raw, _, _ := strings.Cut(strings.TrimPrefix(r.URL.EscapedPath(), "/openai/deployments/"), "/"); !validParam(raw, false) {
			ep.invalid = "the deployment name in the path"
		}
		switch op {
		case "chat/completions":
			ep.api = llmapi.OpenAIChat
		case "completions":
			ep.api = llmapi.OpenAICompletions
		case "embeddings":
			ep.api = llmapi.OpenAIEmbeddings
		default:
			ep.api, ep.unknown = llmapi.Passthrough, true
		}
		return ep, true
	}
	return unknownAPI(r)
}

// unknownAPI classifies a request for a provider API Warden does not
// scan: forwarded as it is (streamed, multipart and binary bodies
// included) under the route of its provider's style, unless that route
// says unknown: block. Moderations carry text in the shape of embeddings
// and are scanned as such; the Azure v1 and Responses paths are read like
// OpenAI's.
func unknownAPI(r *http.Request) (endpoint, bool) {
	p := r.URL.Path
	post := r.Method == http.MethodPost
	ep, ok := unknownEndpoint(p, post, r)
	if ok && ep.unknown && !plainPath(r.URL.EscapedPath()) {
		// Forwarded with the route's key, a path must reach the API it
		// names: no dot segments, no escaped slashes or dots.
		ep.invalid = "the path"
	}
	return ep, ok
}

// The Assistants API's paths that carry a prompt: a message added to a
// thread, a run (with instructions and additional messages).
var (
	threadMessages = regexp.MustCompile(`^/v1/threads/[A-Za-z0-9_-]+/messages$`)
	threadRuns     = regexp.MustCompile(`^/v1/threads/[A-Za-z0-9_-]+/runs$`)
)

// plainPath reports a path with no "." or ".." segment and no escaped
// slash, backslash or dot.
func plainPath(p string) bool {
	l := strings.ToLower(p)
	if strings.Contains(l, "%2f") || strings.Contains(l, "%5c") || strings.Contains(l, "%2e") || strings.Contains(l, "\\") {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

func unknownEndpoint(p string, post bool, r *http.Request) (endpoint, bool) {
	switch {
	case post && p == "/v1/moderations":
		return endpoint{style: config.StyleOpenAI, api: llmapi.OpenAIEmbeddings}, true
	case post && threadMessages.MatchString(p):
		return endpoint{style: config.StyleOpenAI, api: llmapi.OpenAIThreadMessage}, true
	case post && (p == "/v1/threads" || p == "/v1/threads/runs" || threadRuns.MatchString(p)):
		return endpoint{style: config.StyleOpenAI, api: llmapi.OpenAIThread}, true
	case post && (p == "/v1/files" || p == "/openai/files" || p == "/openai/v1/files"):
		style := config.StyleOpenAI
		if strings.HasPrefix(p, "/openai/") {
			style = config.StyleAzureOpenAI
		}
		return endpoint{style: style, api: llmapi.Passthrough, upload: true}, true
	case post && (p == "/openai/v1/chat/completions"):
		return endpoint{style: config.StyleAzureOpenAI, api: llmapi.OpenAIChat}, true
	case post && (p == "/openai/v1/responses" || p == "/openai/responses"):
		return endpoint{style: config.StyleAzureOpenAI, api: llmapi.OpenAIResponses}, true
	case post && p == "/openai/v1/embeddings":
		return endpoint{style: config.StyleAzureOpenAI, api: llmapi.OpenAIEmbeddings}, true
	case strings.HasPrefix(p, "/openai/"):
		return endpoint{style: config.StyleAzureOpenAI, api: llmapi.Passthrough, unknown: true}, true
	case strings.HasPrefix(p, "/models/"):
		return endpoint{style: config.StyleAzureInference, api: llmapi.Passthrough, unknown: true}, true
	case strings.HasPrefix(p, "/v1/"):
		ep := endpoint{style: config.StyleOpenAI, api: llmapi.Passthrough, unknown: true}
		if r.Header.Get("anthropic-version") != "" || r.Header.Get("x-api-key") != "" || strings.HasPrefix(p, "/v1/messages/") {
			ep.style = config.StyleAnthropic
		}
		return ep, true
	}
	return endpoint{}, false
}

// validParam reports whether a path parameter (as escaped in the request)
// is a plain name: letters, digits and . _ - : @ (and / between segments
// where slash is set, as model ids of some providers have), no escapes,
// no empty, "." or ".." segment. The upstream must receive the path the
// client meant and nothing it could resolve elsewhere: "/v1/models/%2e%2e/
// files" would reach another endpoint with Warden's upstream key.
func validParam(p string, slash bool) bool {
	if p == "" {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-', c == ':', c == '@':
		case c == '/' && slash:
		default:
			return false
		}
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// route is a configured route ready to serve.
type route struct {
	cfg      config.Route
	upstream *upstream
	keys     [][]byte // SHA-256 of the caller keys it matches
}

type upstream struct {
	name   string
	target *url.URL
	apiKey string
}

func (r *route) matches(host string, keyHash []byte) bool {
	if len(r.cfg.Hosts) > 0 {
		ok := false
		for _, h := range r.cfg.Hosts {
			if strings.EqualFold(h, host) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(r.keys) > 0 {
		if keyHash == nil {
			return false
		}
		ok := false
		for _, k := range r.keys {
			if subtle.ConstantTimeCompare(k, keyHash) == 1 {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// keyHash decodes a configured caller key: "sha256:<hex>" or the key itself.
func keyHash(k string) []byte {
	if h, ok := strings.CutPrefix(k, "sha256:"); ok {
		if b, err := hex.DecodeString(h); err == nil && len(b) == sha256.Size {
			return b
		}
	}
	sum := sha256.Sum256([]byte(k))
	return sum[:]
}

// callerKey returns the provider key the caller sent, from whichever header
// its SDK uses. Bearer JWTs are identity, not keys.
func callerKey(r *http.Request) string {
	if k := r.Header.Get("api-key"); k != "" {
		return k
	}
	if k := r.Header.Get("x-api-key"); k != "" {
		return k
	}
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

// hostOnly strips the port from a Host header.
func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}

// setKey replaces the provider credential on an outbound request with the
// configured one, in the header the style expects.
func setKey(h http.Header, style, key string) {
	h.Del("Authorization")
	h.Del("api-key")
	h.Del("x-api-key")
	switch style {
	case config.StyleAzureOpenAI, config.StyleAzureInference:
		h.Set("api-key", key)
	case config.StyleAnthropic:
		h.Set("x-api-key", key)
	default:
		h.Set("Authorization", "Bearer "+key)
	}
}
