package sensitive

import (
	"strings"
	"unicode"
)

// Context that says a run of capitalised words names something other than
// a person: a company (a legal form after it, "The ... team" around it, a
// company field), a place (a city or country field), or a template's
// placeholder ("[Customer Name]"). Family names make companies
// ("Hartmann GmbH", "Olsson Nilsson AB"), so the words alone cannot tell.

// legalForms are the words after a company's name that make it one, as
// they are written (case matters: "AS" is a Norwegian company, "as" a
// word).
var legalForms = map[string]bool{}

func init() {
	for _, f := range strings.Fields(`GmbH AG KG GbR e.V. OHG S.A. SA S.A.R.L. SARL SAS S.p.A. SpA SPA S.r.l. SRL Srl
		Inc Inc. LLC Ltd Ltd. PLC plc Corp Corp. Co. AB HB Oy Tmi AS ASA s.r.o. a.s. o.s. B.V. BV N.V. NV ME S/A Sp.
		LLP Pty K.K. ООО АО ИП ЗАО ПАТ ТОВ Ltda EIRELI Kft. Zrt. team Team group Group`) {
		legalForms[f] = true
	}
}

// placeFields and orgFields name the fields whose values are not people.
var notPersonFields = []string{"company", "organization", "organisation", "employer", "city", "country", "region",
	"state", "province", "town", "county", "brand", "product", "vendor"}

// notPerson reports whether the name-like run text[s:e] is, by its
// context, not a person's name.
func notPerson(text string, s, e int) bool {
	// A legal form right after: "Hartmann GmbH", "Rey S.A.", "Olsson AB".
	after := strings.TrimLeft(text[e:], " ,-")
	w := after
	if i := strings.IndexFunc(after, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == '"' || r == '»' }); i >= 0 {
		w = after[:i]
	}
	if legalForms[w] {
		return true
	}
	// "The ... team" and a name in guillemets after a legal form
	// ("АО «Архипова, Веселова и Баранов»").
	before := strings.TrimRight(text[:s], " ")
	if strings.HasSuffix(before, "The") || strings.HasSuffix(before, "«") {
		return true
	}
	// A placeholder: "[Customer Name]".
	if strings.HasSuffix(before, "[") && strings.HasPrefix(strings.TrimLeft(text[e:], " "), "Name") {
		return true
	}
	if rest := strings.TrimLeft(text[e:], " "); strings.HasPrefix(rest, "Name]") {
		return true
	}
	// The value of a company or place field on the same line.
	ls := strings.LastIndexByte(text[:s], '\n') + 1
	line := strings.ToLower(text[ls:s])
	k := strings.LastIndexAny(line, ":=>")
	if k < 0 {
		return false
	}
	key := strings.TrimRight(line[:k], " \"'")
	if j := strings.LastIndexAny(key, " \"'{<,"); j >= 0 {
		key = key[j+1:]
	}
	for _, f := range notPersonFields {
		if strings.HasSuffix(key, f) {
			return true
		}
	}
	return false
}
