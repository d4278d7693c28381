package rules

import "time"

// chinaTime is UTC+8 all year (China has no daylight saving time): the
// regime's dates are calendar dates there.
var chinaTime = time.FixedZone("CST", 8*3600)

// Today returns the calendar date in China at instant t.
func Today(t time.Time) Date {
	y, m, d := t.In(chinaTime).Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}
