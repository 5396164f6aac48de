package sensitive

import (
	"strings"
	"testing"
)

func TestNotPerson(t *testing.T) {
	tests := []struct {
		text, run string
		want      bool
	}{
		{`{"company": "Hartmann GmbH", "city": "Bernburg"}`, "Hartmann", true},
		{"Best regards,\nThe Hughes, Lloyd and Anderson team", "Hughes", true},
		{"The Olsson Nilsson AB team", "Olsson Nilsson", true},
		{"Dear [Customer Name],", "Customer", true},
		{`{"city": "Bernburg", "name": "Anna Weber"}`, "Bernburg", true},
		{"АО «Архипова, Веселова и Баранов»", "Архипова", true},
		{`{"name": "Anna Weber", "email": "a@x.de"}`, "Anna Weber", false},
		{"Maria Lopez as the manager signed it", "Maria Lopez", false},
		{"Best regards,\nDouglas Macias\nAccount Manager", "Douglas Macias", false},
		{"John Smith co-founded the firm", "John Smith", false},
	}
	for _, tt := range tests {
		s := strings.Index(tt.text, tt.run)
		if got := notPerson(tt.text, s, s+len(tt.run)); got != tt.want {
			t.Errorf("notPerson(%q in %q) = %v, want %v", tt.run, tt.text, got, tt.want)
		}
	}
}
