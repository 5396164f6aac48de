package alert

import "github.com/wardenhq/warden/internal/scan"

// Kind is one alert type of the catalogue.
type Kind struct {
	Type        string
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
		DisplayName: "Phishing attempt detected in an AI application",
		Description: "A user sent a known phishing URL to an AI application, possibly to poison its data sources or to reach other users through its tools.",
		Severity:    scan.SeverityHigh,
		Tactics:     []string{"Collection"},
		Techniques:  []string{"AML.T0051.000", "AML.T0052"},
		Remediation: []string{"Review the user's activity and block the URL at your web proxy.", "Check whether the URL was stored by the application (memory, documents) and remove it."},
	}
	PhishingModelResponse = Kind{
		Type:        "Warden.AI.MaliciousUrl.ModelResponse",
		DisplayName: "Corrupted AI application, model or data directed a phishing attempt at a user",
		Description: "A model response contained a known phishing URL: the application, the model or its data has been poisoned to send users to a phishing page.",
		Severity:    scan.SeverityHigh,
		Tactics:     []string{"Impact"},
		Techniques:  []string{"AML.T0048", "AML.T0070"},
		Remediation: []string{"Find the data source (retrieved documents, tools, memory) the URL came from and remove it.", "Warn the user who received the response; block the URL at your web proxy."},
	}
	PhishingUnknownSource = Kind{
		Type:        "Warden.AI.MaliciousUrl.UnknownSource",
		DisplayName: "Phishing URL shared in an AI application",
		Description: "A known phishing URL passed through an AI application in a document or tool result; its origin is not the user.",
		Severity:    scan.SeverityHigh,
		Tactics:     []string{"Impact", "Collection"},
		Techniques:  []string{"AML.T0051.001", "AML.T0070"},
		Remediation: []string{"Find the document, web page or tool that supplied the URL and remove or quarantine it.", "Block the URL at your web proxy."},
	}
	CredentialTheft = Kind{
		Type:        "Warden.AI.CredentialTheftAttempt",
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
		DisplayName: "A resource started returning a type of sensitive data it never returned before",
		Description: "After its learning period, a model deployment returned a sensitive information type it had not returned before: a change in what the model can reach or in how it is being used.",
		Severity:    scan.SeverityMedium,
		Tactics:     []string{"Collection"},
		Techniques:  []string{"AML.T0057"},
		Remediation: []string{"Check what changed: new data sources, tools or system prompt for the deployment, or a user probing it.", "Review the responses that carried the new type."},
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

// KindFor maps a finding to its alert type.
func KindFor(f scan.Finding, blocked bool) Kind {
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
		case "secret_in_prompt":
			return SecretInPrompt
		case "sensitive_data_in_response":
			return SensitiveDataLeak
		case "sensitive_data_in_prompt":
			return SensitiveDataInPrompt
		case "sensitive_data_anomaly":
			return SensitiveDataAnomaly
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
