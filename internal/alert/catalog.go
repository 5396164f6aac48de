package alert

import "github.com/wardenhq/warden/internal/scan"

// Kind is one alert type of the catalogue.
type Kind struct {
	Type string
	// Plan is the alert type of the commercial plan this one stands for,
	// when there is one, so that a SOC's existing rules can be mapped.
	Plan        string
	DisplayName string
	Description string
	Severity    scan.Severity
	Tactics     []string
	Techniques  []string
	Remediation []string
}

// The alert types raised so far. Every finding maps to exactly one type
// (see KindFor); the full catalogue grows with the detectors.
var (
	JailbreakBlocked = Kind{
		Type:        "Warden.AI.Jailbreak.Blocked",
		Plan:        "AI.Azure_Jailbreak.ContentFiltering.BlockedAttempt",
		DisplayName: "A jailbreak attempt on an AI model deployment was blocked",
		Description: "A prompt tried to make the model drop its safety instructions (direct prompt injection). Warden blocked it before it reached the model.",
		Severity:    scan.SeverityMedium,
		Tactics:     []string{"Privilege Escalation", "Defense Evasion"},
		Techniques:  []string{"AML.T0054", "AML.T0051.000"},
		Remediation: []string{
			"Review the user and application that sent the prompt and whether the attempt is part of a wider campaign.",
			"If the user is not expected to probe the model, restrict or revoke their access.",
			"Keep the subscription in block mode for this deployment.",
		},
	}
	JailbreakDetected = Kind{
		Type:        "Warden.AI.Jailbreak.Detected",
		Plan:        "AI.Azure_Jailbreak.ContentFiltering.DetectedAttempt",
		DisplayName: "A jailbreak attempt on an AI model deployment was detected",
		Description: "A prompt tried to make the model drop its safety instructions (direct prompt injection). It was not blocked because the subscription is in detect mode or the confidence was below the block threshold.",
		Severity:    scan.SeverityMedium,
		Tactics:     []string{"Privilege Escalation", "Defense Evasion"},
		Techniques:  []string{"AML.T0054", "AML.T0051.000"},
		Remediation: []string{
			"Review the model's response to this prompt for content that breaks your policies.",
			"Review the user and application that sent the prompt.",
			"Consider block mode for this subscription so such prompts never reach the model.",
		},
	}
	IndirectInjection = Kind{
		Type:        "Warden.AI.IndirectPromptInjection",
		DisplayName: "Instructions hidden in data sent to an AI model deployment",
		Description: "A document, e-mail, web page or tool result passed to the model carries instructions addressed to the model (indirect prompt injection). The data source may be poisoned.",
		Severity:    scan.SeverityHigh,
		Tactics:     []string{"Execution", "Persistence"},
		Techniques:  []string{"AML.T0051.001", "AML.T0070"},
		Remediation: []string{
			"Identify the data source (document store, mailbox, web page, tool) the content came from and remove or quarantine it.",
			"Check what the model did with the content: tool calls made and data returned.",
			"Treat retrieved content as data: delimit or encode it before it reaches the model.",
		},
	}
	ASCIISmuggling = Kind{
		Type:        "Warden.AI.ASCIISmuggling",
		Plan:        "AI.Azure_ASCIISmuggling",
		DisplayName: "ASCII smuggling prompt injection detected",
		Description: "Text in the interaction hides instructions in invisible Unicode tag characters, which people do not see and models read. This is usually an indirect prompt injection planted in data.",
		Severity:    scan.SeverityHigh,
		Tactics:     []string{"Impact", "Defense Evasion"},
		Techniques:  []string{"AML.T0051.001", "AML.T0068"},
		Remediation: []string{
			"Find the source of the text (document, web page, tool result, user input) and remove the hidden characters.",
			"Strip Unicode tag characters (U+E0000-U+E007F) from content before it reaches the model.",
			"Review what the model did with the hidden instructions.",
		},
	}
	HiddenText = Kind{
		Type:        "Warden.AI.HiddenText",
		DisplayName: "Invisible characters hide text sent to an AI model deployment",
		Description: "A long run of zero-width, bidi-control or variation-selector characters was found: a way to hide or split text so that filters miss it.",
		Severity:    scan.SeverityLow,
		Tactics:     []string{"Defense Evasion"},
		Techniques:  []string{"AML.T0068"},
		Remediation: []string{"Review the text with the invisible characters made visible and remove them at the source."},
	}
	SystemPromptLeak = Kind{
		Type:        "Warden.AI.SystemPromptLeak",
		Plan:        "AI.Azure_Agentic_InstructionLeakage",
		DisplayName: "The system prompt of an AI application leaked in a response",
		Description: "A model response repeats long runs of the application's system prompt, or a canary token planted in it: the instructions meant to stay hidden were disclosed, often after a prompt-extraction attempt.",
		Severity:    scan.SeverityMedium,
		Tactics:     []string{"Exfiltration", "Discovery"},
		Techniques:  []string{"AML.T0056", "AML.T0057"},
		Remediation: []string{
			"Review the prompts that preceded the response for extraction attempts and the user who sent them.",
			"Assume the system prompt is public: remove secrets and internal details from it.",
			"Turn on block mode so responses that leak the system prompt are stopped.",
		},
	}
	PhishingUserPrompt = Kind{
		Type:        "Warden.AI.MaliciousUrl.UserPrompt",
		Plan:        "AI.Azure_MaliciousUrl.UserPrompt",
		DisplayName: "Phishing attempt detected in an AI application",
		Description: "A user sent a known phishing URL to an AI application, possibly to poison its data sources or to reach other users through its tools.",
		Severity:    scan.SeverityHigh,
		Tactics:     []string{"Collection"},
		Techniques:  []string{"AML.T0051.000", "AML.T0052"},
		Remediation: []string{"Review the user's activity and block the URL at your web proxy.", "Check whether the URL was stored by the application (memory, documents) and remove it."},
	}
	PhishingModelResponse = Kind{
		Type:        "Warden.AI.MaliciousUrl.ModelResponse",
		Plan:        "AI.Azure_MaliciousUrl.ModelResponse",
		DisplayName: "Corrupted AI application, model or data directed a phishing attempt at a user",
		Description: "A model response contained a known phishing URL: the application, the model or its data has been poisoned to send users to a phishing page.",
		Severity:    scan.SeverityHigh,
		Tactics:     []string{"Impact"},
		Techniques:  []string{"AML.T0048", "AML.T0070"},
		Remediation: []string{"Find the data source (retrieved documents, tools, memory) the URL came from and remove it.", "Warn the user who received the response; block the URL at your web proxy."},
	}
	PhishingUnknownSource = Kind{
		Type:        "Warden.AI.MaliciousUrl.UnknownSource",
		Plan:        "AI.Azure_MaliciousUrl.UnknownSource",
		DisplayName: "Phishing URL shared in an AI application",
		Description: "A known phishing URL passed through an AI application in a document or tool result; its origin is not the user.",
		Severity:    scan.SeverityHigh,
		Tactics:     []string{"Impact", "Collection"},
		Techniques:  []string{"AML.T0051.001", "AML.T0070"},
		Remediation: []string{"Find the document, web page or tool that supplied the URL and remove or quarantine it.", "Block the URL at your web proxy."},
	}
	CredentialTheft = Kind{
		Type:        "Warden.AI.CredentialTheftAttempt",
		Plan:        "AI.Azure_CredentialTheftAttempt",
		DisplayName: "Detected credential theft attempts on an AI model deployment",
		Description: "Credentials were found in a model's response or in the arguments of a tool call it made: the model or its tools disclosed a secret, often after a prompt that asked for keys, environment variables or configuration.",
		Severity:    scan.SeverityMedium,
		Tactics:     []string{"Credential Access", "Lateral Movement", "Exfiltration"},
		Techniques:  []string{"AML.T0055", "AML.T0083"},
		Remediation: []string{
			"Rotate the disclosed credential now and review its use since the interaction.",
			"Find where the model got it (system prompt, retrieved documents, tool output, environment) and remove it from there.",
			"Review the prompts that preceded the response and the user who sent them.",
		},
	}
	CredentialExtraction = Kind{
		Type:        "Warden.AI.CredentialExtractionAttempt",
		DisplayName: "A prompt tried to draw credentials out of an AI model or its tools",
		Description: "A prompt, document or tool result asked the model, or the tools it can call, to reveal API keys, tokens, passwords, environment variables, connection strings or credential files.",
		Severity:    scan.SeverityMedium,
		Tactics:     []string{"Credential Access"},
		Techniques:  []string{"AML.T0055", "AML.T0051"},
		Remediation: []string{
			"Check the model's responses and tool calls after this prompt for credentials (a credential theft alert would say so).",
			"Make sure the model and its tools cannot reach secrets: no keys in system prompts, no shell or file tools with access to credential files.",
			"Review the user or the document source that sent it.",
		},
	}
	SecretInPrompt = Kind{
		Type:        "Warden.AI.SecretInPrompt",
		DisplayName: "A credential was sent to an AI model deployment",
		Description: "A prompt, document or tool result sent to the model contains a credential. It has left your control: the model provider may log it.",
		Severity:    scan.SeverityLow,
		Tactics:     []string{"Collection"},
		Techniques:  []string{"AML.T0055"},
		Remediation: []string{"Rotate the credential.", "Remind the user, or fix the application, not to send secrets to AI services."},
	}
	SensitiveDataLeak = Kind{
		Type:        "Warden.AI.DataLeakInModelResponse.Sensitive",
		Plan:        "AI.Azure_DataLeakInModelResponse.Sensitive",
		DisplayName: "Sensitive data exposed in an AI model's response",
		Description: "A model's response or a tool call it made contains sensitive information (payment card, national or health identifier, contact details, or one of your exact-data records). The model may have drawn it from its context, its retrieval sources or its training data.",
		Severity:    scan.SeverityMedium,
		Tactics:     []string{"Collection", "Exfiltration"},
		Techniques:  []string{"AML.T0057"},
		Remediation: []string{
			"Find where the data came from (retrieved documents, tool output, system prompt) and restrict the model's access to it.",
			"Review the prompts before the response: a user may be extracting data on purpose.",
			"Turn on block mode for the subscription if responses like this must never reach users.",
		},
	}
	SensitiveDataInPrompt = Kind{
		Type:        "Warden.AI.SensitiveDataInPrompt",
		DisplayName: "Sensitive data sent to an AI model deployment",
		Description: "A prompt, document or tool result sent to the model contains sensitive information. Recorded for data security: the data has left your control and the model provider may log it.",
		Severity:    scan.SeverityLow,
		Tactics:     []string{"Collection"},
		Techniques:  []string{"AML.T0057"},
		Remediation: []string{"Tell the user, or fix the application, not to send such data to AI services, or redact it before it is sent."},
	}
	SensitiveDataAnomaly = Kind{
		Type:        "Warden.AI.SensitiveDataAnomaly",
		Plan:        "AI.Azure_SensitiveDataAnomaly",
		DisplayName: "A resource started returning a type of sensitive data it never returned before",
		Description: "After its learning period, a model deployment returned a sensitive information type it had not returned before: a change in what the model can reach or in how it is being used.",
		Severity:    scan.SeverityMedium,
		Tactics:     []string{"Collection"},
		Techniques:  []string{"AML.T0057"},
		Remediation: []string{"Check what changed: new data sources, tools or system prompt for the deployment, or a user probing it.", "Review the responses that carried the new type."},
	}
	SuspiciousUserAgent = Kind{
		Type:        "Warden.AI.AccessFromSuspiciousUserAgent",
		Plan:        "AI.Azure_AccessFromSuspiciousUserAgent",
		DisplayName: "Suspicious user agent detected",
		Description: "The request's user agent matches a threat-intelligence pattern of attack tools, scanners or automation that has no business calling the AI deployment.",
		Severity:    scan.SeverityMedium,
		Tactics:     []string{"Execution", "Reconnaissance", "Initial Access"},
		Techniques:  []string{"AML.T0040", "AML.T0006"},
		Remediation: []string{"Identify the client behind the user agent and whether it should have access.", "Rotate the key or token it used if it should not."},
	}
	TorIP = Kind{
		Type:        "Warden.AI.AccessFromAnonymizedIP",
		Plan:        "AI.Azure_AccessFromAnonymizedIP",
		DisplayName: "Access from a Tor IP",
		Description: "A Tor exit node accessed the AI deployment: the caller hides where it is.",
		Severity:    scan.SeverityHigh,
		Tactics:     []string{"Execution"},
		Techniques:  []string{"AML.T0040"},
		Remediation: []string{"Check whether anonymised access is expected for this application.", "Block Tor exit nodes at the edge if it is not, and review what the caller sent."},
	}
	SuspiciousIP = Kind{
		Type:        "Warden.AI.AccessFromSuspiciousIP",
		Plan:        "AI.Azure_AccessFromSuspiciousIP",
		DisplayName: "Access from a suspicious IP",
		Description: "The caller's IP address is on a threat-intelligence deny list.",
		Severity:    scan.SeverityHigh,
		Tactics:     []string{"Execution"},
		Techniques:  []string{"AML.T0040"},
		Remediation: []string{"Block the address and review everything it sent.", "Rotate the credentials it used."},
	}
	WalletDuplicates = Kind{
		Type:        "Warden.AI.DOWDuplicateRequests",
		Plan:        "AI.Azure_DOWDuplicateRequests",
		DisplayName: "Suspected wallet attack: recurring requests",
		Description: "A high volume of identical requests reached the AI deployment: a denial-of-wallet attack or a runaway client burning tokens.",
		Severity:    scan.SeverityMedium,
		Tactics:     []string{"Impact"},
		Techniques:  []string{"AML.T0034.000", "AML.T0029"},
		Remediation: []string{"Find the client and the key sending the requests and rate-limit or revoke it.", "Set spending limits on the deployment."},
	}
	WalletVolume = Kind{
		Type:        "Warden.AI.DOWVolumeAnomaly",
		Plan:        "AI.Azure_DOWVolumeAnomaly",
		DisplayName: "Suspected wallet attack: volume anomaly",
		Description: "Request or token volume for the deployment or a user is far above its learned baseline.",
		Severity:    scan.SeverityMedium,
		Tactics:     []string{"Impact"},
		Techniques:  []string{"AML.T0034", "AML.T0029"},
		Remediation: []string{"Check whether the increase is expected (a launch, a batch job).", "If not, rate-limit the user or key and set spending limits."},
	}
	AccessAnomaly = Kind{
		Type:        "Warden.AI.AccessAnomaly",
		Plan:        "AI.Azure_AccessAnomaly",
		DisplayName: "Access anomaly in an AI deployment",
		Description: "A user reached the deployment in a way they never have before: a new IP range, user agent or authentication method.",
		Severity:    scan.SeverityMedium,
		Tactics:     []string{"Execution", "Reconnaissance", "Initial Access"},
		Techniques:  []string{"AML.T0040", "AML.T0012"},
		Remediation: []string{"Confirm with the user or application owner that the access is theirs.", "If not, revoke the credential used."},
	}
	AnomalousOperation = Kind{
		Type:        "Warden.AI.AnomalousOperation.InitialAccess",
		Plan:        "AI.Azure_AnomalousOperation.InitialAccess",
		DisplayName: "Suspicious change to an AI deployment's protection",
		Description: "A principal changed the protection of a subscription (plan, mode, components) in a way it never has: the principal may be compromised.",
		Severity:    scan.SeverityMedium,
		Tactics:     []string{"Initial Access", "Defense Evasion"},
		Techniques:  []string{"AML.T0012"},
		Remediation: []string{"Confirm the change with the principal's owner and revert it if it was not theirs."},
	}
	AnomalousToolInvocation = Kind{
		Type:        "Warden.AI.AnomalousToolInvocation",
		Plan:        "AI.Azure_AnomalousToolInvocation",
		DisplayName: "Anomalous tool invocation",
		Description: "The model called a tool the application never called before, or with arguments out of their usual shape: a sign of an agent steered by injected instructions.",
		Severity:    scan.SeverityLow,
		Tactics:     []string{"Execution"},
		Techniques:  []string{"AML.T0053", "AML.T0051.001"},
		Remediation: []string{"Review the tool call and the prompts and documents before it for injected instructions.", "Restrict the tools the application exposes to what it needs."},
	}
	LLMReconnaissance = Kind{
		Type:        "Warden.AI.LLMReconnaissance",
		Plan:        "AI.Azure_LLMReconnaissance",
		DisplayName: "LLM reconnaissance attempt",
		Description: "A user probed the model's capabilities, guardrails or configuration: the system prompt, its tools, its limits.",
		Severity:    scan.SeverityLow,
		Tactics:     []string{"Reconnaissance", "Discovery"},
		Techniques:  []string{"AML.T0069", "AML.T0056"},
		Remediation: []string{"Review the user's other interactions: reconnaissance usually precedes an attack."},
	}
	ModelMalware = Kind{
		Type:        "Warden.AI.ModelScan.MalwareDetected",
		Plan:        "AI.AIModelScan_MalwareDetected",
		DisplayName: "Malicious content detected in an AI model",
		Description: "A model file in a registered model source holds code that runs when it is loaded, or malware.",
		Severity:    scan.SeverityHigh,
		Tactics:     []string{"Initial Access", "Execution"},
		Techniques:  []string{"AML.T0010.003", "AML.T0011.000"},
		Remediation: []string{"Quarantine the model version and do not load it.", "Find who published it and what else they published.", "Use safetensors and load pickles only with weights_only=True."},
	}
	Generic = Kind{
		Type:        "Warden.AI.SuspiciousInteraction",
		DisplayName: "Suspicious interaction with an AI model deployment",
		Description: "A detector flagged an interaction with an AI model deployment.",
		Severity:    scan.SeverityLow,
		Tactics:     []string{"Execution"},
		Techniques:  []string{"AML.T0051"},
		Remediation: []string{"Review the findings and the interaction's user and application."},
	}
)

