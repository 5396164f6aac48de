package export

import (
	"fmt"
	"strings"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/scan"
)

// Product names Warden in every format.
var Product = struct{ Vendor, Name, Version string }{"Warden", "Warden AI Threat Protection", "dev"}

// tacticIDs maps the tactic names the catalogue uses to ATLAS ids.
var tacticIDs = map[string]string{
	"Reconnaissance": "AML.TA0002", "Resource Development": "AML.TA0003", "Initial Access": "AML.TA0004",
	"Execution": "AML.TA0005", "Persistence": "AML.TA0006", "Defense Evasion": "AML.TA0007", "Discovery": "AML.TA0008",
	"Collection": "AML.TA0009", "Exfiltration": "AML.TA0010", "Impact": "AML.TA0011", "Privilege Escalation": "AML.TA0012",
	"Credential Access": "AML.TA0013", "Command and Control": "AML.TA0014", "Lateral Movement": "AML.TA0015",
}

func severityID(s scan.Severity) int {
	switch s {
	case scan.SeverityLow:
		return 2
	case scan.SeverityMedium:
		return 3
	case scan.SeverityHigh:
		return 4
	case scan.SeverityCritical:
		return 5
	}
	return 0
}

func entity(a alert.Alert, kind string) string {
	for _, e := range a.Entities {
		if e.Kind == kind {
			return e.ID
		}
	}
	return ""
}

func ms(a alert.Alert) int64 { return a.LastSeen.UnixMilli() }

// evidence returns the alert's snippets: empty unless the subscription has
// prompt evidence on (they are already redacted then).
func evidence(a alert.Alert) []string {
	if a.Evidence.Masked {
		return nil
	}
	var out []string
	for _, s := range a.Evidence.Segments {
		out = append(out, s.Role+": "+s.Text)
	}
	return out
}

// OCSF returns the alert as an OCSF 1.x Detection Finding (class 2004)
// with the Security Control profile, ATLAS techniques as attacks.
func OCSF(e Event) map[string]any {
	a := e.Alert
	var attacks []map[string]any
	for i, t := range a.Techniques {
		at := map[string]any{"version": "ATLAS 5.6.0", "technique": map[string]any{"uid": t}}
		if strings.Count(t, ".") == 2 {
			at["technique"] = map[string]any{"uid": t[:strings.LastIndexByte(t, '.')]}
			at["sub_technique"] = map[string]any{"uid": t}
		}
		if i < len(a.Tactics) {
			at["tactic"] = map[string]any{"uid": tacticIDs[a.Tactics[i]], "name": a.Tactics[i]}
		}
		attacks = append(attacks, at)
	}
	action, disposition := 1, 15 // allowed, detected
	if a.Action == alert.ActionBlocked {
		action, disposition = 2, 2 // denied, blocked
	}
	conf := 1
	switch {
	case a.Confidence >= 0.85:
		conf = 3
	case a.Confidence >= 0.6:
		conf = 2
	}
	ev := map[string]any{"src_endpoint": map[string]any{"ip": entity(a, "ip")}}
	if u := entity(a, "user"); u != "" {
		ev["actor"] = map[string]any{"user": map[string]any{"uid": u}}
	}
	if ua := entity(a, "user_agent"); ua != "" {
		ev["http_request"] = map[string]any{"user_agent": ua}
	}
	var spans [][2]int
	for _, f := range a.Findings {
		for _, s := range f.Spans {
			spans = append(spans, [2]int(s))
		}
	}
	data := map[string]any{"matched_spans": spans, "score": a.Confidence, "request_id": a.RequestID}
	if ev := evidence(a); ev != nil {
		data["snippets"] = ev
	}
	ev["data"] = data
	// A repeat folded into the alert is an update of the finding.
	activity := 1
	if a.Count > 1 {
		activity = 2
	}
	out := map[string]any{
		"class_uid": 2004, "category_uid": 2, "activity_id": activity, "type_uid": 200400 + activity,
		"time": ms(a), "severity_id": severityID(a.Severity), "severity": string(a.Severity),
		"confidence_id": conf, "confidence_score": int(a.Confidence * 100), "is_alert": true, "status_id": 1,
		"action_id": action, "disposition_id": disposition, "message": a.DisplayName,
		"metadata": map[string]any{"version": "1.8.0", "profiles": []string{"security_control"}, "uid": e.ID,
			"product":    map[string]any{"name": Product.Name, "vendor_name": Product.Vendor, "version": Product.Version},
			"tenant_uid": a.Subscription, "log_name": "warden-alerts"},
		"finding_info": map[string]any{"uid": a.ID, "title": a.DisplayName, "desc": a.Description, "types": []string{a.Type},
			"analytic": map[string]any{"type_id": 1, "name": a.Type, "uid": a.Type}, "attacks": attacks,
			"first_seen_time": a.FirstSeen.UnixMilli(), "last_seen_time": ms(a), "related_events_count": a.Count,
			"src_url": "", "remediation": a.Remediation},
		"resources":  []map[string]any{{"type": "AI Model Deployment", "name": a.Resource, "uid": a.Resource}},
		"evidences":  []map[string]any{ev},
		"unmapped":   map[string]any{"fingerprint": a.Fingerprint, "subscription": a.Subscription},
		"count":      a.Count,
		"start_time": a.FirstSeen.UnixMilli(),
		"end_time":   ms(a),
	}
	delete(out["finding_info"].(map[string]any), "src_url")
	return out
}

