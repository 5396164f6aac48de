package classifier

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wardenhq/warden/internal/scan"
)

// Row is one labelled row of the shared datasets.
type Row struct {
	Folder string
	Text   string
	Label  string // jailbreak, injection, benign, harmful, pii, secret
	Family string
	// AttackText is the planted instruction of a poisoned document, when
	// the dataset says which it is.
	AttackText string
	Doc        bool
}

// Attack reports whether the row's label is one the model must catch.
func (r Row) Attack() bool { return r.Label == "jailbreak" || r.Label == "injection" }

// ReadRows reads every folder's data.jsonl under dir, in folder order.
func ReadRows(dir string) ([]Row, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*", "data.jsonl"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no */data.jsonl under %s", dir)
	}
	sort.Strings(paths)
	var rows []Row
	for _, p := range paths {
		rs, err := ReadFile(p)
		if err != nil {
			return nil, err
		}
		rows = append(rows, rs...)
	}
	return rows, nil
}

// ReadFile reads one JSONL file in the shared datasets' format.
func ReadFile(path string) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	folder := filepath.Base(filepath.Dir(path))
	var rows []Row
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		var v struct {
			Text  string `json:"text"`
			Label string `json:"label"`
			Meta  struct {
				Family     string `json:"family"`
				AttackText string `json:"attack_text"`
				Doc        bool   `json:"doc"`
				Subtype    string `json:"subtype"`
				// The instruction planted in a poisoned tool output,
				// e-mail or document, by the name each folder uses.
				AttackerInstruction string `json:"attacker_instruction"`
				Goal                string `json:"goal"`
				Trigger             string `json:"trigger"`
			} `json:"meta"`
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		r := Row{Folder: folder, Text: v.Text, Label: v.Label, Family: v.Meta.Family,
			AttackText: v.Meta.AttackText, Doc: v.Meta.Doc}
		if v.Meta.Subtype == "indirect" {
			// Indirect injection rows are data (tool outputs, e-mails,
			// documents) whatever the folder calls them; their planted
			// text, where the metadata names it and the text holds it
			// verbatim, is what the document model learns.
			r.Doc = true
			if r.AttackText == "" {
				r.AttackText = planted(v.Text, v.Meta.AttackerInstruction, v.Meta.Goal, v.Meta.Trigger)
			}
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

// planted returns the planted instruction of a poisoned text: the first
// of instruction and goal the text holds verbatim, or the line around the
// trigger (the output the attack asks for: the instruction is the line
// that holds it), or "" when none is found.
func planted(text, instruction, goal, trigger string) string {
	for _, s := range []string{instruction, goal} {
		if len(s) >= 12 && strings.Contains(text, s) {
			return s
		}
	}
	if i := strings.Index(text, trigger); len(trigger) >= 8 && i >= 0 {
		lo := strings.LastIndexByte(text[:i], '\n') + 1
		hi := strings.IndexByte(text[i:], '\n')
		if hi < 0 {
			hi = len(text)
		} else {
			hi += i
		}
		lo = max(lo, i-400)
		hi = min(hi, i+len(trigger)+400)
		return strings.TrimSpace(text[lo:hi])
	}
	return ""
}

// Examples turns rows into training examples for the user-turn model and
// the document model. Attacks are positive; every other label (benign,
// harmful, pii, secret) negative.
//
// User turns: every row that is not a document, whole.
//
// Documents are scored sentence by sentence at run time, so they are trained
// that way: a poisoned document whose planted text is known contributes that
// text alone (the model must learn the instruction, not the document around
// it), clean documents contribute their sentences as negatives, and direct
// attacks count as positives too (an override formula is an attack wherever
// it is). Chat prompts are left out of the document set (a question is an
// attack in an e-mail and not in a chat), except the sentences of folders
// of ordinary prose and requests (docNegatives), which teach it what the
// rest of a document looks like.
//
// Each set's classes are weighted to carry equal total weight.
func Examples(rows []Row) (user, doc []Example) {
	for _, r := range rows {
		switch {
		case r.AttackText != "":
			doc = append(doc, Example{Text: normalize(r.AttackText), Label: true})
		case r.Doc && r.Attack():
			// A poisoned document whose planted text is not known: its
			// sentences cannot be told apart, so it teaches nothing.
		case r.Doc:
			t := normalize(r.Text)
			for _, w := range sentences(t) {
				doc = append(doc, Example{Text: t[w[0]:w[1]], Label: r.Attack()})
			}
		default:
			e := Example{Text: normalize(r.Text), Label: r.Attack()}
			user = append(user, e)
			if e.Label || r.Label == "pii" || r.Label == "secret" {
				doc = append(doc, e)
			} else if docNegatives[r.Folder] {
				for _, w := range sentences(e.Text) {
					doc = append(doc, Example{Text: e.Text[w[0]:w[1]]})
				}
			}
		}
	}
	return balance(user), balance(doc)
}

func balance(exs []Example) []Example {
	var pos, neg float32
	for _, e := range exs {
		if e.Label {
			pos++
		} else {
			neg++
		}
	}
	for i := range exs {
		if exs[i].Label {
			exs[i].Weight = (pos + neg) / (2 * pos)
		} else {
			exs[i].Weight = (pos + neg) / (2 * neg)
		}
	}
	return exs
}

// docNegatives are folders of ordinary text whose sentences also teach the
// document model what is not an injection. Without them its only clean
// documents were BIPIA's e-mails, tables and code, and grouped
// cross-validation showed it flagging most documents of a genre it had not
// seen (80% of clean e-mails): imperatives and questions to the reader
// ("reply to this email", "follow the instructions") read as planted tasks.
var docNegatives = map[string]bool{"gsm8k": true, "mgsm": true, "presidio-synth": true, "arena-hard": true, "self-instruct": true, "credsweeper": true,
	"fastchat-bench": true, "prompt-engineering-guide": true, "tatoeba-multilingual": true}

// EvalOnly reports whether the lock file reserves folder for tests and
// evaluation.
func EvalOnly(folder string) bool {
	p, ok := defaultLock.Pin(folder)
	return ok && p.Use == UseEval
}

// cvTrains reports whether cross-validation may train on folder's rows: a
// pinned folder only if the shipped model trains on it (so the figures
// are the shipped model's), any other (a file given to warden eval) always.
func cvTrains(folder string) bool {
	p, ok := defaultLock.Pin(folder)
	return !ok || p.Use == UseTrain
}

func normalize(s string) string { return scan.Normalize(s).Text }
