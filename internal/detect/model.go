package detect

import (
	"context"
	"fmt"
	"regexp"

	"github.com/wardenhq/warden/internal/classifier"
	"github.com/wardenhq/warden/internal/scan"
)

// Model runs the project-trained classifier: whole prompts in user turns,
// sentence by sentence in documents and tool results. Findings name the
// words that pushed the score up and the window that scored highest.
type Model struct {
	m *classifier.Model
	// Floor is the lowest score reported; the pipeline's policy decides
	// what flags. It is below the default flag threshold so that the
	// judge, where one is configured, hears of the prompts the model is
	// unsure of (a short prompt's score is scaled below 0.5), and a
	// subscription at high sensitivity sees them flagged.
	Floor float64
}

var _ scan.Detector = (*Model)(nil)

// NewModel returns the detector over the embedded model.
func NewModel() (*Model, error) {
	m, err := classifier.Default()
	if err != nil {
		return nil, fmt.Errorf("load embedded model: %w", err)
	}
	return &Model{m: m, Floor: 0.3}, nil
}

// Name implements scan.Detector.
func (*Model) Name() string { return "model" }

// Roles implements scan.RoleFilter.
func (*Model) Roles() []scan.Role { return attackRoles }

// Detect implements scan.Detector.
func (d *Model) Detect(_ context.Context, in *scan.Input) ([]scan.Finding, error) {
	var out []scan.Finding
	for ap := range attackParts(in) {
		i, p, cat, typ := ap.i, ap.p, ap.cat, ap.typ
		n := p.Normalized()
		if len(n.Text) == 0 {
			continue
		}
		var r classifier.Result
		var conf float64
		if p.Role == scan.RoleUser || p.Role == scan.RoleSystem {
			r = d.m.Score(n.Text)
			conf = Confidence(r.P, r.Words, true)
		} else {
			r = d.m.ScoreDocBy(n.Text, DocConfidence)
			conf = DocConfidence(r.P, n.Text[r.Start:r.End])
		}
		if conf < d.Floor {
			continue
		}
		sev := scan.SeverityMedium
		if conf >= 0.95 {
			sev = scan.SeverityHigh
		}
		lin, which := d.m.User, "user-turn"
		if p.Role != scan.RoleUser && p.Role != scan.RoleSystem {
			lin, which = d.m.Doc, "document"
		}
		why := lin.Explain(n.Text[r.Start:r.End], 4)
		out = append(out, scan.Finding{Category: cat, Type: typ, Confidence: round(conf), Severity: sev, Detector: "model",
			Part: i, Spans: []scan.Span{n.Original(r.Start, r.End)}, Quote: why,
			Reason: fmt.Sprintf("model: %s classifier, %.2f", which, r.P)})
	}
	return out, nil
}

// Calibrate turns the model's probability into the confidence findings
// carry. Grouped cross-validation (families held out whole) showed the raw
// probabilities to be overconfident on attack families the model has not
// seen: about 3% of benign prompts score above 0.8. The cube below keeps 0.5
// at 0.5 and 1 at 1 but needs a raw 0.93 to reach the default block
// threshold of 0.8, so the model alone blocks only what it is sure of and
// flags the rest.
func Calibrate(p float64) float64 {
	if p <= 0.5 {
		return p
	}
	x := (p - 0.5) / 0.5
	return 0.5 + 0.5*x*x*x
}

// shortText is the word count below which the model alone neither flags
// nor blocks: in a short prompt a few words decide the score ("What is the
// capital of France?" scored 0.86, "Say this is a test" 0.91), and "forget
// the previous recipe, let's make pancakes" is not an attack. Short attacks
// are the signature rules' to catch (and the judge's, where one is
// configured: the scaled confidence keeps its order, so an unsure short
// prompt still falls in the judge's band).
//
// Measured on grouped cross-validation of the training split (the test
// split left out) against the earlier rule (flag from 0.65, at most 0.75):
// detection at the flag threshold 73.7% -> 73.5%, false positives 2.5% ->
// 2.3%, unchanged at the block threshold; on the everyday-prompt file
// (testdata/everyday.txt) 8 of 501 flagged -> 1.
const shortText = 16

// Confidence is the finding confidence for a model probability over a
// window of the given number of words. The short-text rule applies to user
// turns only: documents are scored a sentence at a time, and a planted
// instruction is one short sentence.
func Confidence(p float64, words int, userTurn bool) float64 {
	c := Calibrate(p)
	if userTurn && words < shortText {
		c *= 0.49 // below any flag threshold of a subscription at medium or low sensitivity
	}
	return c
}

// directed matches what sets an instruction planted in data apart from the
// instructions ordinary documents are full of ("reply to this email",
// "follow the instructions in the manual"): it speaks to the model or
// about its output ("include a sentence in your response", "embed this
// snippet in your codebase"), or overrides, or carries a link or a command
// to run.
var directed = regexp.MustCompile(`\b(your|the) (answers?|responses?|replies|output|outputs|summary|summaries|solution|codebase|implementation|translation|completion)\b|\byour (reply|code|program|script)\b|\b(ai|assistant|language model|chatbot|gpt|llm|bot)\b|\b(ignore|disregard|instead|override|forget|pretend)\b|https?://|\b(os\.system|subprocess|eval\(|exec\(|rm -rf|curl |wget )`)

// DocConfidence is the finding confidence for a model probability over a
// sentence of a document or tool result. Documents are full of ordinary
// instructions to their reader; the model alone may flag such a sentence
// but blocks only one that is directed at the model (see directed).
func DocConfidence(p float64, sentence string) float64 {
	c := Calibrate(p)
	if c > docUndirectedMax && c < docUndirectedSure && !directed.MatchString(sentence) {
		c = docUndirectedMax
	}
	return c
}

// docUndirectedMax caps the model on undirected document sentences: flag,
// not block.
const docUndirectedMax = 0.75

// docUndirectedSure is the confidence from which the model blocks an
// undirected sentence anyway.
const docUndirectedSure = 0.9

// round keeps three decimals, so reports do not pretend to more precision
// than a score has.
func round(p float64) float64 { return float64(int(p*1000+0.5)) / 1000 }
