package gateway

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wardenhq/warden/internal/llmapi"
	"github.com/wardenhq/warden/internal/redact"
)

// restoreStream runs a chat stream of the given deltas through a restorer
// of t and returns the events it sends.
func restoreStream(tb *redact.Table, deltas []string, done string) string {
	asm := llmapi.NewStream(llmapi.OpenAIChat)
	r := newRestorer(tb)
	var out []byte
	events := make([]string, 0, len(deltas)+1)
	for _, d := range deltas {
		events = append(events, `data: {"choices":[{"index":0,"delta":{"content":`+jsonString(d)+`}}]}`+"\n\n")
	}
	events = append(events, done)
	for _, raw := range events {
		ev := llmapi.ParseEvent([]byte(strings.TrimSuffix(raw, "\n\n")))
		asm.Event(ev) //nolint:errcheck // the test's own events
		ds := asm.Deltas()
		orig := make([]string, len(ds))
		for k, d := range ds {
			orig[k] = asm.Text(d.Part, d.From, d.To)
		}
		out = append(out, r.event([]byte(raw), ev.Name, []byte(strings.TrimSpace(string(ev.Data))), ds, orig, orig,
			func(s string) (string, bool) { return s, false })...)
	}
	return string(out)
}

// streamContent is the text of a chat stream's deltas, as a client reads it.
func streamContent(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		var ev struct {
			Choices []struct {
				Delta struct{ Content string } `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			t.Fatalf("event %q is not JSON: %v", data, err)
		}
		for _, c := range ev.Choices {
			b.WriteString(c.Delta.Content)
		}
	}
	return b.String()
}

func restoreTable() *redact.Table {
	tb := redact.NewTable("")
	tb.Add("email_address", "ana@fleckens.hu")
	tb.Add("password", `p"w\d`) // a value JSON must escape
	return tb
}

func TestRestoreStream(t *testing.T) {
	tests := []struct {
		name   string
		deltas []string
		want   string
	}{
		{"whole placeholder", []string{"to [EMAIL_ADDRESS_1] now"}, "to ana@fleckens.hu now"},
		{"split in bytes", []string{"to [", "EMAIL_", "ADDRESS", "_1", "] now"}, "to ana@fleckens.hu now"},
		{"escaped value", []string{"pw [PASS", "WORD_1]"}, `pw p"w\d`},
		{"a bracket that is not one", []string{"a [list", "] of [", "EMAIL"}, "a [list] of [EMAIL"},
		{"unknown number", []string{"[EMAIL_ADDRESS_2]"}, "[EMAIL_ADDRESS_2]"},
	}
	for _, tt := range tests {
		got := streamContent(t, restoreStream(restoreTable(), tt.deltas, "data: [DONE]\n\n"))
		if got != tt.want {
			t.Errorf("%s: the client reads %q, want %q", tt.name, got, tt.want)
		}
	}
}

// FuzzRestoreStream checks, for any answer cut anywhere into deltas, that
// the client reads the answer with exactly the table's placeholders
// restored, and that every event sent is JSON.
func FuzzRestoreStream(f *testing.F) {
	f.Add("I wrote to [EMAIL_ADDRESS_1] with [PASSWORD_1], [EMAIL_ADD", []byte{3, 1, 7, 2})
	f.Add("[[EMAIL_ADDRESS_1]]", []byte{1, 1, 1})
	f.Fuzz(func(t *testing.T, text string, cuts []byte) {
		if !utf8.ValidString(text) {
			return // a provider's JSON carries text, not bytes
		}
		var deltas []string
		rest := text
		for _, c := range cuts {
			if rest == "" {
				break
			}
			n := min(int(c%16)+1, len(rest))
			for n < len(rest) && !utf8.RuneStart(rest[n]) {
				n++
			}
			deltas = append(deltas, rest[:n])
			rest = rest[n:]
		}
		if rest != "" {
			deltas = append(deltas, rest)
		}
		tb := restoreTable()
		want, _ := tb.Restore(text)
		if got := streamContent(t, restoreStream(tb, deltas, "data: [DONE]\n\n")); got != want {
			t.Fatalf("deltas %q: the client reads %q, want %q", deltas, got, want)
		}
	})
}
