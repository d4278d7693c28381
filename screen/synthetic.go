package screen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Synthetic makes n list entries with realistic names, reproducibly from
// seed: companies of two to five words (place, invented stem, trade word,
// legal form) and people of two or three names, for benchmarks at sizes no
// real list has.
func Synthetic(n int, seed uint64) []Entry {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	syll := strings.Fields("ka ri to mo na shi ven tal cor bex dra lin qua zen sor mek pol far gun hei ro sa ti vo el an ur is ba de ju xo")
	places := strings.Fields("Shanghai Harbin Dubai Tehran Moscow Almaty Busan Osaka Lagos Lima Minsk Baku Tashkent Karachi Caracas Havana Hamburg Rotterdam Singapore Penang")
	trades := strings.Fields("Trading Industries Technology Shipping Logistics Holdings Energy Metals Electronics Engineering Import Export Aviation Chemical Precision Materials Magnetics Minerals Resources Systems")
	forms := []string{"Co., Ltd.", "LLC", "GmbH", "S.A.", "Limited", "Corp.", "JSC", "FZE", ""}
	given := strings.Fields("Ali Hassan Mohammed Ivan Sergei Olga Wei Li Chen Kim Park Juan Maria Ahmad Reza Fatima Yusuf Dmitri Elena Omar")
	word := func() string {
		var b strings.Builder
		for k := 2 + rng.IntN(2); k > 0; k-- {
			b.WriteString(syll[rng.IntN(len(syll))])
		}
		w := b.String()
		return strings.ToUpper(w[:1]) + w[1:]
	}
	out := make([]Entry, n)
	for i := range out {
		e := Entry{ID: fmt.Sprintf("syn-%d", i), Source: "synthetic", List: "Synthetic", Meaning: Sanctions}
		if rng.IntN(3) == 0 {
			e.Type = Person
			e.Names = []string{given[rng.IntN(len(given))] + " " + word() + " " + word()}
		} else {
			e.Type = Organisation
			parts := []string{}
			if rng.IntN(2) == 0 {
				parts = append(parts, places[rng.IntN(len(places))])
			}
			parts = append(parts, word())
			if rng.IntN(2) == 0 {
				parts = append(parts, word())
			}
			parts = append(parts, trades[rng.IntN(len(trades))])
			if f := forms[rng.IntN(len(forms))]; f != "" {
				parts = append(parts, f)
			}
			e.Names = []string{strings.Join(parts, " ")}
		}
		out[i] = e
	}
	return out
}
