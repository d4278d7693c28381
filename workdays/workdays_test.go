package workdays

import (
	"strings"
	"testing"

	"rarex/rules"
)

func day(s string) rules.Date { d, _ := rules.ParseDate(s); return d }

func TestShippedCalendar(t *testing.T) {
	c, err := China()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		d    string
		work bool
	}{
		{"2025-01-26", true},  // a Sunday worked before the Spring Festival
		{"2025-01-28", false}, // New Year's Eve, off
		{"2025-02-04", false},
		{"2025-02-05", true},
		{"2025-02-08", true}, // a Saturday worked
		{"2025-10-08", false},
		{"2025-10-11", true},
		{"2026-02-14", true}, // Saturday, worked
		{"2026-02-23", false},
		{"2026-02-24", true},
		{"2026-02-28", true},
		{"2026-03-01", false}, // an ordinary Sunday
		{"2026-10-07", false},
		{"2026-10-10", true},
		{"2027-01-01", true}, // 2027 has no notice yet: a Friday counts as a weekday
	} {
		if got := c.IsWorkingDay(day(x.d)); got != x.work {
			t.Errorf("%s: working = %v, want %v", x.d, got, x.work)
		}
	}
	// February 2026: 20 weekdays, 6 of them in the Spring Festival, and 2 Saturdays worked.
	if n := c.Between(day("2026-01-31"), day("2026-02-28"), nil); n != 16 {
		t.Errorf("working days in February 2026: %d, want 16", n)
	}
}

// TestDue: the due dates a 45-working-day review and shorter clocks give,
// checked against an independent count.
func TestDue(t *testing.T) {
	c, _ := China()
	for _, x := range []struct {
		start   string
		n       int
		pauses  []Interval
		want    string
		assumed bool
	}{
		{"2026-01-15", 45, nil, "2026-03-25", false}, // over the Spring Festival
		{"2026-09-15", 45, nil, "2026-11-23", false}, // over the National Day week
		{"2026-02-10", 10, nil, "2026-03-02", false},
		{"2026-02-13", 1, nil, "2026-02-14", false}, // a Saturday worked
		{"2026-02-14", 1, nil, "2026-02-24", false},
		{"2026-03-02", 5, nil, "2026-03-09", false},
		{"2026-03-02", 5, []Interval{{day("2026-03-03"), day("2026-03-05")}}, "2026-03-12", false}, // a request for information stops the clock
		{"2026-12-20", 3, nil, "2026-12-23", false},
		{"2026-12-30", 5, nil, "2027-01-06", true}, // runs into a year with no notice
	} {
		got, assumed, stopped := c.Due(day(x.start), x.n, x.pauses)
		if got.String() != x.want || assumed != x.assumed || stopped {
			t.Errorf("Due(%s, %d) = %s (assumed %v), want %s (%v)", x.start, x.n, got, assumed, x.want, x.assumed)
		}
	}
	// An open pause holds the clock until it is answered: no due date yet,
	// and no day counts after it begins.
	open := []Interval{{From: day("2026-03-04")}}
	if got, _, stopped := c.Due(day("2026-03-02"), 5, open); !stopped || !got.IsZero() {
		t.Errorf("an open pause gave a due date %s", got)
	}
	if n := c.Between(day("2026-03-02"), day("2026-12-31"), open); n != 1 {
		t.Errorf("%d days counted across an open pause, want 1 (3 March)", n)
	}
}

func TestLoadRefusesBadCalendars(t *testing.T) {
	for _, x := range []struct{ yaml, want string }{
		{"years:\n  - {year: 2026, notice: n, source: s, working: [2026-03-02]}\n", "weekday already"},
		{"years:\n  - {year: 2026, notice: n, source: s, holidays: [{from: 2026-02-14, to: 2026-02-15, name: x}], working: [2026-02-14]}\n", "both a holiday"},
		{"years:\n  - {year: 2026, notice: n}\n", "source"},
		{"years:\n  - {year: 2026, notice: n, source: s}\n  - {year: 2026, notice: n, source: s}\n", "twice"},
		{"years:\n  - {year: 2026, notice: n, source: s, holidays: [{from: 2026-02-15, to: 2026-02-10, name: x}]}\n", "not a run"},
		{"colour: red\n", "colour"},
	} {
		if _, err := Load([]byte(x.yaml), "c.yaml"); err == nil || !strings.Contains(err.Error(), x.want) {
			t.Errorf("%q: err = %v, want %q", x.yaml, err, x.want)
		}
	}
}

// BenchmarkDue: a 45-working-day deadline across the Spring Festival with a pause.
func BenchmarkDue(b *testing.B) {
	c, err := China()
	if err != nil {
		b.Fatal(err)
	}
	start, _ := rules.ParseDate("2026-01-20")
	from, _ := rules.ParseDate("2026-03-02")
	to, _ := rules.ParseDate("2026-03-06")
	pauses := []Interval{{From: from, To: to}}
	for b.Loop() {
		c.Due(start, 45, pauses)
	}
}
