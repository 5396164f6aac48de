package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/llmapi"
	"github.com/wardenhq/warden/internal/scan"
)

// maxLine bounds one JSONL line, so memory stays constant whatever the input.
const maxLine = 16 << 20

func runScan(ctx context.Context, env Env, args []string) error {
	fs := newFlags("scan", env)
	flagAt := fs.Float64("flag-at", scan.DefaultPolicy.FlagAt, "confidence from which a finding is reported")
	blockAt := fs.Float64("block-at", scan.DefaultPolicy.BlockAt, "confidence from which the verdict is block")
	cfgPath := fs.String("config", "", "take detectors, allow-list, deny rules and canaries from this configuration")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, `Usage: warden scan [flags] [FILE|-]

Reads JSONL, one object a line: {"id": ..., "role": "user|system|assistant|document|tool",
"text": ...} or {"id": ..., "messages": [chat messages]}. Writes one JSON line per input line:
{"id": ..., "findings": [...], "verdict": "allow|flag|block"}, or {"id": ..., "error": ...}.`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	in, closeIn, err := input(env, fs.Arg(0))
	if err != nil {
		return err
	}
	defer closeIn()
	cfg := config.Default()
	if *cfgPath != "" {
		var err error
		if cfg, err = config.LoadFile(*cfgPath, env.Getenv, known()...); err != nil {
			return err
		}
	}
	p, err := newPipeline(cfg)
	if err != nil {
		return err
	}
	s := scanner{p: p, pol: scan.Policy{FlagAt: *flagAt, BlockAt: *blockAt}}
	out := bufio.NewWriterSize(env.Stdout, 64<<10)
	defer out.Flush()
	return s.run(ctx, bufio.NewReaderSize(in, 64<<10), out)
}

type scanner struct {
	p   *scan.Pipeline
	pol scan.Policy
}

type scanLine struct {
	ID       json.RawMessage `json:"id"`
	Role     string          `json:"role"`
	Text     *string         `json:"text"`
	Messages json.RawMessage `json:"messages"`
}

type scanFinding struct {
	scan.Finding
	Role string `json:"role"`
}

type scanResult struct {
	ID       json.RawMessage `json:"id"`
	Findings []scanFinding   `json:"findings"`
	Verdict  scan.Verdict    `json:"verdict"`
	Errors   []string        `json:"detector_errors,omitempty"`
}

type scanError struct {
	ID    json.RawMessage `json:"id"`
	Line  int             `json:"line"`
	Error string          `json:"error"`
}

func (s scanner) run(ctx context.Context, r *bufio.Reader, w *bufio.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for n := 1; ; n++ {
		line, tooLong, err := readLine(r)
		if len(line) > 0 || tooLong {
			var v any
			if tooLong {
				v = scanError{ID: json.RawMessage("null"), Line: n, Error: fmt.Sprintf("line longer than %d bytes", maxLine)}
			} else {
				v = s.one(ctx, n, line)
			}
			if v != nil {
				if err := enc.Encode(v); err != nil {
					return err
				}
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// one scans one line; blank lines yield nothing.
func (s scanner) one(ctx context.Context, n int, line []byte) any {
	var l scanLine
	if err := json.Unmarshal(line, &l); err != nil {
		return scanError{ID: json.RawMessage("null"), Line: n, Error: "not a JSON object: " + err.Error()}
	}
	if len(l.ID) == 0 {
		l.ID = json.RawMessage("null")
	}
	// Every part is judged, system messages included: scan is for
	// evaluation, where no message is the application's own.
	in := scan.Input{JudgeSystem: true}
	switch {
	case l.Text != nil:
		role := scan.Role(l.Role)
		if l.Role == "" {
			role = scan.RoleUser
		}
		if !scan.ValidRole(role) {
			return scanError{ID: l.ID, Line: n, Error: fmt.Sprintf("unknown role %q", l.Role)}
		}
		in.Parts = []scan.Part{{Role: role, Text: *l.Text}}
	case len(l.Messages) > 0:
		body := append(append([]byte(`{"messages":`), l.Messages...), '}')
		req, err := llmapi.ParseRequest(llmapi.OpenAIChat, body)
		if err != nil {
			return scanError{ID: l.ID, Line: n, Error: "messages: " + err.Error()}
		}
		for _, p := range req.Parts {
			in.Parts = append(in.Parts, scan.Part{Role: scan.Role(p.Role), Text: p.Text})
		}
	default:
		return scanError{ID: l.ID, Line: n, Error: `want "text" or "messages"`}
	}
	res := s.p.Scan(ctx, &in, s.pol)
	out := scanResult{ID: l.ID, Findings: make([]scanFinding, len(res.Findings)), Verdict: res.Verdict, Errors: res.Errors}
	for i, f := range res.Findings {
		out.Findings[i] = scanFinding{Finding: f, Role: string(in.Parts[f.Part].Role)}
	}
	return out
}

// readLine reads one line without its newline. A line over maxLine is
// consumed and reported as too long, never held in memory whole.
func readLine(r *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > maxLine {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if n := len(line); n > 0 && line[n-1] == '\n' {
			line = line[:n-1]
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
		}
		return line, tooLong, err
	}
}
