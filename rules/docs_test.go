package rules

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestDocsCoverEverything: docs/determination.md names every shipped rule,
// every interpretation and every request field.
func TestDocsCoverEverything(t *testing.T) {
	b, err := os.ReadFile("../docs/determination.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	reg := shippedRegime(t)
	for _, ru := range reg.Rules {
		if !strings.Contains(doc, "`"+ru.ID+"`") {
			t.Errorf("docs do not describe rule %s", ru.ID)
		}
	}
	for _, it := range reg.Interpretations {
		if !strings.Contains(doc, "`"+it.ID+"`") {
			t.Errorf("docs do not describe interpretation %s", it.ID)
		}
	}
	var walk func(prefix string, t reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if name == "" || name == "-" {
				continue
			}
			path := prefix + name
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[Decimal]() {
				walk(path+".", f.Type)
				continue
			}
			if !strings.Contains(doc, "`"+path+"`") && !strings.Contains(doc, path+"`") {
				t.Errorf("docs do not describe request field %s", path)
			}
		}
	}
	walk("", reflect.TypeFor[Request]())
}
