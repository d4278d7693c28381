package licensing

import (
	"bytes"
	"encoding/json"
	"testing"

	"rarex"
	"rarex/rules"
)

// FuzzApplicationBody feeds arbitrary JSON through the API's decoder and
// the validator: neither may panic, and a body they accept survives a
// round trip through its stored form unchanged.
func FuzzApplicationBody(f *testing.F) {
	good, _ := json.Marshal(magnetBody())
	f.Add(good)
	f.Add([]byte(`{"lines":[{"quantity":"1.0005"}]}`))
	f.Add([]byte(`{"lines":[{"quantity":-1,"value":"1e9"}],"validity_months":1e99}`))
	f.Add([]byte(`{"end_user":{"name":"\u0000"},"intermediaries":[{}]}`))
	regs, err := rules.Shipped()
	if err != nil {
		f.Fatal(err)
	}
	proc, err := Shipped()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var b rarex.ApplicationBody
		if err := rarex.DecodeJSON(bytes.NewReader(data), &b, "body"); err != nil {
			if rarex.ErrorCode(err) != rarex.EINVALID {
				t.Fatalf("decode error of code %s: %v", rarex.ErrorCode(err), err)
			}
			return
		}
		if err := ValidateBody(regs[0], proc, &b); err != nil {
			if rarex.ErrorCode(err) != rarex.EINVALID {
				t.Fatalf("validate error of code %s: %v", rarex.ErrorCode(err), err)
			}
			return
		}
		q, v := Totals(&b)
		if q <= 0 || v <= 0 {
			t.Fatalf("accepted body totals %s, %s", q, v)
		}
		stored, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		var back rarex.ApplicationBody
		if err := json.Unmarshal(stored, &back); err != nil {
			t.Fatalf("stored form does not read back: %v", err)
		}
		again, _ := json.Marshal(back)
		if !bytes.Equal(stored, again) {
			t.Fatalf("round trip changed the body:\n%s\n%s", stored, again)
		}
	})
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"0", "0.01", "12.5", "1.005", "-0", "007.10", "999999999999.99", "1,000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := rarex.ParseMoney(s)
		if err != nil {
			return
		}
		back, err := rarex.ParseMoney(m.String())
		if err != nil || back != m || m < 0 {
			t.Fatalf("%q → %s → %d (%v)", s, m, back, err)
		}
	})
}

func BenchmarkDeadlines(b *testing.B) {
	env := testEnv(b, "2026-01-05")
	a := &rarex.Application{State: rarex.AppUnderReview, ClockStart: "2026-01-05", Green: true,
		Pauses: []rarex.Pause{{From: "2026-02-02", To: "2026-02-10"}, {From: "2026-03-02", To: "2026-03-04"}}}
	env.advance(60)
	for b.Loop() {
		Deadlines(a, env)
	}
}

func BenchmarkAssess(b *testing.B) {
	env := testEnv(b, "2026-03-02")
	regs, _ := rules.Shipped()
	body := magnetBody()
	history := make([]rarex.AppLine, 500)
	for i := range history {
		history[i] = rarex.AppLine{Class: "magnet_ndfeb", Unit: "kg", Quantity: rarex.Quantity(1000 * (i + 1))}
	}
	validated := make([]*rarex.ValidatedEndUser, 1000)
	for i := range validated {
		validated[i] = &rarex.ValidatedEndUser{Name: "Customer " + string(rune('A'+i%26)), Country: "KR"}
	}
	f := Facts{Today: env.Today, Profile: &rarex.ExporterProfile{ICPReference: "x"}, Validated: validated, History: history}
	for b.Loop() {
		Assess(regs[0], env.Proc, &body, snapWith(rules.LicenseRequired), f)
	}
}
