package route

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidTemplate is wrapped by every error Compile returns.
var ErrInvalidTemplate = errors.New("invalid path template")

// Template is a compiled path template.
type Template struct {
	raw      string
	segments []segment
	// rest is set when the template ends in {name...}.
	rest bool
	// literals counts literal segments; it ranks overlapping templates.
	literals int
}

type segment struct {
	literal string
	param   bool
}

// Compile parses a path template such as /api/activities/{id}/accept.
func Compile(raw string) (*Template, error) {
	if raw == "" || raw[0] != '/' {
		return nil, fmt.Errorf("%w %q: must start with /", ErrInvalidTemplate, raw)
	}
	if raw == "/" {
		return &Template{raw: raw}, nil
	}

	t := &Template{raw: raw}
	parts := strings.Split(raw[1:], "/")
	seen := map[string]bool{}
	for i, p := range parts {
		last := i == len(parts)-1
		switch {
		case p == "" && last:
			// A trailing slash is a literal empty segment: /a/ matches only /a/.
			t.segments = append(t.segments, segment{literal: ""})
			t.literals++
		case p == "":
			return nil, fmt.Errorf("%w %q: empty segment", ErrInvalidTemplate, raw)
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			name := p[1 : len(p)-1]
			if strings.HasSuffix(name, "...") {
				if !last {
					return nil, fmt.Errorf("%w %q: {%s} must be the last segment",
						ErrInvalidTemplate, raw, name)
				}
				name = strings.TrimSuffix(name, "...")
				t.rest = true
			}
			if !validName(name) {
				return nil, fmt.Errorf("%w %q: parameter name %q must be a letter or _ followed by letters, digits or _",
					ErrInvalidTemplate, raw, name)
			}
			if seen[name] {
				return nil, fmt.Errorf("%w %q: parameter %q appears twice", ErrInvalidTemplate, raw, name)
			}
			seen[name] = true
			if !t.rest {
				t.segments = append(t.segments, segment{param: true})
			}
		case strings.ContainsAny(p, "{}"):
			return nil, fmt.Errorf("%w %q: segment %q mixes braces with text", ErrInvalidTemplate, raw, p)
		default:
			if err := validLiteral(p); err != nil {
				return nil, fmt.Errorf("%w %q: %v", ErrInvalidTemplate, raw, err)
			}
			t.segments = append(t.segments, segment{literal: p})
			t.literals++
		}
	}
	return t, nil
}

// String returns the template as written.
func (t *Template) String() string { return t.raw }

// Match reports whether path matches the template. path is the request's
// URL path, starting with a slash.
func (t *Template) Match(path string) bool {
	if path == "" || path[0] != '/' {
		return false
	}
	if len(t.segments) == 0 && !t.rest {
		return path == "/"
	}
	rest := path[1:]
	for i, s := range t.segments {
		var seg string
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			seg, rest = rest[:j], rest[j+1:]
		} else {
			seg, rest = rest, ""
			if i != len(t.segments)-1 {
				return false
			}
			// The whole path is consumed: a {rest...} needs something left.
			if t.rest {
				return false
			}
			return s.matches(seg)
		}
		if !s.matches(seg) {
			return false
		}
	}
	if t.rest {
		return rest != ""
	}
	return false
}

func (s segment) matches(seg string) bool {
	if s.param {
		return seg != ""
	}
	return seg == s.literal
}

func validName(name string) bool {
	if name == "" {
		return false
	}
	for i, c := range name {
		letter := c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
		digit := '0' <= c && c <= '9'
		if !letter && !(digit && i > 0) {
			return false
		}
	}
	return true
}

// validLiteral accepts the characters RFC 3986 allows in a path segment,
// percent-encoded octets included.
func validLiteral(p string) error {
	for _, c := range p {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.ContainsRune("-._~!$&'()*+,;=:@%", c):
		default:
			return fmt.Errorf("character %q is not allowed in a path segment", c)
		}
	}
	return nil
}
