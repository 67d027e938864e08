package proxy

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// canonicalize validates a JSON body and appends its canonical form (the
// one appendCanonicalJSON gives) to dst in a single pass over the bytes,
// without building a tree of maps and interfaces: it runs on every
// protected request with a JSON body. When field is not empty it also
// returns the value found at that path of object keys. As with
// encoding/json, a repeated object key counts once, with its last value.
func canonicalize(dst, src []byte, field []string) ([]byte, fieldValue, error) {
	s := scanner{src: src, field: field}
	s.skipSpace()
	out, err := s.value(dst, 0, len(field) > 0)
	if err != nil {
		return dst, fieldValue{}, err
	}
	s.skipSpace()
	if s.pos != len(src) {
		return dst, fieldValue{}, errors.New("unexpected data after the JSON value")
	}
	return out, s.found, nil
}

// fieldValue is what canonicalize found at the key field's path.
type fieldValue struct {
	found bool
	// kind is the JSON type: 's' string, 'n' null, or another first byte.
	kind byte
	str  string
}

// maxDepth bounds nesting, as encoding/json does, so that a hostile body
// cannot exhaust the stack.
const maxDepth = 10000

var errSyntax = errors.New("invalid JSON")

type scanner struct {
	src   []byte
	pos   int
	field []string
	found fieldValue
}

type member struct {
	key        string
	start, end int
}