// CustomRule is raised when one of the team's own rules (scan.deny)
// matches: a topic or content it does not allow, not an attack.
var CustomRule = Kind{
	Type:        "Warden.AI.CustomRule",
	DisplayName: "An interaction matched one of your own rules",
	Description: "A prompt, document or tool result matched a rule your team configured (scan.deny): a topic or content the team does not allow on this deployment.",
	Severity:    scan.SeverityMedium,
	Tactics:     []string{"Impact"},
	Techniques:  []string{"AML.T0048"},
	Remediation: []string{"Review the interaction against the policy the rule stands for.", "Review the user and application that sent it."},
}

// DataExfiltration is raised for a link in a model's answer that carries
// data out in its URL (detect.Exfil).
var DataExfiltration = Kind{
	Type:        "Warden.AI.DataExfiltrationLink",
	DisplayName: "A model's answer carries data out in a link",
	Description: "The answer holds a markdown image or link whose URL carries data to a domain not on the allow-list. An image is fetched as soon as the answer renders, with no click: the usual way an injected instruction leaks the conversation.",
	Severity:    scan.SeverityHigh,
	Tactics:     []string{"Exfiltration"},
	Techniques:  []string{"AML.T0057", "AML.T0051.001"},
	Remediation: []string{
		"Find the data (retrieved document, tool result, memory) that instructed the model to build the link, and remove it.",
		"Do not render images from domains you do not trust in the application's answers.",
		"Add the application's own domains to scan.exfil_allow_domains if they carry data by design.",
	},
}

