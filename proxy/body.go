package proxy

import (
	"bytes"
	"encoding/json"
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

var (
	errFieldNotString = errors.New("the key must be a JSON string")
)

// lookupKeyField follows path through nested JSON objects and returns the
// string found there. found is false when the path does not exist.
func lookupKeyField(doc any, path []string) (key string, found bool, err error) {
	v := doc
	for _, name := range path {
		obj, ok := v.(map[string]any)
		if !ok {
			return "", false, nil
		}
		if v, ok = obj[name]; !ok {
			return "", false, nil
		}
	}
	switch v := v.(type) {
	case string:
		if err := checkKey(v); err != nil {
			return "", false, err
		}
		return v, true, nil
	case nil:
		return "", false, nil
	case json.Number, bool, map[string]any, []any:
		return "", false, errFieldNotString
	}
	return "", false, errFieldNotString
}
