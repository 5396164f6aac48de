package modelscan

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wardenhq/warden/internal/pickle"
)

// payloadStrings are pieces of the code pickle payloads run, looked for in
// the bytes of a pickle that also imports something dangerous: they say
// what the payload does.
var payloadStrings = []string{"/bin/sh", "/bin/bash", "/dev/tcp/", "nc -e", "socket.socket", "subprocess.Popen",
	"os.system(", "powershell", "curl ", "wget ", "base64 -d", "exec(", "eval(", "__import__(", "reverse shell",
	"chmod +x", "/etc/passwd", ".ssh/", "crontab"}

// sigTee keeps the first maxSigBytes of what passes through.
type sigTee struct {
	r   io.Reader
	buf []byte
}

func (t *sigTee) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if room := maxSigBytes - len(t.buf); room > 0 {
		t.buf = append(t.buf, p[:min(n, room)]...)
	}
	return n, err
}

// scanPickleStream runs the pickle machine over r and judges every import.
// prefix is true for the pickle at the start of a polyglot, where what
// follows the pickle is the zip.
func (fs *fileScan) scanPickleStream(member string, r io.Reader, prefix bool) {
	tee := &sigTee{r: r}
	res := pickle.Scan(tee, pickle.Limits{})
	worst := ""
	for _, g := range res.Globals {
		j := judge(g)
		if j == nil {
			continue
		}
		if rank(j.severity) > rank(worst) {
			worst = j.severity
		}
		fs.add(j.severity, j.rule, member, j.detail, j.recommendation)
	}
	for _, name := range res.Files {
		switch {
		case name == "":
			fs.add(Medium, "joblib.external-array", member, "an old joblib array wrapper loads a file (np.load with allow_pickle=True) whose name is not written in the pickle", recReview)
		case unsafeLocation(name):
			fs.add(High, "joblib.external-array", member, fmt.Sprintf("an old joblib array wrapper loads %q, outside the pickle's directory, with np.load(allow_pickle=True): another file's pickle runs", name), recConvert)
		}
	}
	if res.Err != nil {
		switch {
		case errors.Is(res.Err, pickle.ErrLimit):
			fs.add(High, "pickle.limit", member, "the pickle goes past the scanner's limits ("+res.Err.Error()+"): built to exhaust scanners", recConvert)
			fs.fail(member, fmt.Errorf("pickle: %w", res.Err))
		case res.Pickles == 0 && len(res.Globals) > 0 && !prefix:
			fs.add(Medium, "pickle.broken", member, "the pickle breaks before its end ("+res.Err.Error()+") after importing: the payload-first broken pickle that runs its code and then fails", recReview)
		}
	}
	if rank(worst) >= rank(High) {
		var hits []string
		for _, s := range payloadStrings {
			if bytes.Contains(tee.buf, []byte(s)) {
				hits = append(hits, fmt.Sprintf("%q", s))
			}
		}
		if len(hits) > 0 {
			fs.add(Critical, "malware.pickle-payload", member, "the pickle carries the text of a payload: "+strings.Join(hits, ", "), recMalware)
		}
	}
	if bytes.Contains(tee.buf, eicar) {
		fs.add(Critical, "malware.eicar", member, "the EICAR anti-virus test signature", recMalware)
	}
}

