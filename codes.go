package rarex

import "strings"

// elementSymbols are the chemical elements by symbol: an item may name any
// of them (NdFeB magnets contain Fe and B, SmCo magnets Co).
var elementSymbols = SetOf(strings.Fields(`H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni
Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho
Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf Db Sg
Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og`))

// countryCodes are the ISO 3166-1 alpha-2 codes in use, plus XK (Kosovo),
// which customs systems use as a user-assigned code: a table by the two
// letters, since a BOM asks once per part (a map lookup cost a million-part
// file 47 ms).
var countryCodes = letterPairs(strings.Fields(`AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM
BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER
ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ
IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN
MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA
RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV
TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK`))

// letterPairs is a set of two-capital-letter codes, as a table.
func letterPairs(codes []string) *[26 * 26]bool {
	var t [26 * 26]bool
	for _, c := range codes {
		t[int(c[0]-'A')*26+int(c[1]-'A')] = true
	}
	return &t
}

// SetOf makes a set of strings.
func SetOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// IsCountry reports whether c is a known ISO 3166-1 alpha-2 code (upper case).
func IsCountry(c string) bool {
	if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
		return false
	}
	return countryCodes[int(c[0]-'A')*26+int(c[1]-'A')]
}

// IsElement reports whether s is a chemical element symbol, case as in the table.
func IsElement(s string) bool { return elementSymbols[s] }

// IsHSCode reports whether s is a customs tariff code: 4 to 10 digits.
func IsHSCode(s string) bool {
	if len(s) < 4 || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
