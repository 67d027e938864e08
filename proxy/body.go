package proxy

import (
	"bytes"
	"errors"
	"io"
	"net/http"
)

var errBodyTooLarge = errors.New("request body too large")

// readBody reads the whole request body, up to limit bytes. On
// errBodyTooLarge it returns what it read, so that the request can still
// be forwarded whole when that is the right answer.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return []byte{}, nil
	}
	if r.ContentLength > limit {
		return nil, errBodyTooLarge
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return buf.Bytes(), errBodyTooLarge
	}
	return buf.Bytes(), nil
}

var errFieldNotString = errors.New("the key must be a JSON string")

// key returns the idempotency key the body field holds. A missing field or
// null is no key; any other type than a string is an error.
func (f fieldValue) key() (key string, found bool, err error) {
	switch {
	case !f.found || f.kind == 'n':
		return "", false, nil
	case f.kind != '"':
		return "", false, errFieldNotString
	}
	if err := checkKey(f.str); err != nil {
		return "", false, err
	}
	return f.str, true, nil
}
