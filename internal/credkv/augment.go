package credkv

import (
	"math/rand/v2"
	"strings"
)

// Augment returns synthetic rows made from the candidates of rows: each
// first candidate's value replaced once by a random credential-like value
// (a secret) and once by a placeholder in one of the conventions
// developers use (a look-alike). The shared data has few look-alikes
// beside the rules' own; these teach the validator what a value looks
// like, with the name and the syntax of a real line around it. They keep
// their row's family, so a fold or the held-out split holds both or
// neither. Deterministic: the same rows give the same rows.
func Augment(rows []Row) []Row {
	r := rand.New(rand.NewPCG(13, 17))
	var out []Row
	for _, row := range rows {
		cs := Find(row.Text)
		if len(cs) == 0 {
			continue
		}
		c := cs[0]
		name := strings.ToUpper(strings.Trim(c.Key, "-\"' "))
		ph := placeholders[r.IntN(len(placeholders))]
		ph = strings.ReplaceAll(ph, "NAME", name)
		ph = strings.ReplaceAll(ph, "name", strings.ToLower(name))
		out = append(out,
			Row{Folder: row.Folder, Text: row.Text[:c.Start] + randomValue(r) + row.Text[c.End:], Secret: true, Family: row.Family},
			Row{Folder: row.Folder, Text: row.Text[:c.Start] + ph + row.Text[c.End:], Secret: false, Family: row.Family})
		// The same name in another syntax, once with each kind of value:
		// the syntax then says nothing by itself, the value does.
		key := strings.Trim(c.Key, "-\"' ")
		if key == "" || key == "url_password" || key == "identified by" {
			continue
		}
		tpl := syntaxes[r.IntN(len(syntaxes))]
		out = append(out,
			Row{Folder: row.Folder, Text: render(tpl, key, randomValue(r)), Secret: true, Family: row.Family},
			Row{Folder: row.Folder, Text: render(tpl, key, ph), Secret: false, Family: row.Family})
	}
	return out
}

// syntaxes are lines in the formats developers paste, K the name and V
// the value.
var syntaxes = []string{
	"K=V", "export K=V", "K = \"V\"", "K: V", "  K: \"V\"", `{"K": "V"}`, `<add key="K" value="V" />`, `<K>V</K>`,
	`<conn K="V"/>`, "K := \"V\"", "'K' => 'V',", "cfg.K = 'V';", "--K V", "--K=V", "set K=V", "$K = \"V\";",
	"K(\"V\")", "[db]\nK = \"V\"", "CREATE USER app PASSWORD 'V'; -- K", "Server=db;K=V;",
}

func render(tpl, k, v string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tpl, "K", k), "V", v)
}

// placeholders are how code, configuration and documentation stand in
// for a secret (NAME and name become the candidate's name).
var placeholders = []string{
	"${NAME}", "$NAME", "%NAME%", "{{ name }}", "{{NAME}}", "<your-name>", "<NAME>", "[NAME]", "changeme", "change_me",
	"password", "secret", "xxxxxxxx", "********", "your_name_here", "YOUR_NAME", "example", "os.environ['NAME']",
	"process.env.NAME", "getenv(\"NAME\")", "null", "None", "true", "test", "dummy", "123456", "REPLACE_ME", "TODO",
	"settings.NAME", "config.name", "env.NAME", "...", "<redacted>", "REDACTED", "placeholder", "abc123", "qwerty",
	"password123", "admin", "$(NAME)", "#{name}", "%(name)s", "vault:secret/name", "sample", "your-name",
}

const valueBytes = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomValue returns a random value of 10 to 40 bytes, letters and
// digits with now and then a symbol, as generated secrets are.
func randomValue(r *rand.Rand) string {
	n := 10 + r.IntN(31)
	b := make([]byte, n)
	for i := range b {
		if r.IntN(12) == 0 {
			b[i] = "!#%+-_/=@^~*"[r.IntN(12)]
		} else {
			b[i] = valueBytes[r.IntN(len(valueBytes))]
		}
	}
	return string(b)
}
