package detect

import "testing"

// TestAssignments checks credentials written as assignments in the
// syntaxes the rules alone missed (issue 13's examples), and the
// look-alikes the validator must leave alone.
func TestAssignments(t *testing.T) {
	d, err := DefaultSecrets()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line, value string // value "": nothing may be found
	}{
		{`CREATE USER app WITH PASSWORD 'Zq7!vR2#kLp9xW';`, "Zq7!vR2#kLp9xW"},
		{`ALTER USER app IDENTIFIED BY "h8Kd2Lq9ZmX4vT1p";`, "h8Kd2Lq9ZmX4vT1p"},
		{`<add key="DbPassword" value="h8Kd2Lq9ZmX4vT1p" />`, "h8Kd2Lq9ZmX4vT1p"},
		{`<mxCell password="Tq8mZ2vLk9Xw3Rb"/>`, "Tq8mZ2vLk9Xw3Rb"},
		{`{"AwsSecretKey": "q7Vz2LmT8kWp3RbX9cN4Tr5Yw1Qe6Ui0Op"}`, "q7Vz2LmT8kWp3RbX9cN4Tr5Yw1Qe6Ui0Op"},
		{`"client_secret": "q7Vz2LmT8kWp3RbX9cN4Tr"`, "q7Vz2LmT8kWp3RbX9cN4Tr"},
		{`DB_PASSWORD=h8Kd2Lq9ZmX4vT1p`, "h8Kd2Lq9ZmX4vT1p"},
		{`password = "${PASSWORD}"`, ""},
		{`password: changeme`, ""},
		{`api_key = os.environ.get("API_KEY")`, ""},
		{`token = "your_token_here"`, ""},
		{`if password == confirm_password {`, ""},
		{`the token is valid for an hour`, ""},
	}
	for _, tt := range tests {
		ms := d.Find(tt.line)
		if tt.value == "" {
			if len(ms) > 0 {
				t.Errorf("%s: found %s %q, want nothing", tt.line, ms[0].Kind, tt.line[ms[0].Span[0]:ms[0].Span[1]])
			}
			continue
		}
		found := false
		for _, m := range ms {
			if tt.line[m.Span[0]:m.Span[1]] == tt.value {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: %q not found (found %+v)", tt.line, tt.value, ms)
		}
	}
}
