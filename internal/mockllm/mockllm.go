// Package mockllm is a mock LLM upstream that speaks the OpenAI, Azure
// OpenAI, Azure AI Model Inference and Anthropic APIs, streamed and not. It
// backs `warden serve --demo`, the end-to-end tests and the benchmark
// harness. Request headers set its behaviour:
//
//	X-Mock-Reply      the assistant text (default: a short greeting)
//	X-Mock-Tokens     repeat the reply's words up to this many tokens
//	X-Mock-TTFT-Ms    delay before the first byte (streams: first event)
//	X-Mock-Gap-Ms     delay between stream events
//	X-Mock-Tool-Args  also answer with a tool call with these arguments
//	X-Mock-Leading    "space": tokens carry the space before a word ("Hello",
//	                  " world"), as real tokenizers emit them; default after
//	X-Mock-Chunk      stream the reply in pieces of this many bytes instead
//	                  (a placeholder or a key split mid-word)
//	X-Mock-Fail       "hang" (never answer), "close" (drop the connection),
//	                  "midstream" (drop it after two events), or a status
package mockllm

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Recorded is one request as the mock received it.
type Recorded struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// Mock is the mock upstream; the zero value is ready to serve.
type Mock struct {
	mu   sync.Mutex
	reqs []Recorded
	// Record keeps the last requests for tests; off for benchmarks.
	NoRecord bool
	// Hits counts requests; Cancelled counts those whose client (the
	// gateway) went away before the mock finished answering.
	Hits      atomic.Int64
	Cancelled atomic.Int64

	// cache keeps rendered answers so the mock allocates little per
	// request and does not compete with what it is measuring.
	cache sync.Map // planKey -> [][]byte
}

type planKey struct {
	path, reply, tool string
	tokens, chunk     int
	stream            bool
	inputs            int
	base64            bool
}

func (m *Mock) cached(k planKey, render func() [][]byte) [][]byte {
	if v, ok := m.cache.Load(k); ok {
		return v.([][]byte)
	}
	v := render()
	m.cache.Store(k, v)
	return v
}

// Requests returns the requests recorded so far.
func (m *Mock) Requests() []Recorded {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Recorded(nil), m.reqs...)
}

// Last returns the last recorded request.
func (m *Mock) Last() (Recorded, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.reqs) == 0 {
		return Recorded{}, false
	}
	return m.reqs[len(m.reqs)-1], true
}

type plan struct {
	words    []string
	ttft     time.Duration
	gap      time.Duration
	toolArgs string
	fail     string
	stream   bool
	// An embeddings request's number of inputs and whether it asked for
	// base64 (the SDKs' default) rather than floats.
	embedInputs int
	embedBase64 bool
	path        string
}

// ServeHTTP implements http.Handler.
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.Hits.Add(1)
	body, _ := io.ReadAll(r.Body)
	if !m.NoRecord {
		m.mu.Lock()
		if len(m.reqs) == 100 {
			m.reqs = m.reqs[1:]
		}
		m.reqs = append(m.reqs, Recorded{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		m.mu.Unlock()
	}
	p := plan{
		ttft:     ms(r.Header.Get("X-Mock-TTFT-Ms")),
		gap:      ms(r.Header.Get("X-Mock-Gap-Ms")),
		toolArgs: r.Header.Get("X-Mock-Tool-Args"),
		fail:     r.Header.Get("X-Mock-Fail"),
		stream:   strings.Contains(string(body), `"stream":true`) || strings.Contains(string(body), `"stream": true`),
	}
	reply := r.Header.Get("X-Mock-Reply")
	if reply == "" {
		reply = triggered(body)
	}
	if reply == "" {
		reply = "Hello! I am a mock model. How can I help you today?"
	}
	p.embedInputs, p.embedBase64 = embeddingRequest(body)
	p.words = strings.SplitAfter(reply, " ")
	if r.Header.Get("X-Mock-Leading") == "space" {
		p.words = leadingSpace(reply)
	}
	chunk, _ := strconv.Atoi(r.Header.Get("X-Mock-Chunk"))
	if chunk > 0 {
		p.words = pieces(reply, (len(reply)+chunk-1)/chunk)
	}
	if n, _ := strconv.Atoi(r.Header.Get("X-Mock-Tokens")); n > len(p.words) {
		base := p.words
		for len(p.words) < n {
			p.words = append(p.words, base[len(p.words)%len(base)])
		}
		p.words[len(base)-1] += " "
	}
	switch p.fail {
	case "hang":
		<-r.Context().Done()
		m.Cancelled.Add(1)
		return
	case "close":
		hijackClose(w)
		return
	case "":
	case "midstream":
	default:
		if code, err := strconv.Atoi(p.fail); err == nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			io.WriteString(w, `{"error":{"message":"mock failure","type":"server_error","code":"mock"}}`)
			return
		}
	}
	if p.ttft > 0 && !sleep(r.Context(), p.ttft) {
		m.Cancelled.Add(1)
		return
	}
	p.path = r.URL.Path
	f := formatFor(r)
	if f == nil {
		http.Error(w, `{"error":{"message":"mock: unknown path"}}`, http.StatusNotFound)
		return
	}
	key := planKey{path: r.URL.Path, stream: p.stream, tokens: len(p.words), chunk: chunk, reply: reply, tool: p.toolArgs,
		inputs: p.embedInputs, base64: p.embedBase64}
	if !p.stream || f.events == nil {
		w.Header().Set("Content-Type", "application/json")
		w.Write(m.cached(key, func() [][]byte { return [][]byte{f.whole(p)} })[0])
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	rc := http.NewResponseController(w)
	for i, ev := range m.cached(key, func() [][]byte { return f.events(p) }) {
		if i > 0 && p.gap > 0 && !sleep(r.Context(), p.gap) {
			m.Cancelled.Add(1)
			return
		}
		if p.fail == "midstream" && i == 2 {
			rc.Flush()
			hijackClose(w)
			return
		}
		if _, err := w.Write(ev); err != nil {
			m.Cancelled.Add(1)
			return
		}
		rc.Flush()
	}
}

func ms(s string) time.Duration {
	n, _ := strconv.Atoi(s)
	return time.Duration(n) * time.Millisecond
}

// sleep waits d or until ctx ends; false means the client went away.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func hijackClose(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
	}
}

// leadingSpace splits text into tokens that start with their space.
func leadingSpace(text string) []string {
	var out []string
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i+1:], ' ')
		if j < 0 {
			out = append(out, text[i:])
			break
		}
		out = append(out, text[i:i+1+j])
		i += 1 + j
	}
	return out
}
