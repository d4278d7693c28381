package screen

import (
	"strings"

	"rarex"
)

// countryCode turns a code or an English country name into ISO 3166-1
// alpha-2 ("" when unknown). Lists spell countries both ways.
func countryCode(s string) string {
	s = strings.TrimSpace(s)
	if u := strings.ToUpper(s); rarex.IsCountry(u) {
		return u
	}
	return countryNames[strings.ToLower(s)]
}

var countryNames = map[string]string{
	"united states": "US", "usa": "US", "united states of america": "US", "japan": "JP", "china": "CN",
	"taiwan": "TW", "canada": "CA", "united kingdom": "GB", "germany": "DE", "lithuania": "LT", "france": "FR",
	"czech republic": "CZ", "czechia": "CZ", "belgium": "BE", "netherlands": "NL", "denmark": "DK", "italy": "IT",
	"poland": "PL", "sweden": "SE", "slovakia": "SK", "iceland": "IS", "bulgaria": "BG", "russia": "RU",
	"russian federation": "RU", "iran": "IR", "iran (islamic republic of)": "IR", "democratic people's republic of korea": "KP",
	"north korea": "KP", "korea, north": "KP", "south korea": "KR", "republic of korea": "KR", "syria": "SY",
	"syrian arab republic": "SY", "iraq": "IQ", "afghanistan": "AF", "pakistan": "PK", "india": "IN", "cuba": "CU",
	"venezuela": "VE", "belarus": "BY", "ukraine": "UA", "turkey": "TR", "türkiye": "TR", "united arab emirates": "AE",
	"lebanon": "LB", "yemen": "YE", "libya": "LY", "sudan": "SD", "somalia": "SO", "mali": "ML",
	"democratic republic of the congo": "CD", "central african republic": "CF", "south sudan": "SS", "hong kong": "HK",
	"singapore": "SG", "malaysia": "MY", "switzerland": "CH", "austria": "AT", "spain": "ES", "mexico": "MX",
	"panama": "PA", "colombia": "CO", "saudi arabia": "SA", "qatar": "QA", "kuwait": "KW", "jordan": "JO",
	"egypt": "EG", "israel": "IL", "philippines": "PH", "indonesia": "ID", "vietnam": "VN", "viet nam": "VN",
	"thailand": "TH", "myanmar": "MM", "burma": "MM", "nicaragua": "NI", "zimbabwe": "ZW", "eritrea": "ER",
	"kazakhstan": "KZ", "kyrgyzstan": "KG", "uzbekistan": "UZ", "armenia": "AM", "georgia": "GE", "cyprus": "CY",
	"greece": "GR", "serbia": "RS", "bosnia and herzegovina": "BA", "australia": "AU", "new zealand": "NZ",
	"brazil": "BR", "argentina": "AR", "nigeria": "NG", "kenya": "KE", "ethiopia": "ET", "tunisia": "TN", "algeria": "DZ",
	"morocco": "MA", "bahrain": "BH", "oman": "OM", "ireland": "IE", "norway": "NO", "finland": "FI", "estonia": "EE",
	"latvia": "LV", "moldova": "MD", "romania": "RO", "hungary": "HU", "european union": "EU", "eu": "EU",
}