// ECS returns the alert as an Elastic Common Schema document
// (event.kind alert, so Elastic's external-alert rule promotes it).
func ECS(e Event) map[string]any {
	a := e.Alert
	typ := []string{"info"}
	outcome := "success"
	if a.Action == alert.ActionBlocked {
		typ = append(typ, "denied")
		outcome = "failure"
	} else {
		typ = append(typ, "allowed")
	}
	var tactics, techniques []map[string]any
	for _, t := range a.Tactics {
		tactics = append(tactics, map[string]any{"id": tacticIDs[t], "name": t})
	}
	for _, t := range a.Techniques {
		techniques = append(techniques, map[string]any{"id": t, "reference": "https://atlas.mitre.org/techniques/" + t})
	}
	doc := map[string]any{
		"@timestamp": a.LastSeen.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		"message":    a.DisplayName,
		"event": map[string]any{"kind": "alert", "category": []string{"intrusion_detection"}, "type": typ,
			"action": a.Type, "outcome": outcome, "reason": a.Description, "severity": severityID(a.Severity),
			"risk_score": severityID(a.Severity) * 20, "id": e.ID, "dataset": "warden.alerts", "module": "warden",
			"provider": "warden", "start": a.FirstSeen.UTC().Format("2006-01-02T15:04:05.000Z07:00")},
		"rule":     map[string]any{"id": a.Type, "name": a.DisplayName, "description": a.Description, "ruleset": "warden"},
		"threat":   map[string]any{"framework": "MITRE ATLAS", "tactic": tactics, "technique": techniques},
		"observer": map[string]any{"vendor": Product.Vendor, "product": Product.Name, "version": Product.Version, "type": "ai-gateway"},
		"source":   map[string]any{"ip": entity(a, "ip")},
		"labels":   map[string]any{"subscription": a.Subscription, "resource": a.Resource, "fingerprint": a.Fingerprint, "severity": string(a.Severity)},
		"warden":   map[string]any{"alert_id": a.ID, "count": a.Count, "confidence": a.Confidence, "remediation": a.Remediation},
	}
	if u := entity(a, "user"); u != "" {
		doc["user"] = map[string]any{"id": u}
	}
	if ua := entity(a, "user_agent"); ua != "" {
		doc["user_agent"] = map[string]any{"original": ua}
	}
	if ev := evidence(a); ev != nil {
		doc["warden"].(map[string]any)["evidence"] = ev
	}
	return doc
}

