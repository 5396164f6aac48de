package interaction

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Policy is a communication-compliance policy: interactions in its scope
// that meet any of its conditions go to a review queue. Only interactions
// with a verified end user are matched (the plan's user-context rule):
// without one there is nobody to review.
type Policy struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Scope: the subscriptions, applications and user groups (the verified
	// token's groups claim) the policy covers; empty, all.
	Subscriptions []string `json:"subscriptions,omitempty"`
	Applications  []string `json:"applications,omitempty"`
	Groups        []string `json:"groups,omitempty"`
	// Conditions, any of which puts an interaction in review: sensitive
	// information types found, the detectors' threat categories, keywords
	// (whole words or phrases, any case) and custom deny rules (named
	// regular expressions) over the prompt and response text.
	SensitiveTypes []string      `json:"sensitive_types,omitempty"`
	Categories     []string      `json:"categories,omitempty"`
	Keywords       []string      `json:"keywords,omitempty"`
	Rules          []PatternRule `json:"rules,omitempty"`
	CreatedBy      string        `json:"created_by"`
	CreatedAt      time.Time     `json:"created_at"`
}

// PatternRule is a custom deny rule: a name (what reviewers see) and an
// RE2 regular expression (linear time, whatever the text).
type PatternRule struct {
	Name    string `json:"name"`
	Pattern string `json:"pattern"`
}

// Hit is one policy matching one interaction, with why. Reasons name the
// condition (a type, a category, a keyword of the policy, a rule's name),
// never the interaction's text.
type Hit struct {
	Policy  string   `json:"policy"`
	Reasons []string `json:"reasons"`
}

// Validate checks a policy as a client wrote it.
func (p Policy) Validate() error {
	if strings.TrimSpace(p.Name) == "" {
		return errors.New("name is required")
	}
	if len(p.SensitiveTypes)+len(p.Categories)+len(p.Keywords)+len(p.Rules) == 0 {
		return errors.New("a policy needs a condition: sensitive_types, categories, keywords or rules")
	}
	if len(p.Keywords) > 1000 || len(p.Rules) > 64 {
		return errors.New("at most 1,000 keywords and 64 rules")
	}
	for _, k := range p.Keywords {
		if len(words(k)) == 0 || len(k) > 200 {
			return fmt.Errorf("keyword %q: a word or phrase of at most 200 bytes", k)
		}
	}
	for _, r := range p.Rules {
		if r.Name == "" || len(r.Pattern) > 1000 {
			return fmt.Errorf("rule %q: a name and a pattern of at most 1,000 bytes", r.Name)
		}
		if _, err := regexp.Compile(r.Pattern); err != nil {
			return fmt.Errorf("rule %q: %w", r.Name, err)
		}
	}
	return nil
}

// Policies is a compiled set of policies, safe for concurrent use.
type Policies struct {
	list []compiled
}

type compiled struct {
	Policy
	keywords [][]string       // each keyword as its words
	byFirst  map[string][]int // keyword indexes by their first word
	rules    []*regexp.Regexp
}

// Compile prepares policies for matching. An invalid one (the API
// refuses those before they are stored) is left out and named in the
// error; the others are compiled.
func Compile(ps []Policy) (*Policies, error) {
	out := &Policies{}
	var errs []error
	for _, p := range ps {
		if err := p.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("policy %s: %w", p.ID, err))
			continue
		}
		c := compiled{Policy: p, byFirst: map[string][]int{}}
		for i, k := range p.Keywords {
			w := words(k)
			c.keywords = append(c.keywords, w)
			c.byFirst[w[0]] = append(c.byFirst[w[0]], i)
		}
		for _, r := range p.Rules {
			c.rules = append(c.rules, regexp.MustCompile(r.Pattern))
		}
		out.list = append(out.list, c)
	}
	return out, errors.Join(errs...)
}

// WantsText reports whether a policy covering the subscription reads
// text (keywords or rules): the gateway then hands the record its text to
// match, whether or not content is kept.
func (ps *Policies) WantsText(subscription string) bool {
	if ps == nil {
		return false
	}
	for _, p := range ps.list {
		if (len(p.Keywords) > 0 || len(p.Rules) > 0) && scoped(p.Subscriptions, subscription) {
			return true
		}
	}
	return false
}

func scoped(scope []string, v string) bool { return len(scope) == 0 || slices.Contains(scope, v) }

// Match returns the policies r meets, with their reasons; c is its text
// (nil when none was handed over). Interactions without user context
// meet none.
func (ps *Policies) Match(r Record, c *Content) []Hit {
	if ps == nil || !r.UserContext {
		return nil
	}
	var text []string // the words of the whole exchange, once
	var raw []string
	var hits []Hit
	for _, p := range ps.list {
		if !scoped(p.Subscriptions, r.Subscription) || !scoped(p.Applications, r.Application) ||
			len(p.Groups) > 0 && !slices.ContainsFunc(r.Groups, func(g string) bool { return slices.Contains(p.Groups, g) }) {
			continue
		}
		var why []string
		for _, t := range p.SensitiveTypes {
			if r.SensitiveTypes[t] > 0 {
				why = append(why, "sensitive type "+t)
			}
		}
		for _, cat := range p.Categories {
			if slices.Contains(r.Categories, cat) {
				why = append(why, "category "+cat)
			}
		}
		if c != nil && (len(p.keywords) > 0 || len(p.rules) > 0) {
			if raw == nil {
				for _, t := range append(slices.Clone(c.Prompt), c.Response...) {
					raw = append(raw, t.Text)
				}
				text = words(strings.Join(raw, "\n"))
			}
			for _, i := range p.keywordsIn(text) {
				why = append(why, "keyword "+p.Keywords[i])
			}
			for i, re := range p.rules {
				if slices.ContainsFunc(raw, re.MatchString) {
					why = append(why, "rule "+p.Rules[i].Name)
				}
			}
		}
		if len(why) > 0 {
			hits = append(hits, Hit{Policy: p.ID, Reasons: why})
		}
	}
	return hits
}

// words splits text into lower-case words (letters and digits), so a
// keyword matches whole words whatever the case and punctuation around.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// keywordsIn returns the indexes of the policy's keywords whose words
// occur in text in a row, in the policy's order: one pass over the text,
// looking up keywords by the word they start with.
func (c compiled) keywordsIn(text []string) []int {
	found := map[int]bool{}
	for i, w := range text {
		for _, k := range c.byFirst[w] {
			if kw := c.keywords[k]; !found[k] && i+len(kw) <= len(text) && slices.Equal(text[i:i+len(kw)], kw) {
				found[k] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(found))
}
