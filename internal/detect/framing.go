package detect

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/wardenhq/warden/internal/scan"
)

// Framing finds a harmful goal wrapped in persuasion: a request for the
// methods of a harm (smuggling, ransomware, a Ponzi scheme, bullying)
// dressed as fiction or a hypothetical, endorsed by an authority, excused
// by a professional role or an educational purpose, or pleaded for (the
// persuasion taxonomy of PAP and the framing of PAIR-style attacks). Both
// halves are needed and must be near each other: the same framing around a
// harmless goal is an ordinary prompt, and a plain harmful question without
// it is harmful, not a jailbreak (it is left to the provider's own safety
// training and to a judge, where one is configured).
//
// It flags and does not block: security teams ask, in the same words, how
// attacks work so they can stop them, and a frame of a few words cannot
// tell the two apart. A harm term whose object is defence ("detect
// phishing", "prevent fraud") or that is negated ("never help with
// malware") does not count.
type Framing struct{}

var _ scan.Detector = Framing{}

// Name implements scan.Detector.
func (Framing) Name() string { return "framing" }

// Roles implements scan.RoleFilter.
func (Framing) Roles() []scan.Role { return []scan.Role{scan.RoleUser} }

// framingNear is how far apart (bytes of normalised text) a frame and a
// harm may be: a persuasive prompt is a paragraph; in a long system prompt
// or a game description the words meet by chance.
const framingNear = 500

// frames are the persuasion techniques, by name.
var frames = []struct {
	name string
	re   *regexp.Regexp
}{
	{"fiction", regexp.MustCompile(`\b(write|compose|create|draft|tell)\b[^.!?\n]{0,30}\b(story|novel|screenplay|play|scene|dialogue|chapter|tale)\b|\b(fictional|imaginary|hypothetical|alternate|dystopian|parallel) (world|universe|scenario|story|setting|society|reality)\b|\bimagine (a|an|that|you)\b|\bvisuali[sz]e a\b|\b(character|protagonist|villain) (named|called|who)\b|\bin (a|the|this) (story|novel|game|film|movie)\b`)},
	{"hypothetical", regexp.MustCompile(`\bhypothetical(ly)?\b|\bpurely (theoretical|academic|fictional|hypothetical)\b|\bin theory\b|\bfor the sake of (argument|discussion)\b|\bthought experiment\b|\bjust (curious|wondering)\b`)},
	{"authority", regexp.MustCompile(`\b(experts?|researchers?|studies|reports?|scientists|authorities|psychiatrists|psychologists|criminologists|publications|institutions?|organi[sz]ations?)\b[^.!?\n]{0,60}\b(have |has )?(shown|suggest(ed|s)?|found|stated|highlighted|identified|recogni[sz]ed|emphasi[sz]ed|mentioned|reported|advis(e|es|ed)|warn(ed|s)?|concluded)\b|\b(according to|as (reported|stated|noted|studied|documented) by|as per)\b|\b(renowned|leading|reputable|nobel|esteemed|world-renowned|prominent)\b`)},
	{"role", regexp.MustCompile(`\bas (an?|the) (experienced |seasoned |certified |licensed |renowned |professional |senior )?(professional|researcher|expert|officer|investigator|teacher|professor|doctor|physician|nurse|journalist|novelist|writer|author|sociologist|psychologist|criminologist|analyst|consultant|scientist|chemist|historian|lawyer|detective|agent|student|content creator|screenwriter|penetration tester|security researcher)\b|\bi am (an?|the) [^.!?\n]{0,30}\b(researcher|professor|officer|investigator|journalist|novelist|writer|author|chemist|student)\b`)},
	{"pretext", regexp.MustCompile(`\b(for|in) (an? |my |our )?(educational|research|academic|training|awareness|scholarly|informational) (purposes?|project|context|reasons?|paper|study|seminar|setting)\b|\b(it is|it's|it’s) (crucial|essential|vital|important|critical|imperative)\b[^.!?\n]{0,40}\bunderstand\b|\b(raise|raising) awareness\b|\b(to|can) (better )?(understand|recogni[sz]e|combat|counter|prevent|protect (against|ourselves|people))\b|\bequip (individuals|people|us|ourselves)\b`)},
	{"emotional", regexp.MustCompile(`\b(my|our) (life|job|career|family|future|child|son|daughter) (depends|is at stake|is on the line)\b|\bi('m| am) begging\b|\bdesperate(ly)?\b|\bplease,? i need\b|\b(deceased|late|dying) (grandmother|grandma|mother|father|friend)\b`)},
}