// cefEscape escapes a CEF header field (| and \) or extension value
// (= and \, and line breaks).
func cefEscape(s string, header bool) string {
	r := strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`)
	s = r.Replace(s)
	if header {
		return strings.ReplaceAll(s, "|", `\|`)
	}
	return strings.ReplaceAll(s, "=", `\=`)
}

// CEF returns the alert as an ArcSight Common Event Format line.
func CEF(e Event) string {
	a := e.Alert
	sev := map[scan.Severity]int{scan.SeverityLow: 3, scan.SeverityMedium: 5, scan.SeverityHigh: 8, scan.SeverityCritical: 10}[a.Severity]
	ext := [][2]string{
		{"rt", fmt.Sprint(ms(a))}, {"externalId", e.ID}, {"src", entity(a, "ip")}, {"suser", entity(a, "user")},
		{"act", a.Action}, {"cnt", fmt.Sprint(a.Count)},
		{"cs1Label", "atlasTechniques"}, {"cs1", strings.Join(a.Techniques, ",")},
		{"cs2Label", "subscription"}, {"cs2", a.Subscription}, {"cs3Label", "resource"}, {"cs3", a.Resource},
		{"cs4Label", "fingerprint"}, {"cs4", a.Fingerprint}, {"cn1Label", "confidence"}, {"cn1", fmt.Sprint(int(a.Confidence * 100))},
		{"requestClientApplication", entity(a, "user_agent")}, {"msg", a.Description},
	}
	if ev := evidence(a); ev != nil {
		ext = append(ext, [2]string{"cs5Label", "evidence"}, [2]string{"cs5", strings.Join(ev, " | ")})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CEF:0|%s|%s|%s|%s|%s|%d|", cefEscape(Product.Vendor, true), cefEscape(Product.Name, true),
		cefEscape(Product.Version, true), cefEscape(a.Type, true), cefEscape(a.DisplayName, true), sev)
	first := true
	for _, kv := range ext {
		if kv[1] == "" {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(kv[0] + "=" + cefEscape(kv[1], false))
	}
	return b.String()
}

// Splunk returns the alert as a Splunk HTTP Event Collector event.
func Splunk(e Event, index string) map[string]any {
	a := e.Alert
	ev := map[string]any{"time": float64(ms(a)) / 1000, "host": "warden", "source": "warden", "sourcetype": "warden:alert",
		"event": e.Alert, "fields": map[string]any{"subscription": a.Subscription, "severity": string(a.Severity),
			"alert_type": a.Type, "event_id": e.ID, "atlas_technique": strings.Join(a.Techniques, ",")}}
	if index != "" {
		ev["index"] = index
	}
	return ev
}

// Sentinel returns the alert as a row of a Log Analytics custom table
// through the Logs Ingestion API (names end in the types Azure expects).
func Sentinel(e Event) map[string]any {
	a := e.Alert
	return map[string]any{
		"TimeGenerated": a.LastSeen.UTC().Format("2006-01-02T15:04:05.000Z"), "EventId": e.ID, "AlertId": a.ID,
		"AlertType": a.Type, "DisplayName": a.DisplayName, "Description": a.Description, "Severity": string(a.Severity),
		"Tactics": strings.Join(a.Tactics, ","), "Techniques": strings.Join(a.Techniques, ","),
		"Subscription": a.Subscription, "Resource": a.Resource, "Action": a.Action, "Confidence": a.Confidence,
		"Count": a.Count, "FirstSeen": a.FirstSeen.UTC().Format("2006-01-02T15:04:05.000Z"), "SourceIP": entity(a, "ip"),
		"UserId": entity(a, "user"), "UserAgent": entity(a, "user_agent"), "Fingerprint": a.Fingerprint,
		"Remediation": strings.Join(a.Remediation, " "), "Evidence": strings.Join(evidence(a), " | "),
	}
}