// scanNumpy reads a .npy header; an object array is a pickle.
func (fs *fileScan) scanNumpy(member string, r *bufio.Reader) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		fs.fail(member, fmt.Errorf("numpy: %w", err))
		return
	}
	var hl int
	switch pre[6] {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			fs.fail(member, fmt.Errorf("numpy: %w", err))
			return
		}
		hl = int(binary.LittleEndian.Uint16(pre[8:10]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			fs.fail(member, fmt.Errorf("numpy: %w", err))
			return
		}
		hl = int(binary.LittleEndian.Uint32(b[:]))
	default:
		fs.fail(member, fmt.Errorf("numpy: version %d.%d not known", pre[6], pre[7]))
		return
	}
	if hl > 1<<20 {
		fs.add(High, "numpy.header", member, fmt.Sprintf("a header of %d bytes", hl), recReview)
		fs.fail(member, errors.New("numpy: header too large"))
		return
	}
	h := make([]byte, hl)
	if _, err := io.ReadFull(r, h); err != nil {
		fs.fail(member, fmt.Errorf("numpy: %w", err))
		return
	}
	d := string(h)
	descr := npyValue(d, "descr")
	if objectField.MatchString(descr) {
		// A plain object array is low: its pickle is judged import by
		// import below, and NumPy and scikit-learn write such arrays for
		// strings and labels. An object field hidden in a structured dtype
		// is medium: the array looks numeric.
		sev, detail := Low, "an array of Python objects: loading it needs allow_pickle=True and unpickles what follows (each import is judged)"
		if strings.HasPrefix(strings.TrimSpace(descr), "[") {
			sev, detail = Medium, "a structured dtype with an object field ("+descr+"): loading it needs allow_pickle=True and unpickles what follows, though the array looks numeric"
		}
		fs.add(sev, "numpy.object-array", member, detail, recReview)
		fs.scanPickleStream(member, r, false)
		return
	}
	// Elements times the item size must fit: a shape whose product
	// overflows wraps around to a small buffer in readers that multiply
	// without checking.
	if shape := npyValue(d, "shape"); shape != "" {
		total, ok := uint64(1), true
		for _, m := range shapeDim.FindAllString(shape, -1) {
			n, err := strconv.ParseUint(m, 10, 64)
			if err != nil || n != 0 && total > (1<<62)/n {
				ok = false
				break
			}
			total *= n
		}
		if !ok {
			fs.add(High, "numpy.shape-overflow", member, "the shape "+shape+" has more elements than 2^62: the size overflows in readers that multiply without checking", recReview)
		}
	}
}

var (
	objectField = regexp.MustCompile(`'[|<>=]?O\d*'`)
	shapeDim    = regexp.MustCompile(`\d+`)
)

// npyValue is the text of key's value in a .npy header dict: a bracketed
// or parenthesised value whole, anything else up to the next comma.
func npyValue(d, key string) string {
	i := strings.Index(d, "'"+key+"'")
	if i < 0 {
		return ""
	}
	rest := d[i+len(key)+2:]
	j := strings.IndexByte(rest, ':')
	if j < 0 {
		return ""
	}
	rest = strings.TrimSpace(rest[j+1:])
	if rest == "" {
		return ""
	}
	open, close := rest[0], byte(0)
	switch open {
	case '[':
		close = ']'
	case '(':
		close = ')'
	default:
		if k := strings.IndexByte(rest, ','); k >= 0 {
			return rest[:k]
		}
		return rest
	}
	depth := 0
	for k := 0; k < len(rest); k++ {
		switch rest[k] {
		case open:
			depth++
		case close:
			if depth--; depth == 0 {
				return rest[:k+1]
			}
		}
	}
	return rest
}

