package classifier

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"
	"unicode/utf8"
)

// Window is the size in bytes of normalised text scored at once, and Stride
// how far windows advance: a long document is scored window by window and
// the best window speaks for it.
const (
	Window = 2048
	Stride = 1024
	// Documents and tool results are scored in short windows: a planted
	// instruction is a sentence or two, and in a long window the document
	// around it would drown it.
	DocWindow = 320
	DocStride = 160
)

// Model is a pair of trained logistic regressions over hashed n-grams: one
// for prompts in user turns, one for sentences of documents and tool
// results. They are apart because the same words mean different things in
// the two places: "what is the capital of France?" is an ordinary prompt
// from a user and a hijacked task when planted in an e-mail.
type Model struct {
	User, Doc *Linear
}

// Linear is one logistic regression.
type Linear struct {
	W []float32
	B float32
}

//go:embed model.bin
var embedded []byte

var (
	defaultOnce  sync.Once
	defaultModel *Model
	defaultErr   error
)

// Default returns the model embedded in the binary.
func Default() (*Model, error) {
	defaultOnce.Do(func() { defaultModel, defaultErr = Unmarshal(embedded) })
	return defaultModel, defaultErr
}

const magic = "WDNM2"

// Marshal encodes the model: magic, bits, then each regression's bias and
// weights, little-endian.
func (m *Model) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(magic)
	binary.Write(&b, binary.LittleEndian, uint32(Bits)) //nolint:errcheck // bytes.Buffer does not fail
	for _, l := range []*Linear{m.User, m.Doc} {
		binary.Write(&b, binary.LittleEndian, l.B) //nolint:errcheck
		binary.Write(&b, binary.LittleEndian, l.W) //nolint:errcheck
	}
	return b.Bytes()
}

