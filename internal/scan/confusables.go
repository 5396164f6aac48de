package scan

//go:generate go run -C ../../tools ./genconfusables ../internal/scan/confusables_table.go

// lookalike returns the ASCII letter r is confusable with, or 0: the
// hand-made table first (it settles the l/I ambiguity the way lowercase
// text reads), then every UTS #39 skeleton that is one ASCII letter or digit.
func lookalike(r rune) byte {
	if r < 0x80 {
		return 0
	}
	if c := confusable[r]; c != 0 {
		return c
	}
	return skeletons[r]
}

// confusable maps letters of other scripts that look like Latin letters to
// those letters: the UTS #39 confusables that matter for hiding English
// words ("іgnоre" spelled with Cyrillic і and о). NFKC has already folded
// fullwidth and mathematical forms. The table is applied only inside words
// that also hold ASCII letters, so Russian or Greek text stays itself and
// the rules written in those scripts still match it.
var confusable = map[rune]byte{
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c', 'т': 't',
	'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ї': 'i', 'ј': 'j', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'һ': 'h', 'ɡ': 'g',
	'А': 'a', 'В': 'b', 'Е': 'e', 'К': 'k', 'М': 'm', 'Н': 'h', 'О': 'o', 'Р': 'p', 'С': 'c', 'Т': 't', 'У': 'y',
	'Х': 'x', 'Ѕ': 's', 'І': 'i', 'Ј': 'j',
	// Greek
	'α': 'a', 'ο': 'o', 'ε': 'e', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'γ': 'y',
	'Α': 'a', 'Β': 'b', 'Ε': 'e', 'Ζ': 'z', 'Η': 'h', 'Ι': 'i', 'Κ': 'k', 'Μ': 'm', 'Ν': 'n', 'Ο': 'o', 'Ρ': 'p',
	'Τ': 't', 'Υ': 'y', 'Χ': 'x',
	// Armenian and others
	'օ': 'o', 'ս': 'u', 'ց': 'g', 'ո': 'n', 'զ': 'q', 'ı': 'i', 'ȷ': 'j', 'ℓ': 'l',
}

// mixedWord reports whether the word around byte i of s (up to the next
// ASCII non-letter on each side) holds an ASCII letter, looking at most 64
// bytes each way.
func mixedWord(s string, i, size int) bool {
	for j := i - 1; j >= 0 && j >= i-64; j-- {
		c := s[j]
		if c < 0x80 {
			if c|0x20 >= 'a' && c|0x20 <= 'z' {
				return true
			}
			break
		}
	}
	for j := i + size; j < len(s) && j < i+size+64; j++ {
		c := s[j]
		if c < 0x80 {
			if c|0x20 >= 'a' && c|0x20 <= 'z' {
				return true
			}
			break
		}
	}
	return false
}