// scanSafetensors validates a safetensors header: its size, JSON, dtypes,
// shapes against byte ranges, ranges in bounds, without overlaps or gaps,
// and string metadata; the tensors themselves are not read.
func (fs *fileScan) scanSafetensors(member string, r *bufio.Reader, size int64) {
	var nb [8]byte
	if _, err := io.ReadFull(r, nb[:]); err != nil {
		fs.fail(member, fmt.Errorf("safetensors: %w", err))
		return
	}
	n := binary.LittleEndian.Uint64(nb[:])
	const maxHeader = 100 << 20
	if n > maxHeader {
		fs.add(High, "safetensors.header-too-large", member, fmt.Sprintf("a header of %d bytes (loaders refuse more than 100 MB)", n), recReview)
		return
	}
	h := make([]byte, n)
	if _, err := io.ReadFull(r, h); err != nil {
		fs.add(High, "safetensors.truncated", member, "the header is longer than the file", recReview)
		return
	}
	bad := func(detail string) { fs.add(High, "safetensors.invalid-header", member, detail, recReview) }
	if dup := duplicateKey(h); dup != "" {
		bad(fmt.Sprintf("the header names %q twice: loaders disagree on which entry counts", dup))
	}
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(h, &hdr); err != nil {
		bad("the header is not a JSON object: " + err.Error())
		return
	}
	sizes := map[string]uint64{"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
		"U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1, "F8_E8M0": 1, "C64": 8}
	type span struct {
		name       string
		start, end uint64
	}
	var spans []span
	for name, raw := range hdr {
		if name == "__metadata__" {
			var md map[string]string
			if err := json.Unmarshal(raw, &md); err != nil {
				bad("__metadata__ is not a map of strings to strings")
			}
			// Metadata may carry a config (NeMo and others store one):
			// its instantiation targets run when it is used.
			for _, v := range md {
				fs.scanTargets(member, v)
			}
			continue
		}
		var t struct {
			Dtype   string   `json:"dtype"`
			Shape   []uint64 `json:"shape"`
			Offsets []uint64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(raw, &t); err != nil || len(t.Offsets) != 2 {
			bad(fmt.Sprintf("tensor %q: not a dtype, shape and data_offsets entry", name))
			continue
		}
		es, ok := sizes[t.Dtype]
		if !ok {
			bad(fmt.Sprintf("tensor %q: unknown dtype %q", name, t.Dtype))
			continue
		}
		want := es
		for _, d := range t.Shape {
			if d != 0 && want > (1<<62)/d {
				want = 1 << 63
				break
			}
			want *= d
		}
		if t.Offsets[1] < t.Offsets[0] || t.Offsets[1]-t.Offsets[0] != want {
			bad(fmt.Sprintf("tensor %q: %d bytes by its range, %d by its dtype and shape", name, t.Offsets[1]-t.Offsets[0], want))
		}
		spans = append(spans, span{name, t.Offsets[0], t.Offsets[1]})
	}
	data := uint64(0)
	if size >= 0 {
		data = uint64(size) - 8 - n
	}
	for i := range spans {
		for j := i + 1; j < len(spans); j++ {
			if spans[i].start < spans[j].end && spans[j].start < spans[i].end && spans[i].end > spans[i].start && spans[j].end > spans[j].start {
				bad(fmt.Sprintf("tensors %q and %q share bytes", spans[i].name, spans[j].name))
			}
		}
	}
	var covered, last uint64
	for _, s := range spans {
		covered += s.end - s.start
		last = max(last, s.end)
		if size >= 0 && s.end > data {
			bad(fmt.Sprintf("tensor %q ends past the end of the file", s.name))
		}
	}
	if size >= 0 && last <= data && (covered < last || last < data) {
		fs.add(Medium, "safetensors.unaccounted-bytes", member, fmt.Sprintf("%d bytes of the data area belong to no tensor: room for a hidden payload", data-covered), recReview)
	}
}

// duplicateKey returns a top-level key that appears twice in a JSON
// object, or "".
func duplicateKey(b []byte) string {
	d := json.NewDecoder(bytes.NewReader(b))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	seen := map[string]bool{}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return ""
		}
		k, _ := t.(string)
		if seen[k] {
			return k
		}
		seen[k] = true
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return ""
		}
	}
	return ""
}

// sstiPatterns are what a Jinja chat template needs to reach Python's
// internals; an ordinary template has none of them. The first
// sstiStrong are checked in every template; the rest (Jinja's globals
// that lead to __globals__, Flask's) in GGUF templates, where nothing
// else could explain them. The attr filter, underscores built from
// pieces and escaped underscores are how templates reach dunder names
// without writing them.
var sstiPatterns = []string{"__class__", "__mro__", "__subclasses__", "__globals__", "__builtins__", "__import__",
	"__init__", "__getattribute__", "__dict__", "__base__", "popen", "subprocess", "os.system", "eval(",
	"|attr(", "| attr(", "'_'*2", `"_"*2`, "'_' * 2", `"_" * 2`, `\x5f`, `\u005f`, `\137`, ".mro(",
	"exec(", "lipsum", "cycler", "joiner", "namespace.__", "_TemplateReference__context", "request.application",
	"config.items", "url_for", "get_flashed_messages"}

const sstiStrong = 24

