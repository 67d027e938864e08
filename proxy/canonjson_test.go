package proxy

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestCanonicalJSONIgnoresKeyOrderAndWhitespace(t *testing.T) {
	equal := [][2]string{
		{`{"a":1,"b":[true,null,"x"]}`, "{ \"b\" : [ true , null , \"x\" ] ,\n \"a\" : 1 }"},
		{`{"n":{"z":1,"y":2}}`, `{"n":{"y":2,"z":1}}`},
		{`"\u00e9"`, `"é"`},
		{`"\/"`, `"/"`},
	}
	for _, c := range equal {
		if a, b := canon(t, c[0]), canon(t, c[1]); a != b {
			t.Errorf("canonical forms differ: %s vs %s", a, b)
		}
	}
	different := [][2]string{
		{`{"a":1}`, `{"a":2}`},
		{`{"a":1}`, `{"a":1.0}`},
		{`[1,2]`, `[2,1]`},
		{`{"a":"1"}`, `{"a":1}`},
	}
	for _, c := range different {
		if a, b := canon(t, c[0]), canon(t, c[1]); a == b {
			t.Errorf("%s and %s share the canonical form %s", c[0], c[1], a)
		}
	}
}

func TestParseJSONRejectsTrailingData(t *testing.T) {
	for _, in := range []string{`{"a":1} x`, `{"a":1}{}`, `{"a":`, ``, `nul`} {
		if _, err := parseJSON([]byte(in)); err == nil {
			t.Errorf("parseJSON(%q) succeeded, want error", in)
		}
	}
}

func canon(t testing.TB, s string) string {
	t.Helper()
	v, err := parseJSON([]byte(s))
	if err != nil {
		t.Fatalf("parseJSON(%q): %v", s, err)
	}
	return string(appendCanonicalJSON(nil, v))
}

func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[1,2,{"c":null}]}`, `"x\u0000y"`, `1e10`, `[]`, `{"a":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := parseJSON(in)
		if err != nil {
			return
		}
		out := appendCanonicalJSON(nil, v)
		if !json.Valid(out) {
			t.Fatalf("canonical form %q of %q is not valid JSON", out, in)
		}
		// Canonicalising is idempotent: the canonical form is its own
		// canonical form.
		v2, err := parseJSON(out)
		if err != nil {
			t.Fatalf("canonical form %q does not parse: %v", out, err)
		}
		if again := appendCanonicalJSON(nil, v2); !bytes.Equal(again, out) {
			t.Fatalf("canonical form not stable: %q then %q", out, again)
		}
	})
}
