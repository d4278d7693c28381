// Package monitor computes the supply-stability indicators a neutral
// overseer reads first: concentration (HHI, top-1 and top-3 shares) per
// stage and year with its band under each merger-guideline edition, from
// shipped facts that name their source and edition. Values the sources do
// not give are reported missing, never estimated. The package holds no
// I/O beyond reading its embedded data.
package monitor

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"sort"
	"strconv"

	"go.yaml.in/yaml/v3"
)

//go:embed data/facts.yaml
var factsYAML []byte

// Facts are the shipped market facts.
type Facts struct {
	Production []Production `yaml:"production" json:"production"`
	Reserves   struct {
		Unit      string           `yaml:"unit" json:"unit"`
		Edition   string           `yaml:"edition" json:"edition"`
		Source    string           `yaml:"source" json:"source"`
		Countries map[string]int64 `yaml:"countries" json:"countries"`
		Missing   []string         `yaml:"missing" json:"missing"`
	} `yaml:"reserves" json:"reserves"`
	Shares []ShareSet `yaml:"shares" json:"shares"`
	Prices struct {
		Unit      string                     `yaml:"unit" json:"unit"`
		Edition   string                     `yaml:"edition" json:"edition"`
		Source    string                     `yaml:"source" json:"source"`
		Secondary []string                   `yaml:"secondary" json:"secondary,omitempty"`
		Series    map[string]map[int]float64 `yaml:"series" json:"series"`
	} `yaml:"prices" json:"prices"`
	Demand struct {
		Unit   string        `yaml:"unit" json:"unit"`
		Points []DemandPoint `yaml:"points" json:"points"`
	} `yaml:"demand" json:"demand"`
	Exports    []TradeFlow `yaml:"exports" json:"exports"`
	Benchmarks struct {
		Edition string      `yaml:"edition" json:"edition"`
		Source  string      `yaml:"source" json:"source"`
		Year    int         `yaml:"year" json:"year"`
		Items   []Benchmark `yaml:"items" json:"items"`
	} `yaml:"benchmarks" json:"benchmarks"`
	HHIBands []Bands `yaml:"hhi_bands" json:"hhi_bands"`
}

// Production is output by country, in tonnes, for one stage.
type Production struct {
	Stage     string   `yaml:"stage" json:"stage"`
	Unit      string   `yaml:"unit" json:"unit"`
	Edition   string   `yaml:"edition" json:"edition"`
	Source    string   `yaml:"source" json:"source"`
	Secondary []string `yaml:"secondary" json:"secondary,omitempty"`
	Years     []struct {
		Year         int              `yaml:"year" json:"year"`
		World        int64            `yaml:"world" json:"world,omitempty"`
		WorldMissing bool             `yaml:"world_missing" json:"world_missing,omitempty"`
		Countries    map[string]int64 `yaml:"countries" json:"countries"`
		Note         string           `yaml:"note" json:"note,omitempty"`
	} `yaml:"years" json:"years"`
}

// ShareSet is percentage shares by country for one stage and year.
type ShareSet struct {
	Stage     string             `yaml:"stage" json:"stage"`
	Year      int                `yaml:"year" json:"year"`
	Scenario  string             `yaml:"scenario" json:"scenario,omitempty"`
	Edition   string             `yaml:"edition" json:"edition"`
	Source    string             `yaml:"source" json:"source"`
	Kind      string             `yaml:"kind" json:"kind,omitempty"` // S: a secondary page quoting the publisher
	Countries map[string]float64 `yaml:"countries" json:"countries"`
}

// DemandPoint is one magnet-REE demand figure.
type DemandPoint struct {
	Label   string  `yaml:"label" json:"label"`
	Value   float64 `yaml:"value" json:"value,omitempty"`
	Missing bool    `yaml:"missing" json:"missing,omitempty"`
	Note    string  `yaml:"note" json:"note,omitempty"`
	Source  string  `yaml:"source" json:"source,omitempty"`
	Edition string  `yaml:"edition" json:"edition,omitempty"`
	Kind    string  `yaml:"kind" json:"kind,omitempty"`
}

// TradeFlow is one reported trade figure.
type TradeFlow struct {
	Flow       string  `yaml:"flow" json:"flow"`
	Year       int     `yaml:"year" json:"year"`
	Tonnes     float64 `yaml:"tonnes" json:"tonnes"`
	USDMillion float64 `yaml:"usd_million" json:"usd_million,omitempty"`
	Source     string  `yaml:"source" json:"source"`
	Kind       string  `yaml:"kind" json:"kind,omitempty"`
}

// Benchmark is an EU CRM Act 2030 target.
type Benchmark struct {
	ID    string  `yaml:"id" json:"id"`
	Text  string  `yaml:"text" json:"text"`
	Value float64 `yaml:"value" json:"value"`
	Unit  string  `yaml:"unit" json:"unit"`
	Max   bool    `yaml:"max" json:"max,omitempty"` // a ceiling, not a floor
}

// Bands are an edition's HHI thresholds: moderate from Moderate, high above High.
type Bands struct {
	Edition  string  `yaml:"edition" json:"edition"`
	Moderate float64 `yaml:"moderate" json:"moderate"`
	High     float64 `yaml:"high" json:"high"`
	Source   string  `yaml:"source" json:"source"`
}

// Shipped returns the embedded facts, checked.
func Shipped() (*Facts, error) { return Load(factsYAML, "monitor/data/facts.yaml") }

