// Package workdays counts working days on China's official calendar, where
// statutory deadlines run: weekdays, less public holidays, plus the
// make-up working days the State Council sets each year. The calendar is
// data (data/cn.yaml) with the notice behind each year.
package workdays

import (
	"bytes"
	_ "embed"
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"

	"rarex/rules"
)

//go:embed data/cn.yaml
var cnYAML []byte

// Calendar knows which days are working days.
type Calendar struct {
	Country string `yaml:"country"`
	Years   []Year `yaml:"years"`

	off, on map[string]bool // holidays; make-up working days
	known   map[int]bool    // years with a notice
}

// Year is one year's notice.
type Year struct {
	Year     int          `yaml:"year"`
	Notice   string       `yaml:"notice"`
	Source   string       `yaml:"source"`
	Holidays []Holiday    `yaml:"holidays"`
	Working  []rules.Date `yaml:"working"`
}

// Holiday is a run of days off.
type Holiday struct {
	From rules.Date `yaml:"from"`
	To   rules.Date `yaml:"to"`
	Name string     `yaml:"name"`
}

// China returns the shipped calendar.
func China() (*Calendar, error) { return Load(cnYAML, "workdays/data/cn.yaml") }

// Load reads a calendar, refusing unknown fields, overlapping or
// misplaced days and years without a source.
func Load(b []byte, file string) (*Calendar, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var c Calendar
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	c.off, c.on, c.known = map[string]bool{}, map[string]bool{}, map[int]bool{}
	for _, y := range c.Years {
		if y.Source == "" || y.Notice == "" {
			return nil, fmt.Errorf("%s: %d: notice and source are required", file, y.Year)
		}
		if c.known[y.Year] {
			return nil, fmt.Errorf("%s: %d is listed twice", file, y.Year)
		}
		c.known[y.Year] = true
		for _, h := range y.Holidays {
			if h.To.Before(h.From.Time) || h.From.Year() != y.Year && h.To.Year() != y.Year {
				return nil, fmt.Errorf("%s: %d: holiday %s %s–%s is not a run of days in that year", file, y.Year, h.Name, h.From, h.To)
			}
			for d := h.From.Time; !d.After(h.To.Time); d = d.AddDate(0, 0, 1) {
				c.off[d.Format(time.DateOnly)] = true
			}
		}
		for _, w := range y.Working {
			if wd := w.Weekday(); wd != time.Saturday && wd != time.Sunday {
				return nil, fmt.Errorf("%s: %d: make-up working day %s is a weekday already", file, y.Year, w)
			}
			if c.off[w.String()] {
				return nil, fmt.Errorf("%s: %d: %s is both a holiday and a working day", file, y.Year, w)
			}
			c.on[w.String()] = true
		}
	}
	return &c, nil
}

// Known reports whether the calendar has the notice for year.
func (c *Calendar) Known(year int) bool { return c.known[year] }

// IsWorkingDay reports whether d is a working day.
func (c *Calendar) IsWorkingDay(d rules.Date) bool {
	k := d.String()
	if c.on[k] {
		return true
	}
	if c.off[k] {
		return false
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Interval is a run of days [From, To] (To zero: still open).
type Interval struct{ From, To rules.Date }

// Due returns the day the n-th working day after start falls on (start
// itself does not count), skipping days inside pauses (a request for
// information stops the clock until it is answered). assumed is true when
// the count ran through a year the calendar has no notice for. stopped is
// true, and due zero, when an open pause holds the clock before the n-th day.
func (c *Calendar) Due(start rules.Date, n int, pauses []Interval) (due rules.Date, assumed, stopped bool) {
	d := start.Time
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		day := rules.Date{Time: d}
		for _, p := range pauses {
			if p.To.IsZero() && !d.Before(p.From.Time) {
				return rules.Date{}, assumed, true
			}
		}
		if paused(day, pauses) || !c.IsWorkingDay(day) {
			continue
		}
		if !c.known[d.Year()] {
			assumed = true
		}
		n--
	}
	return rules.Date{Time: d}, assumed, false
}

// Between counts the working days after from up to and including to,
// outside pauses.
func (c *Calendar) Between(from, to rules.Date, pauses []Interval) int {
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to.Time); d = d.AddDate(0, 0, 1) {
		day := rules.Date{Time: d}
		if !paused(day, pauses) && c.IsWorkingDay(day) {
			n++
		}
	}
	return n
}

func paused(d rules.Date, pauses []Interval) bool {
	for _, p := range pauses {
		if !d.Before(p.From.Time) && (p.To.IsZero() || !d.After(p.To.Time)) {
			return true
		}
	}
	return false
}
