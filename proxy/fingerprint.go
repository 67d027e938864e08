package proxy

import (
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// canonBuffers lend buffers to the canonical JSON form and to the inputs
// of the hashes below, which run on every protected request.
var canonBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// fingerprint identifies what a request asks for, so that a key reused for
// a different request is caught. It covers the method, the actual path,
// the query (parameters in a canonical order), the media type and the body;
// a JSON body counts by its canonical form (canon, nil for other bodies),
// so key order and whitespace do not matter.
func fingerprint(r *http.Request, body, canon []byte) string {
	bufp := canonBuffers.Get().(*[]byte)
	buf := (*bufp)[:0]
	buf = append(buf, r.Method...)
	buf = append(buf, 0)
	buf = append(buf, r.URL.Path...)
	buf = append(buf, 0)
	buf = append(buf, canonicalQuery(r.URL.RawQuery)...)
	buf = append(buf, 0)
	buf = append(buf, canonicalMediaType(r.Header.Get("Content-Type"))...)
	buf = append(buf, 0)
	if canon != nil {
		buf = append(buf, 'j')
		buf = append(buf, canon...)
	} else {
		buf = append(buf, 'b')
		buf = append(buf, body...)
	}
	sum := sha256.Sum256(buf)
	*bufp = buf[:0]
	canonBuffers.Put(bufp)
	return hex.EncodeToString(sum[:])
}

// canonicalQuery sorts the query's parameters by name, keeping the order
// of repeated values. A query that does not parse is used as sent.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return raw
	}
	return v.Encode()
}

// canonicalMediaType lower-cases the media type and sorts its parameters,
// so that "application/json; charset=UTF-8" and
// "Application/JSON;charset=utf-8" count as one.
func canonicalMediaType(ct string) string {
	if ct == "" {
		return ""
	}
	if ct == "application/json" {
		return ct // the common case, already canonical
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	if len(params) == 0 {
		return mt
	}
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(mt)
	for _, k := range names {
		v := params[k]
		if k == "charset" {
			v = strings.ToLower(v)
		}
		b.WriteString(";" + k + "=" + v)
	}
	return b.String()
}

// isJSONMediaType reports whether a Content-Type names JSON:
// application/json or any +json suffix.
func isJSONMediaType(ct string) bool {
	if ct == "" {
		return false
	}
	if ct == "application/json" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// storeKey names a request's record in the store. It scopes the caller's
// key to the policy, the route template and the caller (the values of the
// scope headers), and hashes the lot so that no key or credential is kept
// or logged in clear text.
func storeKey(policy, template string, scope []string, r *http.Request, key string) string {
	bufp := canonBuffers.Get().(*[]byte)
	buf := (*bufp)[:0]
	buf = append(buf, policy...)
	buf = append(buf, 0)
	buf = append(buf, template...)
	for _, name := range scope {
		buf = append(buf, 0)
		for _, v := range r.Header.Values(name) {
			buf = append(buf, v...)
			buf = append(buf, 1)
		}
	}
	buf = append(buf, 0)
	buf = append(buf, key...)
	sum := sha256.Sum256(buf)
	*bufp = buf[:0]
	canonBuffers.Put(bufp)
	return hex.EncodeToString(sum[:])
}
