package proxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
)

// The tree-building canonicalizer below is the reference that the
// single-pass one in canonscan.go is checked against: it leans on
// encoding/json for what valid JSON is and how strings decode.

// parseJSON decodes one JSON value, keeping numbers as written so that
// canonical encoding does not round them.
func parseJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// appendCanonicalJSON appends v, as decoded by parseJSON, in a canonical
// form: object keys sorted, no insignificant whitespace, strings escaped
// one way only. Two bodies that differ only in key order or whitespace
// encode the same. Numbers keep their text, so 1 and 1.0 differ.
func appendCanonicalJSON(dst []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		return strconv.AppendBool(dst, v)
	case json.Number:
		return append(dst, v...)
	case string:
		return appendJSONString(dst, v)
	case []any:
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendCanonicalJSON(dst, e)
		}
		return append(dst, ']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, k)
			dst = append(dst, ':')
			dst = appendCanonicalJSON(dst, v[k])
		}
		return append(dst, '}')
	}
	// parseJSON produces no other types.
	panic("canonical JSON: unexpected type")
}

// lookupKeyField follows path through nested JSON objects, as decoded by
// parseJSON, and returns the key found there.
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
	}
	return "", false, errFieldNotString
}
