package credkv

import "testing"

func TestFind(t *testing.T) {
	tests := []struct {
		syntax, text, key, value, how string
	}{
		{"env", "export DB_PASSWORD=Zq7vR2kLp9", "DB_PASSWORD", "Zq7vR2kLp9", "assign"},
		{"ini", "password = Zq7vR2kLp9", "password", "Zq7vR2kLp9", "assign"},
		{"yaml", "  api_token: Zq7vR2kLp9", "api_token", "Zq7vR2kLp9", "colon"},
		{"json", `{"AwsSecretKey": "Zq7vR2kLp9/x+y"}`, "AwsSecretKey", "Zq7vR2kLp9/x+y", "colon"},
		{"xml attribute", `<db password="Zq7vR2kLp9"/>`, "password", "Zq7vR2kLp9", "assign"},
		{"xml element", `<password>Zq7vR2kLp9</password>`, "password", "Zq7vR2kLp9", "xml"},
		{"appSettings", `<add key="DbPassword" value="Zq7vR2kLp9" />`, "DbPassword", "Zq7vR2kLp9", "attr"},
		{"toml", `secret_key = "Zq7vR2kLp9"`, "secret_key", "Zq7vR2kLp9", "assign"},
		{"sql create user", `CREATE USER app PASSWORD 'Zq7vR2kLp9';`, "PASSWORD", "Zq7vR2kLp9", "sql"},
		{"sql identified by", `ALTER USER app IDENTIFIED BY "Zq7vR2kLp9";`, "identified by", "Zq7vR2kLp9", "sql"},
		{"connection string", `Server=db;User Id=app;Password=Zq7vR2kLp9;`, "Password", "Zq7vR2kLp9", "assign"},
		{"url", `postgres://app:Zq7vR2kLp9@db:5432/x`, "url_password", "Zq7vR2kLp9", "url"},
		{"cli flag", `mysql -u app --password Zq7vR2kLp9 db`, "--password", "Zq7vR2kLp9", "flag"},
		{"go", `apiKey := "Zq7vR2kLp9"`, "apiKey", "Zq7vR2kLp9", "assign"},
		{"php array", `'auth_key' => 'Zq7vR2kLp9',`, "auth_key", "Zq7vR2kLp9", "assign"},
		{"java call", `ds.setPassword("Zq7vR2kLp9");`, "ds.setPassword", "Zq7vR2kLp9", "call"},
		{"c argument", `setopt(curl, CURLOPT_PASSWORD, "Zq7vR2kLp9");`, "CURLOPT_PASSWORD", "Zq7vR2kLp9", "arg"},
		{"prose", `my password is Zq7vR2kLp9 ok`, "password", "Zq7vR2kLp9", "is"},
	}
	for _, tt := range tests {
		var got *Candidate
		for _, c := range Find(tt.text) {
			if c.Value == tt.value {
				got = &c
				break
			}
		}
		if got == nil {
			t.Errorf("%s: %q: no candidate with value %q (got %+v)", tt.syntax, tt.text, tt.value, Find(tt.text))
			continue
		}
		if got.Key != tt.key || got.Syntax != tt.how || tt.text[got.Start:got.End] != tt.value {
			t.Errorf("%s: got key %q syntax %s span %q, want %q %s %q", tt.syntax, got.Key, got.Syntax, tt.text[got.Start:got.End], tt.key, tt.how, tt.value)
		}
	}
	for _, text := range []string{"if password == secret {", "the token bucket algorithm", "keyboard shortcuts", ""} {
		for _, c := range Find(text) {
			if c.Syntax != "is" {
				t.Errorf("%q: candidate %+v, want none", text, c)
			}
		}
	}
}

// FuzzFind checks that any text gives candidates whose spans are inside
// it and hold their values.
func FuzzFind(f *testing.F) {
	f.Add(`<add key="DbPassword" value="x"/> password: "a\"b" postgres://u:p@h --token t`)
	f.Add("pass\xff=\x00")
	f.Fuzz(func(t *testing.T, text string) {
		for _, c := range Find(text) {
			if c.Start < 0 || c.End > len(text) || c.Start >= c.End || text[c.Start:c.End] != c.Value {
				t.Fatalf("%q: bad candidate %+v", text, c)
			}
		}
	})
}

func TestKeyHead(t *testing.T) {
	for key, want := range map[string]string{"client_secret": "secret", "clientId": "id", "credentialsId": "id",
		"apiKey": "key", "DB_PASSWORD": "pass", "--password": "pass", "AwsSecretKey": "key", "x": "other"} {
		if got := keyHead(key); got != want {
			t.Errorf("keyHead(%q) = %q, want %q", key, got, want)
		}
	}
}