// scanGGUF reads a GGUF file's metadata; a chat template that reaches for
// Python's internals is a server-side template injection (CVE-2024-34359).
func (fs *fileScan) scanGGUF(member string, r *bufio.Reader) {
	var h [24]byte
	if _, err := io.ReadFull(r, h[:8]); err != nil {
		fs.fail(member, fmt.Errorf("gguf: %w", err))
		return
	}
	v := binary.LittleEndian.Uint32(h[4:])
	if v < 2 || v > 3 {
		fs.fail(member, fmt.Errorf("gguf: version %d not supported", v))
		return
	}
	if _, err := io.ReadFull(r, h[8:24]); err != nil {
		fs.fail(member, fmt.Errorf("gguf: %w", err))
		return
	}
	nkv := binary.LittleEndian.Uint64(h[16:])
	if nkv > 1<<20 {
		fs.fail(member, fmt.Errorf("gguf: %d metadata entries", nkv))
		return
	}
	g := &ggufReader{r: r}
	for i := uint64(0); i < nkv; i++ {
		key, err := g.str(1 << 16)
		if err != nil {
			fs.fail(member, fmt.Errorf("gguf: metadata %d: %w", i, err))
			return
		}
		t, err := g.u32()
		if err != nil {
			fs.fail(member, fmt.Errorf("gguf: %s: %w", key, err))
			return
		}
		if t == 8 && strings.Contains(key, "chat_template") {
			tpl, err := g.str(64 << 20)
			if err != nil {
				fs.fail(member, fmt.Errorf("gguf: %s: %w", key, err))
				return
			}
			var hits []string
			for _, p := range sstiPatterns {
				if strings.Contains(tpl, p) {
					hits = append(hits, p)
				}
			}
			if len(hits) > 0 {
				fs.add(Critical, "gguf.chat-template-injection", member, fmt.Sprintf("%s reaches for Python internals (%s): rendered by an unsandboxed Jinja environment it runs code", key, strings.Join(hits, ", ")), "Do not serve this model with its own chat template; replace the template, and render templates in a sandboxed Jinja environment.")
			}
			continue
		}
		if err := g.skip(t, 0); err != nil {
			fs.fail(member, fmt.Errorf("gguf: %s: %w", key, err))
			return
		}
	}
	fs.ggufTensors(member, g, binary.LittleEndian.Uint64(h[8:16]))
}

// ggufTensors checks the tensor table: at most four dimensions (GGML's
// limit), and element counts that fit, since readers that multiply
// dimensions without checking allocate a wrapped-around size and write
// past it (llama.cpp's GGUF advisories).
func (fs *fileScan) ggufTensors(member string, g *ggufReader, n uint64) {
	if n > 1<<20 {
		fs.add(High, "gguf.tensor-table", member, fmt.Sprintf("the header claims %d tensors", n), recReview)
		return
	}
	for i := uint64(0); i < n; i++ {
		name, err := g.str(1 << 16)
		if err != nil {
			fs.fail(member, fmt.Errorf("gguf: tensor %d: %w", i, err))
			return
		}
		dims, err := g.u32()
		if err != nil {
			fs.fail(member, fmt.Errorf("gguf: tensor %s: %w", name, err))
			return
		}
		if dims > 4 {
			fs.add(High, "gguf.tensor-table", member, fmt.Sprintf("tensor %q has %d dimensions (GGML allows 4): readers index past their arrays", name, dims), recReview)
			return
		}
		total, overflow := uint64(1), false
		for range dims {
			d, err := g.u64()
			if err != nil {
				fs.fail(member, fmt.Errorf("gguf: tensor %s: %w", name, err))
				return
			}
			if d != 0 && total > (1<<62)/d {
				overflow = true
			}
			total *= d
		}
		if overflow {
			fs.add(High, "gguf.shape-overflow", member, fmt.Sprintf("tensor %q has more elements than 2^62: its size overflows in readers that multiply without checking", name), recReview)
		}
		if _, err := g.u32(); err != nil { // type
			fs.fail(member, fmt.Errorf("gguf: tensor %s: %w", name, err))
			return
		}
		if _, err := g.u64(); err != nil { // offset
			fs.fail(member, fmt.Errorf("gguf: tensor %s: %w", name, err))
			return
		}
	}
}

type ggufReader struct {
	r *bufio.Reader
	b [8]byte
}

func (g *ggufReader) u32() (uint32, error) {
	_, err := io.ReadFull(g.r, g.b[:4])
	return binary.LittleEndian.Uint32(g.b[:4]), err
}

func (g *ggufReader) u64() (uint64, error) {
	_, err := io.ReadFull(g.r, g.b[:8])
	return binary.LittleEndian.Uint64(g.b[:8]), err
}

func (g *ggufReader) str(max uint64) (string, error) {
	n, err := g.u64()
	if err != nil {
		return "", err
	}
	if n > max {
		return "", fmt.Errorf("string of %d bytes", n)
	}
	b := make([]byte, n)
	_, err = io.ReadFull(g.r, b)
	return string(b), err
}

