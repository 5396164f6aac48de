package detect

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/sensitive"
)

// Options carry the configuration some detectors take.
type Options struct {
	// Deny rules become a "deny" detector, added whatever the names.
	Deny []DenyRule
	// Canaries go to the leak detector.
	Canaries []string
	// PhishingFile, when set, adds a "phishing" detector over that list.
	PhishingFile string
	// Phishing, when set, is added as it is: a detector that threat
	// intelligence feeds refresh while it runs.
	Phishing *Phishing
	// Sensitive, when set, is the classifier the "sensitive" detector uses
	// (custom types and exact data from configuration); nil means the
	// built-in types.
	Sensitive *sensitive.Classifier
	// Extra detectors built elsewhere (the external Prompt Shields client)
	// are appended as they are.
	Extra []scan.Detector
	// ExfilAllow lists the domains links in answers may carry data to.
	ExfilAllow []string
}

// Factory builds a detector.
type Factory func(Options) (scan.Detector, error)

// Catalog lists every detector by the name configuration uses. It is a plain
// map, built in one place, rather than init-time registration.
var Catalog = map[string]Factory{
	"signatures": func(Options) (scan.Detector, error) { return DefaultSignatures() },
	"model":      func(Options) (scan.Detector, error) { return NewModel() },
	"hidden":     func(Options) (scan.Detector, error) { return Hidden{}, nil },
	"encoded":    func(Options) (scan.Detector, error) { return NewEncoded() },
	"leak":       func(o Options) (scan.Detector, error) { return &Leak{Canaries: o.Canaries}, nil },
	"secrets":    func(Options) (scan.Detector, error) { return DefaultSecrets() },
	"exfil":      func(o Options) (scan.Detector, error) { return &Exfil{Allow: o.ExfilAllow}, nil },
	"suffix":     func(Options) (scan.Detector, error) { return NewSuffix() },
	"framing":    func(Options) (scan.Detector, error) { return Framing{}, nil },
	"sensitive": func(o Options) (scan.Detector, error) {
		if o.Sensitive != nil {
			return &Sensitive{C: o.Sensitive}, nil
		}
		c, err := sensitive.Default()
		return &Sensitive{C: c}, err
	},
}

// Default is the detector list used when configuration names none.
var Default = []string{"signatures", "model", "hidden", "encoded", "leak", "secrets", "sensitive", "exfil", "suffix", "framing"}

// Names returns the name of every detector of the catalogue, sorted: what
// configuration may list under scan.detectors.
func Names() []string {
	return slices.Sorted(maps.Keys(Catalog))
}

// Build returns the named detectors in order, or an error naming the valid
// names when one is unknown.
func Build(names []string, o Options) ([]scan.Detector, error) {
	if len(names) == 0 {
		names = Default
	}
	var out []scan.Detector
	for _, n := range names {
		f, ok := Catalog[n]
		if !ok {
			valid := make([]string, 0, len(Catalog))
			for k := range Catalog {
				valid = append(valid, k)
			}
			slices.Sort(valid)
			return nil, fmt.Errorf("unknown detector %q (valid: %s)", n, strings.Join(valid, ", "))
		}
		d, err := f(o)
		if err != nil {
			return nil, fmt.Errorf("detector %s: %w", n, err)
		}
		out = append(out, d)
	}
	if o.PhishingFile != "" {
		d, err := LoadPhishing(o.PhishingFile)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if o.Phishing != nil {
		out = append(out, o.Phishing)
	}
	out = append(out, o.Extra...)
	if len(o.Deny) > 0 {
		d, err := NewDeny(o.Deny)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
