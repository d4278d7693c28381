package accounts

import (
	"strings"
	"testing"
)

func TestHashAndVerify(t *testing.T) {
	h, err := HashPassword("correct horse battery", TestHashParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	h2, _ := HashPassword("correct horse battery", TestHashParams)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	if ok, err := VerifyPassword("correct horse battery", h); !ok || err != nil {
		t.Fatalf("verify right password = %v, %v", ok, err)
	}
	if ok, _ := VerifyPassword("correct horse batterY", h); ok {
		t.Fatal("wrong password verified")
	}
}

func TestVerifyMalformedHashes(t *testing.T) {
	for _, h := range []string{
		"",
		"plaintext",
		"$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw",
		"$argon2id$v=18$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw",
		"$argon2id$v=19$m=1024,t=0,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw",
		"$argon2id$v=19$m=1024,t=1,p=0$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw",
		"$argon2id$v=19$m=1024,t=1,p=1$!!$a2V5a2V5a2V5a2V5a2V5aw",
		"$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5",
		"$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw$extra",
	} {
		if ok, err := VerifyPassword("x", h); ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want false and an error", h, ok, err)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"":                          false,
		"elevenchars":               false,
		"twelve chars":              true,
		"密码密码密码密码密码密码":              true,
		strings.Repeat("a", 257):    false,
		"bad utf8 \xff\xfe padding": false,
	} {
		if err := CheckPassword(pw); (err == nil) != ok {
			t.Errorf("CheckPassword(%q) = %v, want ok=%v", pw, err, ok)
		}
	}
}

func TestGeneratePasswordPassesPolicy(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		p := GeneratePassword()
		if err := CheckPassword(p); err != nil || seen[p] {
			t.Fatalf("generated %q: %v (repeat %v)", p, err, seen[p])
		}
		seen[p] = true
	}
}

// FuzzDecodeHash: a stored hash is input from the database; no value may
// panic or pass as valid with out-of-range parameters.
func FuzzDecodeHash(f *testing.F) {
	good, _ := HashPassword("seed password!", TestHashParams)
	f.Add(good)
	f.Add("$argon2id$v=19$m=1024,t=1,p=1$$")
	f.Add("$argon2id$v=19$m=-1,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := decodeHash(s)
		if err != nil {
			return
		}
		if p.Time < 1 || p.Time > 16 || p.MemoryKiB > 1<<20 || p.Threads < 1 || len(salt) < 8 || len(key) < 16 {
			t.Fatalf("decodeHash(%q) accepted out-of-range values %+v", s, p)
		}
	})
}