// InsiderRiskElevated is raised by the insider-risk job, not by a request.
var InsiderRiskElevated = Kind{
	Type:        "Warden.AI.InsiderRisk.Elevated",
	DisplayName: "A user's insider-risk level rose",
	Description: "Over the last week a user's use of AI apps (sensitive data sent, jailbreak attempts, volume far above their own baseline, off-hours use, apps they never used before) raised their insider-risk level. Only interactions with a verified user identity count.",
	Severity:    scan.SeverityMedium,
	Tactics:     []string{"Collection", "Exfiltration"},
	Techniques:  []string{"AML.T0057", "AML.T0024"},
	Remediation: []string{"Review the user's recent interactions in the activity explorer and the reasons given.", "Involve the user's manager or HR as your insider-risk process says."},
}

// Catalogue is every alert type, in the order docs/alerts.md lists them.
var Catalogue = []*Kind{
	&CredentialTheft, &JailbreakBlocked, &JailbreakDetected, &PhishingModelResponse, &PhishingUnknownSource,
	&PhishingUserPrompt, &SuspiciousUserAgent, &ASCIISmuggling, &TorIP, &SuspiciousIP, &WalletDuplicates,
	&WalletVolume, &AccessAnomaly, &AnomalousOperation, &AnomalousToolInvocation, &LLMReconnaissance, &ModelMalware,
	&SensitiveDataLeak, &SensitiveDataAnomaly, &IndirectInjection, &HiddenText, &SystemPromptLeak, &SecretInPrompt,
	&SensitiveDataInPrompt, &CredentialExtraction, &DataExfiltration, &CustomRule, &InsiderRiskElevated, &Generic,
}