// harmWords and harmPhrases are goals no framing makes harmless: weapons
// and drugs, malicious software and intrusion, fraud, smuggling and
// trafficking, violence against people, hate and disinformation. Looked up
// word by word: a regular expression of this many alternatives cost 1.8 ms
// on a 2 KB prompt.
var harmWords = setOf(`bomb bombs explosive explosives napalm sarin ricin anthrax bioweapon bioweapons weapon weapons
	firearm firearms gun guns ammunition methamphetamine fentanyl cocaine heroin lsd drug drugs narcotics poison
	poisons poisoning ransomware malware keylogger keyloggers botnet botnets viruses trojan trojans spyware phishing
	exploit exploits hacking ddos steal stealing theft launder laundering ponzi scam scams scamming scammer scammers
	fraud fraudulent counterfeit counterfeiting forging forgery smuggle smuggling smuggler smugglers trafficking
	trafficker traffickers kidnap kidnapping murder assassinate assassination suicide cyberbully cyberbullying bully
	bullying harass harassment harassing stalk stalking propaganda misinformation disinformation racist extremist
	extremism terrorist terrorism radicalize radicalise radicalization radicalisation illicit untraceable torture
	blackmail extort extortion doxx doxing doxxing sabotage arson shoplift shoplifting deepfake deepfakes nude
	nudity porn pornography escort escorts`)

var harmPhrases = setOf(`nerve_agent nerve_agents chemical_weapon chemical_weapons malicious_software hack_into
	hacking_into pyramid_scheme pyramid_schemes fake_id fake_ids fake_passport fake_passports fake_document
	fake_documents fake_will fake_wills fake_reviews self_harm hate_speech evade_police evade_taxes evade_detection
	evading_police evading_taxes evading_detection evade_law without_getting without_being without_leaving
	unauthorized_access unauthorised_access unauthorized_interrogation insider_trading tax_evasion non_consensual`)

// askWords find a request for substance: methods, steps, a script, a guide.
var askWords = setOf(`method methods methodology methodologies step steps technique techniques tactic tactics
	instruction instructions guide script code recipe way ways how process procedure procedures mechanism mechanisms
	strategy strategies tips detail details detailed specifics example examples outline explain describe provide
	generate write create list walk`)

// phraseFirst holds the first words of harmPhrases: only after one of them
// is the next word looked at.
var phraseFirst = func() map[string]bool {
	m := map[string]bool{}
	for p := range harmPhrases {
		m[p[:strings.IndexByte(p, ' ')]] = true
	}
	return m
}()

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[strings.ReplaceAll(w, "_", " ")] = true
	}
	return m
}

// Kinds of lexicon word, as bits.
const (
	lexHarm = 1 << iota
	lexPhraseFirst
	lexAsk
)

// lexicon maps the FNV-1a hash of every lexicon word to its kinds; lexBits
// is a bitset of those hashes, so that most words of a prompt are turned
// away by one bit test (a map lookup per word cost 30 µs on 2 KB).
var lexicon, lexBits = func() (map[uint64]uint8, []uint64) {
	m := map[uint64]uint8{}
	for w := range harmWords {
		m[wordHash(w)] |= lexHarm
	}
	for w := range phraseFirst {
		m[wordHash(w)] |= lexPhraseFirst
	}
	for w := range askWords {
		m[wordHash(w)] |= lexAsk
	}
	bits := make([]uint64, lexBitsSize/64)
	for h := range m {
		bits[h%lexBitsSize/64] |= 1 << (h % 64)
	}
	return m, bits
}()

const lexBitsSize = 1 << 16

func wordHash(w string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(w); i++ {
		h = (h ^ uint64(w[i])) * 1099511628211
	}
	return h
}

