package route

import (
	"errors"
	"testing"
)

func TestCompileRejectsBadTemplates(t *testing.T) {
	for _, raw := range []string{
		"", "api", "//a", "/a//b", "/{}", "/{a b}", "/{1a}", "/{rest...}/x",
		"/a{id}", "/{id}x", "/{id}/{id}", "/a b", "/{...}",
	} {
		if _, err := Compile(raw); !errors.Is(err, ErrInvalidTemplate) {
			t.Errorf("Compile(%q) error = %v, want ErrInvalidTemplate", raw, err)
		}
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		tmpl, path string
		want       bool
	}{
		{"/", "/", true},
		{"/", "/a", false},
		{"/api/activities/{id}/accept", "/api/activities/42/accept", true},
		{"/api/activities/{id}/accept", "/api/activities//accept", false},
		{"/api/activities/{id}/accept", "/api/activities/42/accept/", false},
		{"/api/activities/{id}/accept", "/api/activities/42/cancel", false},
		{"/api/activities/{id}/accept", "/api/activities/42", false},
		{"/api/pairs/{id}/questionnaires/{qid}/answer", "/api/pairs/1/questionnaires/q/answer", true},
		{"/files/{path...}", "/files/a/b/c", true},
		{"/files/{path...}", "/files/a", true},
		{"/files/{path...}", "/files/", false},
		{"/files/{path...}", "/files", false},
		{"/a/", "/a/", true},
		{"/a/", "/a", false},
		{"/a", "/a/", false},
		{"/a", "a", false},
	}
	for _, c := range cases {
		tmpl, err := Compile(c.tmpl)
		if err != nil {
			t.Fatalf("Compile(%q): %v", c.tmpl, err)
		}
		if got := tmpl.Match(c.path); got != c.want {
			t.Errorf("%q.Match(%q) = %v, want %v", c.tmpl, c.path, got, c.want)
		}
	}
}

func TestTablePrefersMoreLiteralSegments(t *testing.T) {
	var tb Table[string]
	for _, raw := range []string{"/api/pairs/{id}", "/api/pairs/create", "/api/{rest...}"} {
		tb.Add("POST", mustCompile(t, raw), raw)
	}
	for path, want := range map[string]string{
		"/api/pairs/create": "/api/pairs/create",
		"/api/pairs/7":      "/api/pairs/{id}",
		"/api/other/x":      "/api/{rest...}",
	} {
		got, ok := tb.Lookup("POST", path)
		if !ok || got != want {
			t.Errorf("Lookup(POST, %q) = %q, %v; want %q", path, got, ok, want)
		}
	}
	if _, ok := tb.Lookup("PUT", "/api/pairs/create"); ok {
		t.Error("Lookup matched a method that was never added")
	}
}

func mustCompile(t *testing.T, raw string) *Template {
	t.Helper()
	tmpl, err := Compile(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"/api/{id}/x", "/files/{p...}", "/", "/a/", "//", "/{a}/{a}"} {
		f.Add(s, "/api/1/x")
	}
	f.Fuzz(func(t *testing.T, raw, path string) {
		tmpl, err := Compile(raw)
		if err != nil {
			return
		}
		if tmpl.String() != raw {
			t.Fatalf("String() = %q, want %q", tmpl.String(), raw)
		}
		// A template without parameters matches exactly itself.
		if !tmpl.rest && tmpl.literals == len(tmpl.segments) && !tmpl.Match(raw) {
			t.Fatalf("literal template %q does not match itself", raw)
		}
		tmpl.Match(path)
	})
}
