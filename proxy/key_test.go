package proxy

import (
	"strings"
	"testing"
)

func TestParseKeyHeader(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{`abc`, "abc", true},
		{`"abc"`, "abc", true},
		{` abc `, "abc", true},
		{`"a b"`, "a b", true},
		{`"a\"b"`, `a"b`, true},
		{`"a\\b"`, `a\b`, true},
		{`123e4567-e89b-12d3-a456-426614174000`, "123e4567-e89b-12d3-a456-426614174000", true},
		{`"` + strings.Repeat("k", 255) + `"`, strings.Repeat("k", 255), true},
		{``, "", false},
		{`""`, "", false},
		{`a b`, "", false},
		{`"abc`, "", false},
		{`"a"b"`, "", false},
		{`"a\b"`, "", false},
		{`"a\"`, "", false},
		{`"tab\there"`, "", false},
		{"\"caf\u00e9\"", "", false},
		{"café", "", false},
		{strings.Repeat("k", 256), "", false},
		{`"` + strings.Repeat("k", 256) + `"`, "", false},
	}
	for _, c := range cases {
		got, err := ParseKeyHeader(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseKeyHeader(%q) = %q, %v; want %q, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func FuzzParseKeyHeader(f *testing.F) {
	for _, s := range []string{`abc`, `"abc"`, `"a\"b"`, `""`, `"a\`, "\x00", strings.Repeat("x", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		key, err := ParseKeyHeader(in)
		if err != nil {
			return
		}
		if len(key) < 1 || len(key) > MaxKeyLength {
			t.Fatalf("accepted key of length %d", len(key))
		}
		for i := 0; i < len(key); i++ {
			if key[i] < ' ' || key[i] > '~' {
				t.Fatalf("accepted non-printable byte %#x", key[i])
			}
		}
		// The quoted form of an accepted key parses back to the same key.
		quoted := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(key) + `"`
		if again, err := ParseKeyHeader(quoted); err != nil || again != key {
			t.Fatalf("quoted form %q parsed to %q, %v; want %q", quoted, again, err, key)
		}
	})
}
