package sensitive

import (
	"crypto/sha256"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// validators are the checks a candidate must pass before it counts: check
// digits where the format has them, ranges and dates where it does not.
// Each takes the candidate as matched, separators included.
var validators = map[string]func(string) bool{
	"luhn":          func(s string) bool { return luhn(digits(s)) },
	"credit_card":   creditCard,
	"iban":          iban,
	"bic":           bic,
	"aba":           aba,
	"ssn":           ssn,
	"itin":          func(s string) bool { d := digits(s); return len(d) == 9 && d[0] == '9' },
	"nino":          nino,
	"nhs":           nhs,
	"tfn":           tfn,
	"au_medicare":   auMedicare,
	"abn":           abn,
	"verhoeff":      func(s string) bool { return verhoeff(digits(s)) },
	"cpf":           cpf,
	"cnpj":          cnpj,
	"my_number":     myNumber,
	"cn_id":         cnID,
	"dni":           dni,
	"it_fiscal":     itFiscal,
	"de_id":         deID,
	"fr_nir":        frNIR,
	"bsn":           bsn,
	"be_nn":         beNN,
	"se_pnr":        sePNR,
	"no_fnr":        noFNR,
	"fi_hetu":       fiHETU,
	"pesel":         pesel,
	"dk_cpr":        dkCPR,
	"pt_nif":        ptNIF,
	"sg_nric":       sgNRIC,
	"kr_rrn":        krRRN,
	"il_id":         ilID,
	"npi":           func(s string) bool { return luhn("80840" + digits(s)) },
	"dea":           dea,
	"vin":           vin,
	"ipv4":          ipv4,
	"ipv6":          ipv6,
	"email":         email,
	"person_name":   personName,
	"address_value": addressValue,
	"phone":         phone,
	"date":          plausibleDate,
	"btc":           btc,
	"eth":           eth,
}

// digits returns the ASCII digits of s.
func digits(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// alnum returns the ASCII letters (upper-cased) and digits of s.
func alnum(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z':
			b = append(b, c)
		case c >= 'a' && c <= 'z':
			b = append(b, c-32)
		}
	}
	return string(b)
}