// Load reads facts YAML, refusing unknown fields, and checks them.
func Load(b []byte, file string) (*Facts, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var f Facts
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	for _, p := range f.Production {
		if p.Source == "" || p.Edition == "" {
			return nil, fmt.Errorf("%s: production %s: source and edition are required", file, p.Stage)
		}
		for _, y := range p.Years {
			var sum int64
			for c, v := range y.Countries {
				if v < 0 {
					return nil, fmt.Errorf("%s: production %s %d: %s is negative", file, p.Stage, y.Year, c)
				}
				sum += v
			}
			// Country figures are rounded: allow them to exceed the world total by 1%.
			if y.World > 0 && float64(sum) > 1.01*float64(y.World) {
				return nil, fmt.Errorf("%s: production %s %d: countries add up to %d, over the world total %d", file, p.Stage, y.Year, sum, y.World)
			}
		}
	}
	for _, s := range f.Shares {
		var sum float64
		for _, v := range s.Countries {
			sum += v
		}
		if s.Source == "" || sum > 100.5 {
			return nil, fmt.Errorf("%s: shares %s %d: a source is required and shares may not exceed 100%% (%g)", file, s.Stage, s.Year, sum)
		}
	}
	if len(f.HHIBands) == 0 {
		return nil, fmt.Errorf("%s: hhi_bands: at least one edition is required", file)
	}
	return &f, nil
}

// HHI is the Herfindahl-Hirschman index of percentage shares: Σ share²,
// from 0 to 10,000. A share not given (the rest of the world) is left out,
// so the index is a lower bound when the shares do not cover 100%.
func HHI(shares map[string]float64) float64 {
	var h float64
	for _, s := range shares {
		h += s * s
	}
	return h
}

// Band names the concentration of an HHI under an edition's thresholds.
func (b Bands) Band(hhi float64) string {
	switch {
	case hhi > b.High:
		return "high"
	case hhi >= b.Moderate:
		return "moderate"
	}
	return "unconcentrated"
}

// Concentration is one stage-year's concentration.
type Concentration struct {
	Stage    string             `json:"stage"`
	Year     int                `json:"year"`
	Scenario string             `json:"scenario,omitempty"`
	Shares   map[string]float64 `json:"shares"`  // percent, by country
	Covered  float64            `json:"covered"` // percent of the world the shares cover
	HHI      float64            `json:"hhi"`     // a lower bound when covered < 100
	Top1     float64            `json:"top1"`
	Top1Of   string             `json:"top1_country"`
	Top3     float64            `json:"top3"`
	Bands    map[string]string  `json:"bands"` // edition → band
	Edition  string             `json:"edition"`
	Source   string             `json:"source"`
	Missing  string             `json:"missing,omitempty"` // why it could not be computed
}

// Concentrations computes every stage-year the facts allow: mine output
// as shares of the world total, and the published share sets.
func (f *Facts) Concentrations() []Concentration {
	var out []Concentration
	for _, p := range f.Production {
		for _, y := range p.Years {
			c := Concentration{Stage: p.Stage, Year: y.Year, Edition: p.Edition, Source: p.Source}
			if y.World <= 0 {
				c.Missing = "no world total for " + strconv.Itoa(y.Year) + " in " + p.Edition + "; shares would be guessed"
				out = append(out, c)
				continue
			}
			c.Shares = map[string]float64{}
			for country, v := range y.Countries {
				c.Shares[country] = 100 * float64(v) / float64(y.World)
			}
			f.finish(&c)
			out = append(out, c)
		}
	}
	for _, s := range f.Shares {
		c := Concentration{Stage: s.Stage, Year: s.Year, Scenario: s.Scenario, Edition: s.Edition, Source: s.Source, Shares: map[string]float64{}}
		for k, v := range s.Countries {
			c.Shares[k] = v
		}
		f.finish(&c)
		out = append(out, c)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Stage != out[b].Stage {
			return stageOrder(out[a].Stage) < stageOrder(out[b].Stage)
		}
		return out[a].Year < out[b].Year
	})
	return out
}

func stageOrder(s string) int {
	switch s {
	case "mining":
		return 0
	case "separation":
		return 1
	case "refining":
		return 2
	case "magnets":
		return 3
	}
	return 4
}

// finish fills the index, top shares and bands from c.Shares.
func (f *Facts) finish(c *Concentration) {
	type kv struct {
		k string
		v float64
	}
	var list []kv
	for k, v := range c.Shares {
		list = append(list, kv{k, v})
		c.Covered += v
	}
	sort.Slice(list, func(a, b int) bool {
		if list[a].v != list[b].v {
			return list[a].v > list[b].v
		}
		return list[a].k < list[b].k
	})
	for i, e := range list {
		if i == 0 {
			c.Top1, c.Top1Of = e.v, e.k
		}
		if i < 3 {
			c.Top3 += e.v
		}
	}
	c.HHI = HHI(c.Shares)
	c.Covered, c.HHI, c.Top1, c.Top3 = round1(c.Covered), math.Round(c.HHI), round1(c.Top1), round1(c.Top3)
	for k, v := range c.Shares {
		c.Shares[k] = round1(v)
	}
	c.Bands = map[string]string{}
	for _, b := range f.HHIBands {
		c.Bands[b.Edition] = b.Band(c.HHI)
	}
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
