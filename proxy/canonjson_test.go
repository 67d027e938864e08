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

// FuzzCanonicalizeMatchesEncodingJSON checks the single-pass canonicalizer
// against encoding/json: the same verdict on validity, the same canonical
// form, and the same key field.
func FuzzCanonicalizeMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"b":1,"a":[1,2,{"c":null}],"a":3}`, `"x\u0000y\ud83d\ude00\ud800"`, `-0.5e+10`, `[]`, `{}`,
		`{"input":{"clientMutationId":"k"}}`, "\"\xff\"", `[1,]`, `01`, `{"a" 1}`, ` true `, `nul`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		path := []string{"input", "clientMutationId"}
		got, field, err := canonicalize(nil, in, path)
		v, jerr := parseJSON(in)
		if (err == nil) != (jerr == nil) {
			t.Fatalf("canonicalize error %v, encoding/json error %v, for %q", err, jerr, in)
		}
		if err != nil {
			return
		}
		if want := appendCanonicalJSON(nil, v); !bytes.Equal(got, want) {
			t.Fatalf("canonical form %q, encoding/json gives %q, for %q", got, want, in)
		}
		key, found, kerr := lookupKeyField(v, path)
		switch {
		case kerr != nil:
			if field.found && field.kind == '"' && checkKey(field.str) == nil {
				t.Fatalf("field accepted by the scanner, rejected via encoding/json: %q", in)
			}
		case found != (field.found && field.kind == '"'):
			t.Fatalf("field found %v by encoding/json, %+v by the scanner, for %q", found, field, in)
		case found && key != field.str:
			t.Fatalf("field %q by encoding/json, %q by the scanner", key, field.str)
		}
	})
}