// skip passes over one value of type t.
func (g *ggufReader) skip(t uint32, depth int) error {
	sizes := map[uint32]int{0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
	if n, ok := sizes[t]; ok {
		_, err := g.r.Discard(n)
		return err
	}
	switch t {
	case 8:
		n, err := g.u64()
		if err != nil {
			return err
		}
		if n > 1<<30 {
			return fmt.Errorf("string of %d bytes", n)
		}
		_, err = g.r.Discard(int(n))
		return err
	case 9:
		if depth > 4 {
			return errors.New("arrays nested too deep")
		}
		et, err := g.u32()
		if err != nil {
			return err
		}
		n, err := g.u64()
		if err != nil {
			return err
		}
		if n > 1<<28 {
			return fmt.Errorf("array of %d items", n)
		}
		if sz, ok := sizes[et]; ok {
			_, err = g.r.Discard(int(n) * sz)
			return err
		}
		for range n {
			if err := g.skip(et, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("value type %d not known", t)
}

// looksText reports content that is valid UTF-8 without NUL bytes.
func looksText(head []byte) bool {
	if len(head) == 0 || bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	h := head
	for i := 0; i < 3 && len(h) > 0 && !utf8.Valid(h); i++ {
		h = h[:len(h)-1] // a rune cut at the end of the head
	}
	return utf8.Valid(h)
}

// textOverlap is what consecutive windows of a long text share, so that
// nothing shorter is cut in two.
const textOverlap = 64 << 10

// scanText reads text (configs, tokenizers, notebooks, model cards) for
// credentials, instantiation targets, remote code and Jinja chat
// templates: in windows of maxText bytes that overlap, so a text of any
// length (a 30 MB tokenizer.json) is read whole in bounded memory.
func (fs *fileScan) scanText(member, name string, r io.Reader) string {
	// The first window as big as the text (most are a few KiB), the next
	// ones in the same buffer after the overlap.
	buf, err := io.ReadAll(io.LimitReader(r, maxText))
	for base := 0; ; {
		if err != nil {
			fs.fail(member, err)
			break
		}
		fs.scanTextWindow(member, name, buf, base)
		if len(buf) < maxText {
			break
		}
		base += len(buf) - textOverlap
		buf = buf[:copy(buf, buf[len(buf)-textOverlap:])]
		var n int
		n, err = io.ReadFull(r, buf[len(buf):maxText])
		buf = buf[:len(buf)+n]
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = nil
			if n == 0 {
				break
			}
		}
	}
	if strings.HasSuffix(name, ".ipynb") {
		return "notebook"
	}
	return "text"
}

// scanTextWindow checks one window of a text starting at byte base.
func (fs *fileScan) scanTextWindow(member, name string, b []byte, base int) {
	text := string(b)
	if bytes.Contains(b, eicar) {
		fs.add(Critical, "malware.eicar", member, "the EICAR anti-virus test signature", recMalware)
	}
	fs.scanTargets(member, text)
	fs.scanRemoteCode(member, text)
	if strings.HasSuffix(name, ".pbtxt") || strings.Contains(text, "meta_graphs") && strings.Contains(text, "node_def") {
		fs.scanTextGraph(member, text)
	}
	if ext(name) == ".py" {
		fs.scanPython(member, text)
		fs.scanTorchScript(member, text)
	}
	if strings.Contains(text, "chat_template") || isTemplateFile(name) {
		var hits []string
		for _, p := range sstiPatterns[:sstiStrong] {
			if strings.Contains(text, p) {
				hits = append(hits, p)
			}
		}
		if len(hits) > 0 {
			fs.add(Critical, "template.injection", member, "a chat template reaches for Python internals ("+strings.Join(hits, ", ")+")", "Replace the chat template, and render templates in a sandboxed Jinja environment.")
		}
	}
	if fs.s.o.Secrets != nil {
		for _, s := range fs.s.o.Secrets.FindSecrets(text) {
			fs.add(High, "secret."+s.Kind, member, fmt.Sprintf("a credential (%s) at byte %d", s.Kind, base+s.Offset), "Revoke the credential now, remove it from the file and the repository's history, and publish the model again.")
		}
	}
}
