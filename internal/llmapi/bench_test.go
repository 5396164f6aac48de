package llmapi

import (
	"encoding/json"
	"strings"
	"testing"
)

// benchChat is a chat request with a system prompt, a 2 KB user turn and a
// tool definition, as clients send them.
var benchChat = []byte(`{"model":"gpt-4o","stream":false,"messages":[{"role":"system","content":"You are a helpful assistant for Contoso's payroll team."},` +
	`{"role":"user","content":` + func() string {
	b, _ := json.Marshal(strings.Repeat("Please summarise the quarterly payroll report for the finance team. ", 30))
	return string(b)
}() + `}],` +
	`"tools":[{"type":"function","function":{"name":"get_payslip","description":"Gets an employee's payslip for a month.","parameters":{"type":"object","properties":{"month":{"type":"string"}}}}}]}`)

// BenchmarkParseChat compares the canonical reading (the ambiguity walk,
// then the parse) with the baseline encoding/json decode of the same
// struct, in one process.
func BenchmarkParseChat(b *testing.B) {
	b.Run("baseline-unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(benchChat)))
		for b.Loop() {
			var req chatRequest
			if err := json.Unmarshal(benchChat, &req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("checkBody", func(b *testing.B) {
		b.SetBytes(int64(len(benchChat)))
		for b.Loop() {
			if err := checkBody(benchChat); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseRequest", func(b *testing.B) {
		b.SetBytes(int64(len(benchChat)))
		for b.Loop() {
			if _, err := ParseRequest(OpenAIChat, benchChat); err != nil {
				b.Fatal(err)
			}
		}
	})
}
