package detect

import (
	"context"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/scan"
)

func benchText(n int) string {
	const s = "Please summarise the quarterly sales figures for the northern region and suggest three ways to improve customer retention next year. The board meets on Tuesday; bring the slides. "
	return strings.Repeat(s, n/len(s)+1)[:n]
}

func benchPipeline(b *testing.B) *scan.Pipeline {
	ds, err := Build(nil)
	if err != nil {
		b.Fatal(err)
	}
	return scan.NewPipeline(ds...)
}

// BenchmarkPrompt2KB is one 2 KB user prompt through every default
// detector, normalisation included.
func BenchmarkPrompt2KB(b *testing.B) {
	p := benchPipeline(b)
	text := benchText(2048)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		in := scan.Input{Parts: []scan.Part{{Role: scan.RoleUser, Text: text}}}
		p.Scan(context.Background(), &in, scan.DefaultPolicy)
	}
}

// BenchmarkDocument1MB is a 1 MB document (scored sentence by sentence)
// through every default detector: the throughput on long documents.
func BenchmarkDocument1MB(b *testing.B) {
	p := benchPipeline(b)
	text := benchText(1 << 20)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		in := scan.Input{Parts: []scan.Part{{Role: scan.RoleDocument, Text: text}}}
		p.Scan(context.Background(), &in, scan.DefaultPolicy)
	}
}