// KindByType returns the catalogue entry of an alert type.
func KindByType(t string) (Kind, bool) {
	for _, k := range Catalogue {
		if k.Type == t {
			return *k, true
		}
	}
	return Kind{}, false
}

// KindFor maps a finding to its alert type.
func KindFor(f scan.Finding, blocked bool) Kind {
	if f.Type == "custom_rule" {
		return CustomRule
	}
	switch f.Category {
	case scan.CategoryJailbreak:
		if blocked {
			return JailbreakBlocked
		}
		return JailbreakDetected
	case scan.CategoryCredentialTheft:
		if f.Type == "credential_extraction" {
			return CredentialExtraction
		}
		return CredentialTheft
	case scan.CategoryThreatIntel:
		switch f.Type {
		case "tor_ip":
			return TorIP
		case "suspicious_ip":
			return SuspiciousIP
		case "suspicious_user_agent":
			return SuspiciousUserAgent
		case "phishing_url_prompt":
			return PhishingUserPrompt
		case "phishing_url_response":
			return PhishingModelResponse
		case "phishing_url_data":
			return PhishingUnknownSource
		}
	case scan.CategoryDataLeakage:
		switch f.Type {
		case "system_prompt_leak":
			return SystemPromptLeak
		case "data_exfiltration":
			return DataExfiltration
		case "secret_in_prompt":
			return SecretInPrompt
		case "sensitive_data_in_response":
			return SensitiveDataLeak
		case "sensitive_data_in_prompt":
			return SensitiveDataInPrompt
		case "sensitive_data_anomaly":
			return SensitiveDataAnomaly
		}
	case scan.CategoryAbuse:
		switch f.Type {
		case "wallet_duplicates":
			return WalletDuplicates
		case "wallet_volume":
			return WalletVolume
		case "access_anomaly":
			return AccessAnomaly
		case "anomalous_tool":
			return AnomalousToolInvocation
		case "anomalous_operation":
			return AnomalousOperation
		case "llm_reconnaissance":
			return LLMReconnaissance
		}
	case scan.CategoryDataPoisoning:
		switch f.Type {
		case "ascii_smuggling":
			return ASCIISmuggling
		case "hidden_text":
			return HiddenText
		}
		return IndirectInjection
	}
	return Generic
}
