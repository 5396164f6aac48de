package llmapi

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type decoded struct {
	Raw  string
	Name string
	Data string
}

// decodeAll feeds input in pieces of size n and collects events, then the
// unterminated rest.
func decodeAll(t *testing.T, input string, n int) ([]decoded, string) {
	t.Helper()
	var d Decoder
	var out []decoded
	for i := 0; i < len(input); i += n {
		d.Write([]byte(input[i:min(i+n, len(input))]))
		for {
			raw, ev, ok, err := d.Next()
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if !ok {
				break
			}
			out = append(out, decoded{string(raw), ev.Name, string(ev.Data)})
		}
	}
	return out, string(d.Rest())
}

func TestDecoder(t *testing.T) {
	tests := []struct {
		name     string
		give     string
		want     []decoded
		wantRest string
	}{
		{"openai chunks", "data: {\"a\":1}\n\ndata: [DONE]\n\n", []decoded{
			{"data: {\"a\":1}\n\n", "", `{"a":1}`}, {"data: [DONE]\n\n", "", "[DONE]"}}, ""},
		{"anthropic named", "event: ping\ndata: {\"type\":\"ping\"}\n\n", []decoded{
			{"event: ping\ndata: {\"type\":\"ping\"}\n\n", "ping", `{"type":"ping"}`}}, ""},
		{"crlf", "event: x\r\ndata: 1\r\n\r\n", []decoded{{"event: x\r\ndata: 1\r\n\r\n", "x", "1"}}, ""},
		// A CR at the very end may be half of a CRLF: the event waits for
		// more input, and at the end of the stream it is the rest.
		{"lone cr", "data: 1\r\rdata: 2\r\r", []decoded{{"data: 1\r\r", "", "1"}}, "data: 2\r\r"},
		{"multi-line data and comment", ": keep-alive\ndata: a\ndata: b\nid: 7\n\n", []decoded{
			{": keep-alive\ndata: a\ndata: b\nid: 7\n\n", "", "a\nb"}}, ""},
		{"no space after colon", "data:x\n\n", []decoded{{"data:x\n\n", "", "x"}}, ""},
		{"unterminated tail", "data: 1\n\ndata: 2\n", []decoded{{"data: 1\n\n", "", "1"}}, "data: 2\n"},
		{"blank line alone", "\ndata: 1\n\n", []decoded{{"\n", "", ""}, {"data: 1\n\n", "", "1"}}, ""},
	}
	for _, tt := range tests {
		for _, n := range []int{1, 2, 3, 7, 1000} {
			got, rest := decodeAll(t, tt.give, n)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s in pieces of %d: events (-want +got):\n%s", tt.name, n, diff)
			}
			if rest != tt.wantRest {
				t.Errorf("%s in pieces of %d: rest = %q, want %q", tt.name, n, rest, tt.wantRest)
			}
		}
	}
}

func TestDecoderLimit(t *testing.T) {
	d := Decoder{Max: 64}
	d.Write([]byte("data: " + strings.Repeat("x", 100)))
	if _, _, _, err := d.Next(); !errors.Is(err, ErrEventTooLarge) {
		t.Errorf("Next on an oversized event: err = %v, want ErrEventTooLarge", err)
	}
}

// FuzzDecoder checks that the decoder never panics, never loses or invents
// a byte (events plus rest are the input), whatever the input and however
// it is split.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte("data: {\"a\":1}\n\ndata: [DONE]\n\n"), uint8(3))
	f.Add([]byte("event: x\r\ndata: 1\r\n\r\n"), uint8(1))
	f.Add([]byte("data: 1\r\rdata: 2\r"), uint8(2))
	f.Fuzz(func(t *testing.T, in []byte, step uint8) {
		n := int(step%16) + 1
		d := Decoder{Max: 1 << 16}
		var out bytes.Buffer
		for i := 0; i < len(in); i += n {
			d.Write(in[i:min(i+n, len(in))])
			for {
				raw, _, ok, err := d.Next()
				if err != nil {
					out.Write(d.Rest())
					break
				}
				if !ok {
					break
				}
				out.Write(raw)
			}
		}
		out.Write(d.Rest())
		if !bytes.Equal(out.Bytes(), in) {
			t.Fatalf("decoder changed the bytes:\n in %q\nout %q", in, out.Bytes())
		}
	})
}
