package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"rarex"
)

// Decimal is an exact decimal number read from JSON, so shares compared
// with a threshold are never off by binary rounding.
type Decimal struct {
	Rat *big.Rat
	s   string
}

// NewDecimal parses a decimal string such as "12.50".
// Exponents are bounded: 1e999999999 would otherwise make a huge integer.
func NewDecimal(s string) (Decimal, error) {
	if !decimalSyntax.MatchString(s) || len(s) > 64 {
		return Decimal{}, fmt.Errorf("%q is not a decimal number", s)
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		if exp, err := strconv.Atoi(s[i+1:]); err != nil || exp < -30 || exp > 30 {
			return Decimal{}, fmt.Errorf("%q: exponent out of range", s)
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return Decimal{}, fmt.Errorf("%q is not a decimal number", s)
	}
	return Decimal{Rat: r, s: s}, nil
}

var decimalSyntax = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// DecimalFromRat wraps an exact value computed elsewhere (a BOM roll-up).
func DecimalFromRat(r *big.Rat) Decimal {
	return Decimal{Rat: new(big.Rat).Set(r), s: strings.TrimRight(strings.TrimRight(r.FloatString(12), "0"), ".")}
}

// UnmarshalJSON accepts a JSON number or a string holding one.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := NewDecimal(s)
	if err != nil {
		// A type error gets the field path from encoding/json.
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[Decimal]()}
	}
	*d = v
	return nil
}

// JSONKind names the type in decoding errors.
func (Decimal) JSONKind() string { return "a decimal number" }

// MarshalJSON writes the number as given.
func (d Decimal) MarshalJSON() ([]byte, error) {
	if d.Rat == nil {
		return []byte("null"), nil
	}
	return []byte(d.s), nil
}

// String returns the decimal text.
func (d Decimal) String() string { return d.s }

// Float returns the value as a float64, for display.
func (d Decimal) Float() float64 {
	if d.Rat == nil {
		return 0
	}
	f, _ := d.Rat.Float64()
	return f
}

// Request asks whether an export needs a licence. docs/determination.md
// documents each field.
type Request struct {
	Date           string          `json:"date"`
	ShipFrom       string          `json:"ship_from"`
	Destination    string          `json:"destination"`
	Item           Item            `json:"item"`
	EndUser        EndUser         `json:"end_user"`
	EndUse         EndUse          `json:"end_use"`
	Exporter       Exporter        `json:"exporter"`
	Interpretation string          `json:"interpretation"`
	BOM            json.RawMessage `json:"bom,omitempty"`
}

// Item is what is exported.
type Item struct {
	Description              string   `json:"description"`
	Class                    string   `json:"class"`
	Elements                 []string `json:"elements"`
	HSCode                   string   `json:"hs_code"`
	Origin                   string   `json:"origin"`
	CNTechnology             []string `json:"cn_technology"`
	Value                    *Decimal `json:"value"`
	Quantity                 *Decimal `json:"quantity"`
	Unit                     string   `json:"unit"`
	CNControlledContentValue *Decimal `json:"cn_controlled_content_value"`
}

// EndUser is who will use the item.
type EndUser struct {
	Name      string   `json:"name"`
	Country   string   `json:"country"`
	Type      string   `json:"type"`
	Lists     []string `json:"lists"`
	Validated bool     `json:"validated"` // on the authority's validated end-user register
}

// EndUse is what the item will be used for.
type EndUse struct {
	Category    string `json:"category"`
	Description string `json:"description"`
}

// Exporter describes the applicant, for green-channel eligibility.
type Exporter struct {
	Name                string `json:"name"`
	ComplianceProgramme bool   `json:"compliance_programme"`
}

// MaxRequestBytes bounds a determination request body.
const MaxRequestBytes = 1 << 20

// DecodeRequest reads one JSON request strictly: unknown fields, trailing
// data and wrong types are EINVALID errors naming the field.
func DecodeRequest(r io.Reader) (Request, error) {
	var req Request
	err := rarex.DecodeJSON(io.LimitReader(r, MaxRequestBytes+1), &req, "request")
	if err != nil && rarex.ErrorCode(err) != rarex.EINVALID {
		err = rarex.Errorf(rarex.EINVALID, "request: %v", err)
	}
	return req, err
}
