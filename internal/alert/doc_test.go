package alert

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/scan"
)

var update = flag.Bool("update", false, "rewrite docs/alerts.md")

// TestAlertsDoc keeps docs/alerts.md the catalogue's own words: the test
// writes the document from Catalogue and compares (-update rewrites it).
func TestAlertsDoc(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("# Alert catalogue\n\nGenerated from `internal/alert/catalog.go` by `go test ./internal/alert -run TestAlertsDoc -args -update`.\n")
	b.WriteString("Every finding of every detector maps to exactly one of these types (`alert.KindFor`). \"Plan\" is the commercial\nplan's alert type each stands for, so existing SOC rules can be mapped.\n\n")
	b.WriteString("| type | plan | severity | tactics | ATLAS techniques |\n|---|---|---|---|---|\n")
	for _, k := range Catalogue {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", k.Type, code(k.Plan), k.Severity, strings.Join(k.Tactics, ", "), strings.Join(k.Techniques, ", "))
	}
	for _, k := range Catalogue {
		fmt.Fprintf(&b, "\n## %s\n\n`%s`", k.DisplayName, k.Type)
		if k.Plan != "" {
			fmt.Fprintf(&b, " (plan: `%s`)", k.Plan)
		}
		fmt.Fprintf(&b, ", %s. %s\n\nRemediation:\n", k.Severity, k.Description)
		for _, r := range k.Remediation {
			fmt.Fprintf(&b, "- %s\n", r)
		}
	}
	if *update {
		os.WriteFile("../../docs/alerts.md", b.Bytes(), 0o644)
	}
	want, err := os.ReadFile("../../docs/alerts.md")
	if err != nil || !bytes.Equal(want, b.Bytes()) {
		t.Error("docs/alerts.md is not the catalogue: go test ./internal/alert -run TestAlertsDoc -args -update")
	}
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Catalogue {
		if seen[k.Type] || k.DisplayName == "" || k.Description == "" || k.Severity == "" || len(k.Tactics) == 0 || len(k.Techniques) == 0 || len(k.Remediation) == 0 {
			t.Errorf("catalogue entry %s: duplicate or incomplete", k.Type)
		}
		seen[k.Type] = true
	}
	// Every finding type the detectors and the gateway emit maps to a
	// type of the catalogue, and no two categories share one.
	findings := []scan.Finding{
		{Category: scan.CategoryJailbreak, Type: "jailbreak"}, {Category: scan.CategoryDataPoisoning, Type: "indirect_prompt_injection"},
		{Category: scan.CategoryDataPoisoning, Type: "ascii_smuggling"}, {Category: scan.CategoryDataPoisoning, Type: "hidden_text"},
		{Category: scan.CategoryDataLeakage, Type: "system_prompt_leak"}, {Category: scan.CategoryDataLeakage, Type: "secret_in_prompt"},
		{Category: scan.CategoryDataLeakage, Type: "sensitive_data_in_response"}, {Category: scan.CategoryDataLeakage, Type: "sensitive_data_in_prompt"},
		{Category: scan.CategoryDataLeakage, Type: "sensitive_data_anomaly"}, {Category: scan.CategoryCredentialTheft, Type: "credential_in_response"},
		{Category: scan.CategoryCredentialTheft, Type: "credential_extraction"}, {Category: scan.CategoryThreatIntel, Type: "phishing_url_prompt"},
		{Category: scan.CategoryThreatIntel, Type: "phishing_url_response"}, {Category: scan.CategoryThreatIntel, Type: "phishing_url_data"},
		{Category: scan.CategoryThreatIntel, Type: "tor_ip"}, {Category: scan.CategoryThreatIntel, Type: "suspicious_ip"},
		{Category: scan.CategoryThreatIntel, Type: "suspicious_user_agent"}, {Category: scan.CategoryAbuse, Type: "wallet_duplicates"},
		{Category: scan.CategoryAbuse, Type: "wallet_volume"}, {Category: scan.CategoryAbuse, Type: "access_anomaly"},
		{Category: scan.CategoryAbuse, Type: "anomalous_tool"},
	}
	for _, f := range findings {
		k := KindFor(f, false)
		if k.Type == Generic.Type {
			t.Errorf("finding %s/%s maps to the generic type", f.Category, f.Type)
		}
		if _, ok := KindByType(k.Type); !ok {
			t.Errorf("finding %s/%s maps to %s, not in the catalogue", f.Category, f.Type, k.Type)
		}
	}
}