// findHarms returns the spans of the harm words and phrases of normalised
// text t that are not taken back (harmDenied), and whether t asks for
// substance at all. Words are runs of ASCII letters, digits and
// apostrophes and of anything beyond ASCII (no lexicon word has any);
// hyphens split, so "self-harm" is found as a phrase.
func findHarms(t string) (harmAt [][]int, asks bool) {
	prevStart, prevEnd, prevKind := -1, -1, uint8(0)
	start := -1
	h := uint64(14695981039346656037)
	for i := 0; i <= len(t); i++ {
		if i < len(t) {
			c := t[i]
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '\'' || c >= 0x80 {
				if start < 0 {
					start, h = i, 14695981039346656037
				}
				h = (h ^ uint64(c)) * 1099511628211
				continue
			}
		}
		if start < 0 {
			continue
		}
		var kind uint8
		if lexBits[h%lexBitsSize/64]&(1<<(h%64)) != 0 {
			kind = lexicon[h]
		}
		if kind&lexAsk != 0 && askWords[t[start:i]] {
			asks = true
		}
		end := -1
		switch {
		case kind&lexHarm != 0 && harmWords[t[start:i]]:
			end = i
		case prevKind&lexPhraseFirst != 0 && start == prevEnd+1 && harmPhrases[t[prevStart:prevEnd]+" "+t[start:i]]:
			// Words one separator apart: "hack into", "self-harm".
			start, end = prevStart, i
		}
		if end >= 0 && !harmDenied.MatchString(t[max(0, start-60):start]) {
			harmAt = append(harmAt, []int{start, end})
		}
		prevStart, prevEnd, prevKind = start, i, kind
		start = -1
	}
	return harmAt, asks
}

// harmDenied matches what, just before a harm term, takes it back: a
// negation or a defensive object.
var harmDenied = regexp.MustCompile(`\b(not|never|no|avoid|refuse|decline|don't|do not|won't|prohibit(ed)?|forbid(den)?|against|detect(ing|ion)?|prevent(ing|ion)?|block(ing)?|protect(ing|ion)?|defend(ing)?|mitigat(e|ing|ion)|recogni[sz]e|spot|identify|report(ing)?|stop|news)\b[^.!?\n]{0,40}$`)

// Detect implements scan.Detector.
func (Framing) Detect(_ context.Context, in *scan.Input) ([]scan.Finding, error) {
	var out []scan.Finding
	for i, p := range in.Parts {
		if p.Role != scan.RoleUser {
			continue
		}
		n := p.Normalized()
		if f, ok := framed(n.Text); ok {
			f.Part = i
			f.Spans = []scan.Span{n.Original(f.Spans[0][0], f.Spans[0][1]), n.Original(f.Spans[1][0], f.Spans[1][1])}
			out = append(out, f)
		}
	}
	return out, nil
}

// framed judges one normalised text; the finding's two spans (in t) are
// the frame and the harm.
func framed(t string) (scan.Finding, bool) {
	harmAt, asks := findHarms(t)
	if len(harmAt) == 0 || !asks {
		return scan.Finding{}, false
	}
	var names []string
	var frame, harm []int
	for _, fr := range frames {
		for _, m := range fr.re.FindAllStringIndex(t, -1) {
			if h := nearest(harmAt, m[0]); h != nil {
				names = append(names, fr.name)
				if frame == nil {
					frame, harm = m, h
				}
				break
			}
		}
	}
	if frame == nil {
		return scan.Finding{}, false
	}
	sort.Strings(names)
	conf := 0.6
	if len(names) > 1 {
		conf = 0.7 // two techniques at once: still flag, not block
	}
	return scan.Finding{Category: scan.CategoryJailbreak, Type: "jailbreak", Confidence: conf, Severity: scan.SeverityMedium,
		Detector: "framing", Spans: []scan.Span{{frame[0], frame[1]}, {harm[0], harm[1]}},
		Quote:  []string{t[frame[0]:frame[1]], t[harm[0]:harm[1]]},
		Reason: fmt.Sprintf("framing: %s around a request for a harmful goal", strings.Join(names, ", "))}, true
}

// nearest returns the first harm within framingNear bytes of at.
func nearest(harmAt [][]int, at int) []int {
	for _, h := range harmAt {
		if h[0]-at <= framingNear && at-h[0] <= framingNear {
			return h
		}
	}
	return nil
}