// Unmarshal decodes a model written by Marshal.
func Unmarshal(b []byte) (*Model, error) {
	if len(b) < len(magic)+4 || string(b[:len(magic)]) != magic {
		return nil, errors.New("classifier: not a model file")
	}
	r := bytes.NewReader(b[len(magic):])
	var bits uint32
	if err := binary.Read(r, binary.LittleEndian, &bits); err != nil || bits != Bits {
		return nil, fmt.Errorf("classifier: model has %d bits, want %d", bits, Bits)
	}
	m := &Model{User: &Linear{W: make([]float32, 1<<Bits)}, Doc: &Linear{W: make([]float32, 1<<Bits)}}
	for _, l := range []*Linear{m.User, m.Doc} {
		if err := binary.Read(r, binary.LittleEndian, &l.B); err != nil {
			return nil, fmt.Errorf("classifier: bias: %w", err)
		}
		if err := binary.Read(r, binary.LittleEndian, l.W); err != nil {
			return nil, fmt.Errorf("classifier: weights: %w", err)
		}
	}
	return m, nil
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// raw scores one window's features, scaled by inv.
func (m *Linear) raw(fs []feature, inv float64) float64 {
	var z float32
	for _, f := range fs {
		z += m.W[f.idx] * f.val
	}
	return float64(m.B) + float64(z)*inv
}

// prob scores one window of normalised text.
func (m *Linear) prob(sc *scratch, text string) float64 {
	z := sc.dot(text, m.W)
	return sigmoid(float64(m.B) + float64(z)*sc.inv)
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

// Result is the model's judgement of a text: the probability that it is an
// attack, and the window (byte offsets into the normalised text) that
// scored highest.
type Result struct {
	P          float64
	Start, End int
	// Words is the number of words in the best window: how much evidence
	// the score rests on.
	Words int
}

// Score scores normalised text window by window and returns the best.
func (m *Model) Score(text string) Result { return m.User.ScoreWindows(text, Window, Stride) }

// ScoreDoc scores a document or tool result sentence by sentence.
func (m *Model) ScoreDoc(text string) Result { return m.ScoreDocBy(text, nil) }

// ScoreDocBy scores a document sentence by sentence and returns the
// sentence that rank (nil: the probability itself) puts highest, with its
// probability: the caller may weigh a sentence's probability by what else
// it says.
func (m *Model) ScoreDocBy(text string, rank func(p float64, sentence string) float64) Result {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	best, bestRank := Result{P: -1}, -1.0
	for _, w := range sentences(text) {
		p := m.Doc.prob(sc, text[w[0]:w[1]])
		r := p
		if rank != nil {
			r = rank(p, text[w[0]:w[1]])
		}
		if r > bestRank {
			best, bestRank = Result{P: p, Start: w[0], End: w[1], Words: len(sc.ws)}, r
		}
	}
	return best
}

// sentences splits normalised text into segments at sentence ends, line
// breaks and cell separators, joining fragments shorter than minSentence to
// the next and cutting segments longer than DocWindow.
func sentences(text string) [][2]int {
	const minSentence = 40
	var out [][2]int
	start := 0
	emit := func(end int) {
		for end-start > DocWindow {
			cut := runeStart(text, start+DocWindow)
			out = append(out, [2]int{start, cut})
			start = cut
		}
		if end > start {
			out = append(out, [2]int{start, end})
		}
		start = end
	}
	for i, r := range text {
		switch r {
		case '.', '!', '?', '|', '\n', '。', '！', '？', ';':
			end := i + len(string(r))
			if end-start >= minSentence {
				emit(end)
			}
		}
	}
	emit(len(text))
	if len(out) == 0 {
		out = append(out, [2]int{0, len(text)})
	}
	return out
}

// ScoreWindows scores text in windows of size bytes every stride bytes.
func (m *Linear) ScoreWindows(text string, size, stride int) Result {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	best := Result{P: -1}
	for _, w := range windows(text, size, stride) {
		p := m.prob(sc, text[w[0]:w[1]])
		if p > best.P {
			best = Result{P: p, Start: w[0], End: w[1], Words: len(sc.ws)}
		}
	}
	return best
}

// windows returns the [start, end) windows of text, on rune boundaries.
func windows(text string, size, stride int) [][2]int {
	var out [][2]int
	for start := 0; ; start += stride {
		start = runeStart(text, start)
		end := runeStart(text, min(start+size, len(text)))
		out = append(out, [2]int{start, end})
		if end >= len(text) {
			return out
		}
	}
}

func runeStart(s string, i int) int {
	for i < len(s) && i > 0 && !utf8.RuneStart(s[i]) {
		i++
	}
	return i
}

// Explain returns the words and word pairs of normalised text that pushed
// its score up the most, strongest first: the "why" of a detection.
func (m *Linear) Explain(text string, n int) []string {
	type contrib struct {
		s string
		w float32
	}
	// Keep the n best in a small sorted array: a window has hundreds of
	// words and a map and a sort of all of them cost more than scoring.
	top := make([]contrib, 0, n+1)
	// a is the n-gram text[a0:a1] or, for a bigram, text[a0:a1]+" "+text[b0:b1];
	// its string is built only when it makes the top n.
	add := func(h uint32, a0, a1, b0, b1 int) {
		w := m.W[h&mask]
		if w <= 0 || len(top) == n && w <= top[n-1].w {
			return
		}
		s := text[a0:a1]
		if b1 > b0 {
			s += " " + text[b0:b1]
		}
		for _, c := range top {
			if c.s == s {
				return
			}
		}
		i := len(top)
		top = append(top, contrib{s, w})
		for i > 0 && top[i-1].w < w {
			top[i], top[i-1] = top[i-1], top[i]
			i--
		}
		if len(top) > n {
			top = top[:n]
		}
	}
	ws := words(text, nil)
	for i, w := range ws {
		word := text[w[0]:w[1]]
		add(hashKind(kindWord, word), w[0], w[1], 0, 0)
		if i > 0 {
			p := ws[i-1]
			add(fnvAdd(fnvAdd(hashKind(kindBigram, text[p[0]:p[1]]), " "), word), p[0], p[1], w[0], w[1])
		}
	}
	out := make([]string, len(top))
	for i, c := range top {
		out[i] = c.s
	}
	return out
}