func luhn(d string) bool {
	if len(d) < 2 {
		return false
	}
	sum := 0
	for i := 0; i < len(d); i++ {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// repetitive reports digit strings that are one digit repeated or a plain
// run (1234567890...): test data, not someone's number.
func repetitive(d string) bool {
	same, up := true, true
	for i := 1; i < len(d); i++ {
		same = same && d[i] == d[0]
		up = up && (d[i]-'0') == (d[i-1]-'0'+1)%10
	}
	return same || up
}

// creditCard is Luhn plus a known issuer prefix for the length.
func creditCard(s string) bool {
	d := digits(s)
	if len(d) < 13 || len(d) > 19 || !luhn(d) || repetitive(d) {
		return false
	}
	p2, _ := strconv.Atoi(d[:2])
	p4, _ := strconv.Atoi(d[:4])
	switch {
	case d[0] == '4': // Visa
		return len(d) == 13 || len(d) == 16 || len(d) == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return len(d) == 16
	case p2 == 34 || p2 == 37: // American Express
		return len(d) == 15
	case p4 == 6011, p2 == 65, p4 >= 6440 && p4 <= 6499: // Discover
		return len(d) >= 16
	case p4 >= 3528 && p4 <= 3589: // JCB
		return len(d) >= 16
	case p2 == 36, p2 == 38, p2 == 39, p4 >= 3000 && p4 <= 3059: // Diners
		return len(d) >= 14
	case p2 == 62: // UnionPay
		return len(d) >= 16
	case p2 == 50, p2 >= 56 && p2 <= 69: // Maestro and others
		return len(d) >= 12
	case p2 == 60 || p2 == 81 || p2 == 82: // RuPay
		return len(d) == 16
	}
	return false
}

// ibanLength is the IBAN length by country (ISO 13616 registry).
var ibanLength = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
	"ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
	"HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
	"LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
	"MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
	"RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// iban checks the country's length and the ISO 7064 mod-97 check digits.
func iban(s string) bool {
	a := alnum(s)
	if len(a) < 15 || ibanLength[a[:2]] != len(a) {
		return false
	}
	return mod97(a[4:]+a[:4]) == 1
}

// mod97 computes the remainder of the number that letters-as-two-digits
// make of a, without big integers.
func mod97(a string) int {
	r := 0
	for i := 0; i < len(a); i++ {
		c := a[i]
		if c >= 'A' && c <= 'Z' {
			v := int(c-'A') + 10
			r = (r*100 + v) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return r
}

// bic checks a BIC's country code.
func bic(s string) bool {
	a := alnum(s)
	if len(a) != 8 && len(a) != 11 {
		return false
	}
	_, ok := ibanLength[a[4:6]]
	return ok || strings.Contains("US CA AU JP CN IN SG HK NZ ZA MX KR", a[4:6])
}

// aba checks an ABA routing number's 3-7-1 weighted checksum.
func aba(s string) bool {
	d := digits(s)
	if len(d) != 9 || repetitive(d) {
		return false
	}
	w := [9]int{3, 7, 1, 3, 7, 1, 3, 7, 1}
	sum := 0
	for i := range 9 {
		sum += int(d[i]-'0') * w[i]
	}
	return sum%10 == 0
}

// ssn rules out the numbers the SSA never issues.
func ssn(s string) bool {
	d := digits(s)
	if len(d) != 9 || repetitive(d) {
		return false
	}
	area, group, serial := d[:3], d[3:5], d[5:]
	return area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000" &&
		d != "078051120" && d != "219099999" // numbers printed on sample cards
}

// nino checks a UK National Insurance number's prefix.
func nino(s string) bool {
	a := alnum(s)
	if len(a) != 9 {
		return false
	}
	switch a[:2] {
	case "BG", "GB", "NK", "KN", "TN", "NT", "ZZ":
		return false
	}
	return !strings.ContainsAny(a[1:2], "O")
}

// nhs checks an NHS number's mod-11 check digit.
func nhs(s string) bool {
	d := digits(s)
	if len(d) != 10 || repetitive(d) {
		return false
	}
	sum := 0
	for i := range 9 {
		sum += int(d[i]-'0') * (10 - i)
	}
	c := 11 - sum%11
	if c == 11 {
		c = 0
	}
	return c != 10 && c == int(d[9]-'0')
}

func weighted(d string, w []int) int {
	sum := 0
	for i, x := range w {
		sum += int(d[i]-'0') * x
	}
	return sum
}

// tfn checks an Australian tax file number's weighted mod-11 sum.
func tfn(s string) bool {
	d := digits(s)
	switch len(d) {
	case 9:
		return weighted(d, []int{1, 4, 3, 7, 5, 8, 6, 9, 10})%11 == 0 && !repetitive(d)
	case 8:
		return weighted(d, []int{10, 7, 8, 4, 6, 3, 5, 1})%11 == 0 && !repetitive(d)
	}
	return false
}

// auMedicare checks an Australian Medicare number's check digit.
func auMedicare(s string) bool {
	d := digits(s)
	if len(d) < 10 || len(d) > 11 || d[0] < '2' || d[0] > '6' {
		return false
	}
	return weighted(d, []int{1, 3, 7, 9, 1, 3, 7, 9})%10 == int(d[8]-'0')
}

// abn checks an Australian Business Number (mod 89).
func abn(s string) bool {
	d := digits(s)
	if len(d) != 11 || d[0] == '0' {
		return false
	}
	b := []byte(d)
	b[0]--
	return weighted(string(b), []int{10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19})%89 == 0
}

var verhoeffD = [10][10]byte{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
	{3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
	{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
	{9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
}
var verhoeffP = [8][10]byte{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
	{8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
	{2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
}

// verhoeff checks a Verhoeff check digit (India's Aadhaar).
func verhoeff(d string) bool {
	if len(d) < 2 || repetitive(d) {
		return false
	}
	c := byte(0)
	for i := 0; i < len(d); i++ {
		c = verhoeffD[c][verhoeffP[i%8][d[len(d)-1-i]-'0']]
	}
	return c == 0
}

// cpf checks a Brazilian CPF's two mod-11 check digits.
func cpf(s string) bool {
	d := digits(s)
	if len(d) != 11 || repetitive(d) {
		return false
	}
	for k := 9; k <= 10; k++ {
		sum := 0
		for i := range k {
			sum += int(d[i]-'0') * (k + 1 - i)
		}
		c := sum * 10 % 11 % 10
		if c != int(d[k]-'0') {
			return false
		}
	}
	return true
}

// cnpj checks a Brazilian company number's two check digits.
func cnpj(s string) bool {
	d := digits(s)
	if len(d) != 14 || repetitive(d) {
		return false
	}
	w1 := []int{5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	w2 := append([]int{6}, w1...)
	for k, w := range [][]int{w1, w2} {
		r := weighted(d, w) % 11
		c := 0
		if r >= 2 {
			c = 11 - r
		}
		if c != int(d[12+k]-'0') {
			return false
		}
	}
	return true
}

// myNumber checks a Japanese My Number's check digit.
func myNumber(s string) bool {
	d := digits(s)
	if len(d) != 12 || repetitive(d) {
		return false
	}
	sum := 0
	for n := 1; n <= 11; n++ {
		q := n + 1
		if n > 6 {
			q = n - 5
		}
		sum += int(d[11-n]-'0') * q
	}
	c := 11 - sum%11
	if c >= 10 {
		c = 0
	}
	return c == int(d[11]-'0')
}

// cnID checks a PRC resident ID: birth date and ISO 7064 mod 11-2.
func cnID(s string) bool {
	a := alnum(s)
	if len(a) != 18 || !validDate(a[6:10], a[10:12], a[12:14]) {
		return false
	}
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, x := range w {
		if a[i] < '0' || a[i] > '9' {
			return false
		}
		sum += int(a[i]-'0') * x
	}
	return "10X98765432"[sum%11] == a[17]
}

// dni checks a Spanish DNI or NIE's check letter.
func dni(s string) bool {
	a := alnum(s)
	if len(a) != 9 {
		return false
	}
	switch a[0] {
	case 'X':
		a = "0" + a[1:]
	case 'Y':
		a = "1" + a[1:]
	case 'Z':
		a = "2" + a[1:]
	}
	n, err := strconv.Atoi(a[:8])
	return err == nil && "TRWAGMYFPDXBNJZSQVHLCKE"[n%23] == a[8]
}

// itFiscal checks an Italian codice fiscale's check character.
func itFiscal(s string) bool {
	a := alnum(s)
	if len(a) != 16 {
		return false
	}
	odd := []int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}
	sum := 0
	for i := range 15 {
		c := a[i]
		v := int(c - 'A')
		if c >= '0' && c <= '9' {
			v = int(c - '0')
		}
		if i%2 == 0 {
			sum += odd[v]
		} else {
			sum += v
		}
	}
	return byte('A'+sum%26) == a[15]
}

// icaoCheck is the 7-3-1 check digit of machine-readable documents.
func icaoCheck(a string) int {
	w := []int{7, 3, 1}
	sum := 0
	for i := 0; i < len(a); i++ {
		c := a[i]
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * w[i%3]
	}
	return sum % 10
}

// deID checks a German identity card or passport number with its check
// digit.
func deID(s string) bool {
	a := alnum(s)
	if len(a) == 11 && a[10] == 'D' {
		a = a[:10]
	}
	return len(a) == 10 && icaoCheck(a[:9]) == int(a[9]-'0')
}

// frNIR checks a French social security number's key (97 minus mod 97).
func frNIR(s string) bool {
	a := alnum(s)
	if len(a) != 15 {
		return false
	}
	body := strings.NewReplacer("2A", "19", "2B", "18").Replace(a[:13])
	n, ok := new(big.Int).SetString(body, 10)
	key, err := strconv.Atoi(a[13:])
	if !ok || err != nil {
		return false
	}
	return 97-int(new(big.Int).Mod(n, big.NewInt(97)).Int64()) == key
}

// bsn checks a Dutch citizen service number (the 11-test).
func bsn(s string) bool {
	d := digits(s)
	if len(d) != 9 || repetitive(d) {
		return false
	}
	sum := weighted(d, []int{9, 8, 7, 6, 5, 4, 3, 2}) - int(d[8]-'0')
	return sum%11 == 0
}

// beNN checks a Belgian national number (97 minus mod 97, either century).
func beNN(s string) bool {
	d := digits(s)
	if len(d) != 11 {
		return false
	}
	n, _ := strconv.ParseInt(d[:9], 10, 64)
	c, _ := strconv.ParseInt(d[9:], 10, 64)
	return 97-n%97 == c || 97-(2000000000+n)%97 == c
}

// sePNR checks a Swedish personal identity number: date and Luhn.
func sePNR(s string) bool {
	d := digits(s)
	if len(d) == 12 {
		d = d[2:]
	}
	if len(d) != 10 {
		return false
	}
	day := d[4:6]
	if day[0] >= '6' { // co-ordination numbers add 60 to the day
		day = string(day[0]-6) + day[1:]
	}
	return validDate("19"+d[:2], d[2:4], day) && luhn(d)
}

// noFNR checks a Norwegian national identity number's two check digits.
func noFNR(s string) bool {
	d := digits(s)
	if len(d) != 11 || repetitive(d) {
		return false
	}
	k1 := 11 - weighted(d, []int{3, 7, 6, 1, 8, 9, 4, 5, 2})%11
	k2 := 11 - weighted(d, []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2})%11
	if k1 == 11 {
		k1 = 0
	}
	if k2 == 11 {
		k2 = 0
	}
	return k1 == int(d[9]-'0') && k2 == int(d[10]-'0')
}

// fiHETU checks a Finnish personal identity code's check character.
func fiHETU(s string) bool {
	if len(s) != 11 {
		return false
	}
	n, err := strconv.Atoi(s[:6] + s[7:10])
	if err != nil {
		return false
	}
	c := s[10]
	if c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	return "0123456789ABCDEFHJKLMNPRSTUVWXY"[n%31] == c
}

// pesel checks a Polish PESEL's check digit.
func pesel(s string) bool {
	d := digits(s)
	if len(d) != 11 || repetitive(d) {
		return false
	}
	c := (10 - weighted(d, []int{1, 3, 7, 9, 1, 3, 7, 9, 1, 3})%10) % 10
	return c == int(d[10]-'0')
}

// dkCPR checks a Danish CPR number's date.
func dkCPR(s string) bool {
	d := digits(s)
	return len(d) == 10 && validDate("19"+d[4:6], d[2:4], d[:2])
}

// ptNIF checks a Portuguese tax number's mod-11 check digit.
func ptNIF(s string) bool {
	d := digits(s)
	if len(d) != 9 || repetitive(d) {
		return false
	}
	c := 11 - weighted(d, []int{9, 8, 7, 6, 5, 4, 3, 2})%11
	if c >= 10 {
		c = 0
	}
	return c == int(d[8]-'0')
}

// sgNRIC checks a Singapore NRIC/FIN's check letter.
func sgNRIC(s string) bool {
	a := alnum(s)
	if len(a) != 9 {
		return false
	}
	sum := weighted(a[1:8], []int{2, 7, 6, 5, 4, 3, 2})
	switch a[0] {
	case 'T', 'G':
		sum += 4
	case 'M':
		sum += 3
	}
	switch a[0] {
	case 'S', 'T':
		return "JZIHGFEDCBA"[sum%11] == a[8]
	case 'F', 'G':
		return "XWUTRQPNMLK"[sum%11] == a[8]
	case 'M':
		return "KLJNPQRTUWX"[sum%11] == a[8]
	}
	return false
}

// krRRN checks a South Korean resident registration number.
func krRRN(s string) bool {
	d := digits(s)
	if len(d) != 13 {
		return false
	}
	c := (11 - weighted(d, []int{2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5})%11) % 10
	return c == int(d[12]-'0') && validDate("19"+d[:2], d[2:4], d[4:6])
}

// ilID checks an Israeli ID number (Luhn-like over nine digits).
func ilID(s string) bool {
	d := digits(s)
	return len(d) == 9 && !repetitive(d) && luhn(d)
}

// dea checks a US DEA registration number's check digit.
func dea(s string) bool {
	a := alnum(s)
	if len(a) != 9 {
		return false
	}
	d := a[2:]
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	sum := int(d[0]-'0') + int(d[2]-'0') + int(d[4]-'0') + 2*(int(d[1]-'0')+int(d[3]-'0')+int(d[5]-'0'))
	return sum%10 == int(d[6]-'0')
}

// vin checks a vehicle identification number's check digit (position 9).
func vin(s string) bool {
	if len(s) != 17 {
		return false
	}
	tr := func(c byte) int {
		switch {
		case c >= '0' && c <= '9':
			return int(c - '0')
		case c >= 'A' && c <= 'H':
			return int(c-'A') + 1
		case c >= 'J' && c <= 'N':
			return int(c-'J') + 1
		case c == 'P':
			return 7
		case c == 'R':
			return 9
		case c >= 'S' && c <= 'Z':
			return int(c-'S') + 2
		}
		return -1
	}
	w := []int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}
	sum, digits := 0, 0
	for i := 0; i < 17; i++ {
		v := tr(s[i])
		if v < 0 {
			return false
		}
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		}
		sum += v * w[i]
	}
	c := sum % 11
	want := byte('0' + c)
	if c == 10 {
		want = 'X'
	}
	return s[8] == want && digits >= 3
}

// ipv4 accepts a dotted quad that is not a version number or a private or
// documentation address.
func ipv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4() && !a.IsUnspecified() && !a.IsLoopback() && !a.IsMulticast()
}

// ipv6 accepts a full IPv6 address (not loopback or unspecified).
func ipv6(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6() && !a.IsLoopback() && !a.IsUnspecified() && strings.Count(s, ":") >= 2
}

// exampleDomains are reserved for documentation (RFC 2606) or are
// placeholders.
var exampleDomains = []string{"example.com", "example.org", "example.net", "test.com", "domain.com", "email.com", "yourcompany.com", "company.com", "acme.com"}

// email rejects documentation and placeholder addresses.
func email(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return false
	}
	local, dom := strings.ToLower(s[:at]), strings.ToLower(s[at+1:])
	for _, e := range exampleDomains {
		if dom == e || strings.HasSuffix(dom, "."+e) {
			return false
		}
	}
	if strings.HasSuffix(dom, ".example") || strings.HasSuffix(dom, ".test") || strings.HasSuffix(dom, ".invalid") || strings.HasSuffix(dom, ".local") {
		return false
	}
	switch local {
	case "user", "username", "name", "you", "your.name", "firstname.lastname", "john.doe", "jane.doe", "noreply", "no-reply":
		return false
	}
	return true
}

// phone accepts 7 to 15 digits that are not all the same.
func phone(s string) bool {
	d := digits(s)
	if strings.Contains(s, "x") {
		d = digits(s[:strings.IndexByte(s, 'x')])
	}
	return len(d) >= 7 && len(d) <= 15 && !repetitive(d) && !strings.HasPrefix(d, "555")
}

// plausibleDate accepts day/month/year in the common orders with a year
// from 1900 to this year.
func plausibleDate(s string) bool {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' || r == ' ' })
	if len(f) != 3 {
		return false
	}
	if len(f[0]) == 4 { // ISO
		return validDate(f[0], f[1], f[2])
	}
	y := f[2]
	if len(y) == 2 {
		y = "19" + y
	}
	return validDate(y, f[0], f[1]) || validDate(y, f[1], f[0])
}

func validDate(y, m, d string) bool {
	yy, e1 := strconv.Atoi(y)
	mm, e2 := strconv.Atoi(m)
	dd, e3 := strconv.Atoi(d)
	if e1 != nil || e2 != nil || e3 != nil || yy < 1900 || yy > time.Now().Year() || mm < 1 || mm > 12 || dd < 1 {
		return false
	}
	return dd <= time.Date(yy, time.Month(mm)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

const base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// btc checks a legacy Bitcoin address's Base58Check checksum.
func btc(s string) bool {
	if len(s) < 26 || len(s) > 35 {
		return false
	}
	n := new(big.Int)
	for i := 0; i < len(s); i++ {
		k := strings.IndexByte(base58, s[i])
		if k < 0 {
			return false
		}
		n.Mul(n, big.NewInt(58)).Add(n, big.NewInt(int64(k)))
	}
	b := n.Bytes()
	for i := 0; i < len(s) && s[i] == '1'; i++ {
		b = append([]byte{0}, b...)
	}
	if len(b) != 25 {
		return false
	}
	h := sha256.Sum256(b[:21])
	h = sha256.Sum256(h[:])
	return string(h[:4]) == string(b[21:])
}

// eth accepts an Ethereum address that is not all one digit.
func eth(s string) bool {
	return len(s) == 42 && !repetitive(strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s[2:])) && strings.Trim(s[2:], "0") != ""
}

// personName rejects a value in a name's place that is not one person's
// name: one opening with a capitalised function word ("The Mcdonald, Reid
// and Martin team", "Your Account"), or naming a group or a company.
func personName(s string) bool {
	first, rest, _ := strings.Cut(s, " ")
	switch strings.ToLower(first) {
	case "the", "a", "an", "our", "your", "my", "this", "that", "these", "those", "dear", "hello", "hi", "team",
		"all", "any", "no", "none", "null", "unknown", "customer", "user", "admin", "support", "sales", "service":
		return false
	}
	for _, w := range strings.Fields(strings.ToLower(rest)) {
		switch strings.Trim(w, ".,") {
		case "team", "group", "inc", "ltd", "llc", "gmbh", "corp", "company", "department", "office", "support",
			"services", "service", "and", "&", "university", "bank", "hotel", "street", "road", "avenue":
			return false
		}
	}
	return true
}

// addressValue accepts a value of an address field that reads as a postal
// address: a number and a word of at least three letters (or a CJK
// character), not a network, hardware or wallet address.
func addressValue(s string) bool {
	s = strings.TrimSpace(s)
	letters, digits, cjk := 0, 0, false
	run, longest := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
			run = 0
		case unicode.IsLetter(r):
			letters++
			run++
			longest = max(longest, run)
			if unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana) {
				cjk = true
			}
		default:
			run = 0
		}
	}
	if digits == 0 || letters == 0 || longest < 3 && !cjk {
		return false
	}
	l := strings.ToLower(s)
	if strings.HasPrefix(l, "0x") || strings.Count(s, ".") == 3 && letters == 0 || strings.Count(s, ":") >= 2 {
		return false // hex wallet, IPv4, IPv6 or MAC
	}
	return true
}
