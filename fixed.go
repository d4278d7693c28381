package rarex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Quantity is an amount of goods in thousandths of its unit, and Money an
// amount in hundredths of its currency. Licence limits and draw-downs are
// compared in these integers, so no rounding can let a shipment through
// that exceeds what remains.
type (
	Quantity int64
	Money    int64
)

// maxFixedWhole bounds the whole part, far below int64 overflow even when
// thousands of shipments are summed.
const maxFixedWhole = 1_000_000_000_000

// ParseQuantity reads a non-negative decimal with at most three decimals.
func ParseQuantity(s string) (Quantity, error) {
	n, err := parseFixed(s, 3)
	return Quantity(n), err
}

// ParseMoney reads a non-negative decimal with at most two decimals.
func ParseMoney(s string) (Money, error) {
	n, err := parseFixed(s, 2)
	return Money(n), err
}

func parseFixed(s string, scale int) (int64, error) {
	s = strings.TrimSpace(s)
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (dot && frac == "") {
		return 0, fmt.Errorf("%q is not a decimal number", s)
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				if part[i] == '-' {
					return 0, fmt.Errorf("%q must not be negative", s)
				}
				return 0, fmt.Errorf("%q is not a decimal number", s)
			}
		}
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > scale {
		return 0, fmt.Errorf("%q has more than %d decimals", s, scale)
	}
	w, err := strconv.ParseInt(strings.TrimLeft(whole, "0")+"0", 10, 64)
	if err != nil || w/10 > maxFixedWhole {
		return 0, fmt.Errorf("%q is too large", s)
	}
	w /= 10
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
		for i := len(frac); i < scale; i++ {
			f *= 10
		}
	}
	unit := int64(1)
	for range scale {
		unit *= 10
	}
	return w*unit + f, nil
}

func formatFixed(n int64, scale int) string {
	neg := n < 0
	if neg {
		n = -n
	}
	unit := int64(1)
	for range scale {
		unit *= 10
	}
	s := strconv.FormatInt(n/unit, 10)
	if f := n % unit; f != 0 {
		fs := strconv.FormatInt(f+unit, 10)[1:]
		s += "." + strings.TrimRight(fs, "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

func (q Quantity) String() string { return formatFixed(int64(q), 3) }
func (m Money) String() string    { return formatFixed(int64(m), 2) }

// Float returns the amount in whole units, for display and statistics.
func (q Quantity) Float() float64 { return float64(q) / 1000 }

// Float returns the amount in whole currency units, for display and statistics.
func (m Money) Float() float64 { return float64(m) / 100 }

// MarshalJSON writes the amount as a decimal string, so no client parses it as a float.
func (q Quantity) MarshalJSON() ([]byte, error) { return json.Marshal(q.String()) }

// MarshalJSON writes the amount as a decimal string.
func (m Money) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

// UnmarshalJSON accepts a decimal string or a JSON number.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	n, err := unmarshalFixed(b, 3)
	if err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[Quantity]()}
	}
	*q = Quantity(n)
	return nil
}

// UnmarshalJSON accepts a decimal string or a JSON number.
func (m *Money) UnmarshalJSON(b []byte) error {
	n, err := unmarshalFixed(b, 2)
	if err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[Money]()}
	}
	*m = Money(n)
	return nil
}

// A bad amount is reported as a type error, so the decoder names its field.
func unmarshalFixed(b []byte, scale int) (int64, error) {
	s := string(bytes.TrimSpace(b))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, err
		}
	}
	return parseFixed(s, scale)
}

// JSONKind names the type in decoding errors.
func (Quantity) JSONKind() string { return "a non-negative decimal with at most 3 decimals" }

// JSONKind names the type in decoding errors.
func (Money) JSONKind() string { return "a non-negative decimal with at most 2 decimals" }
