package proxy

import (
	"errors"
	"strings"
)

// MaxKeyLength is the longest idempotency key accepted.
const MaxKeyLength = 255

var (
	errKeyEmpty    = errors.New("the idempotency key is empty")
	errKeyTooLong  = errors.New("the idempotency key is longer than 255 characters")
	errKeyChars    = errors.New("the idempotency key must be printable ASCII")
	errKeyQuoting  = errors.New(`the idempotency key is not a valid quoted string: it must be "..." with only \" and \\ escaped`)
	errKeyMultiple = errors.New("the idempotency key header appears more than once")
)

// ParseKeyHeader returns the key carried by an idempotency key header
// value. The value is either an RFC 8941 sf-string ("abc") or a bare token
// (abc); both mean the key abc.
func ParseKeyHeader(v string) (string, error) {
	v = strings.Trim(v, " \t")
	if strings.HasPrefix(v, `"`) {
		return parseSFString(v)
	}
	for i := 0; i < len(v); i++ {
		// A bare key has no spaces or quotes: those need the quoted form.
		if c := v[i]; c <= ' ' || c >= 0x7f || c == '"' {
			return "", errKeyChars
		}
	}
	return validKey(v)
}

// parseSFString decodes an RFC 8941 sf-string.
func parseSFString(v string) (string, error) {
	if len(v) < 2 || v[len(v)-1] != '"' {
		return "", errKeyQuoting
	}
	inner := v[1 : len(v)-1]
	if !strings.ContainsAny(inner, `"\`) {
		return validKey(inner)
	}
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		switch c {
		case '"':
			return "", errKeyQuoting
		case '\\':
			i++
			if i == len(inner) || (inner[i] != '"' && inner[i] != '\\') {
				return "", errKeyQuoting
			}
			c = inner[i]
		}
		b.WriteByte(c)
	}
	return validKey(b.String())
}

// validKey returns k if it is a valid key.
func validKey(k string) (string, error) {
	if err := checkKey(k); err != nil {
		return "", err
	}
	return k, nil
}

// checkKey enforces 1..255 printable ASCII characters.
func checkKey(k string) error {
	switch {
	case k == "":
		return errKeyEmpty
	case len(k) > MaxKeyLength:
		return errKeyTooLong
	}
	for i := 0; i < len(k); i++ {
		if k[i] < ' ' || k[i] > '~' {
			return errKeyChars
		}
	}
	return nil
}