var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func (s *scanner) skipSpace() {
	for s.pos < len(s.src) {
		switch s.src[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value appends the canonical form of the value at s.pos. onPath says the
// value lies on the key field's path, depth keys deep.
func (s *scanner) value(dst []byte, depth int, onPath bool) ([]byte, error) {
	if depth > maxDepth {
		return dst, errors.New("JSON nested too deeply")
	}
	if s.pos >= len(s.src) {
		return dst, errSyntax
	}
	if onPath && depth == len(s.field) {
		s.found = fieldValue{found: true, kind: s.src[s.pos]}
	}
	switch c := s.src[s.pos]; {
	case c == '{':
		return s.object(dst, depth, onPath)
	case c == '[':
		return s.array(dst, depth)
	case c == '"':
		str, err := s.string()
		if err != nil {
			return dst, err
		}
		if onPath && depth == len(s.field) {
			s.found.str = str
		}
		return appendJSONString(dst, str), nil
	case c == '-' || ('0' <= c && c <= '9'):
		return s.number(dst)
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if strings.HasPrefix(string(s.src[s.pos:min(len(s.src), s.pos+5)]), lit) {
				s.pos += len(lit)
				return append(dst, lit...), nil
			}
		}
		return dst, errSyntax
	}
}

func (s *scanner) object(dst []byte, depth int, onPath bool) ([]byte, error) {
	s.pos++ // {
	bufp := scratchPool.Get().(*[]byte)
	scratch := (*bufp)[:0]
	defer func() { *bufp = scratch[:0]; scratchPool.Put(bufp) }()
	var members []member

	s.skipSpace()
	if s.pos < len(s.src) && s.src[s.pos] == '}' {
		s.pos++
		return append(dst, '{', '}'), nil
	}
	for {
		s.skipSpace()
		if s.pos >= len(s.src) || s.src[s.pos] != '"' {
			return dst, errSyntax
		}
		key, err := s.string()
		if err != nil {
			return dst, err
		}
		s.skipSpace()
		if s.pos >= len(s.src) || s.src[s.pos] != ':' {
			return dst, errSyntax
		}
		s.pos++
		s.skipSpace()
		next := onPath && depth < len(s.field) && key == s.field[depth]
		start := len(scratch)
		if scratch, err = s.value(scratch, depth+1, next); err != nil {
			return dst, err
		}
		members = append(members, member{key: key, start: start, end: len(scratch)})
		s.skipSpace()
		if s.pos >= len(s.src) {
			return dst, errSyntax
		}
		if s.src[s.pos] == ',' {
			s.pos++
			continue
		}
		if s.src[s.pos] != '}' {
			return dst, errSyntax
		}
		s.pos++
		break
	}

	// Sort by key; of repeated keys the last one stays.
	slices.SortStableFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	dst = append(dst, '{')
	first := true
	for i, m := range members {
		if i+1 < len(members) && members[i+1].key == m.key {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, m.key)
		dst = append(dst, ':')
		dst = append(dst, scratch[m.start:m.end]...)
	}
	return append(dst, '}'), nil
}

func (s *scanner) array(dst []byte, depth int) ([]byte, error) {
	s.pos++ // [
	dst = append(dst, '[')
	s.skipSpace()
	if s.pos < len(s.src) && s.src[s.pos] == ']' {
		s.pos++
		return append(dst, ']'), nil
	}
	for i := 0; ; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		s.skipSpace()
		var err error
		if dst, err = s.value(dst, depth+1, false); err != nil {
			return dst, err
		}
		s.skipSpace()
		if s.pos >= len(s.src) {
			return dst, errSyntax
		}
		if s.src[s.pos] == ',' {
			s.pos++
			continue
		}
		if s.src[s.pos] != ']' {
			return dst, errSyntax
		}
		s.pos++
		return append(dst, ']'), nil
	}
}

// number copies a number after checking it against the JSON grammar.
func (s *scanner) number(dst []byte) ([]byte, error) {
	start := s.pos
	src := s.src
	if s.pos < len(src) && src[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(src) && src[s.pos] == '0':
		s.pos++
	case s.pos < len(src) && '1' <= src[s.pos] && src[s.pos] <= '9':
		for s.pos < len(src) && '0' <= src[s.pos] && src[s.pos] <= '9' {
			s.pos++
		}
	default:
		return dst, errSyntax
	}
	if s.pos < len(src) && src[s.pos] == '.' {
		s.pos++
		if !s.digits() {
			return dst, errSyntax
		}
	}
	if s.pos < len(src) && (src[s.pos] == 'e' || src[s.pos] == 'E') {
		s.pos++
		if s.pos < len(src) && (src[s.pos] == '+' || src[s.pos] == '-') {
			s.pos++
		}
		if !s.digits() {
			return dst, errSyntax
		}
	}
	return append(dst, src[start:s.pos]...), nil
}

func (s *scanner) digits() bool {
	start := s.pos
	for s.pos < len(s.src) && '0' <= s.src[s.pos] && s.src[s.pos] <= '9' {
		s.pos++
	}
	return s.pos > start
}

// string decodes the string at s.pos. Like encoding/json, it turns
// invalid UTF-8 and unpaired surrogates into U+FFFD.
func (s *scanner) string() (string, error) {
	s.pos++ // opening quote
	start := s.pos
	// Fast path: no escapes and plain ASCII.
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		if c == '"' {
			str := string(s.src[start:s.pos])
			s.pos++
			return str, nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		s.pos++
	}

	var b strings.Builder
	b.Write(s.src[start:s.pos])
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '"':
			s.pos++
			return b.String(), nil
		case c < 0x20:
			return "", errSyntax
		case c == '\\':
			r, err := s.escape()
			if err != nil {
				return "", err
			}
			b.WriteRune(r)
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			s.pos++
		default:
			r, size := utf8.DecodeRune(s.src[s.pos:])
			b.WriteRune(r) // utf8.RuneError for invalid bytes
			s.pos += size
		}
	}
	return "", errSyntax
}

// escape decodes the escape sequence at s.pos.
func (s *scanner) escape() (rune, error) {
	if s.pos+1 >= len(s.src) {
		return 0, errSyntax
	}
	c := s.src[s.pos+1]
	s.pos += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
		r, ok := s.hex4()
		if !ok {
			return 0, errSyntax
		}
		if utf16.IsSurrogate(r) {
			// A high surrogate followed by an escaped low one is one rune.
			save := s.pos
			if s.pos+1 < len(s.src) && s.src[s.pos] == '\\' && s.src[s.pos+1] == 'u' {
				s.pos += 2
				if r2, ok := s.hex4(); ok {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						return dec, nil
					}
				}
			}
			s.pos = save
			return utf8.RuneError, nil
		}
		return r, nil
	}
	return 0, errSyntax
}

func (s *scanner) hex4() (rune, bool) {
	if s.pos+4 > len(s.src) {
		return 0, false
	}
	var r rune
	for _, c := range s.src[s.pos : s.pos+4] {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	s.pos += 4
	return r, true
}
