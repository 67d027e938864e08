package proxy

import (
	"net/http"
)

// sendOnce wraps the transport to the application so that it never sends
// a request twice.
//
// net/http's Transport re-sends a request on a fresh connection when a
// reused connection breaks before the response arrives, provided it
// considers the request replayable: its body is absent or can be rewound
// (GetBody), and its method is GET-like or it carries an Idempotency-Key or
// X-Idempotency-Key header. Behind this proxy the application may have
// executed the first copy already, so a silent re-send would run a mutation
// twice behind one client request. The wrapper makes such requests
// non-replayable: it drops GetBody, so a body cannot be rewound, and for a
// bodiless request it writes those two headers under lower-case names, which the transport does not look
// for and which mean the same on the wire (header names are
// case-insensitive).
type sendOnce struct {
	next http.RoundTripper
}

// RoundTrip sends req once.
func (t sendOnce) RoundTrip(req *http.Request) (*http.Response, error) {
	if replayableMethod(req.Method) {
		return t.next.RoundTrip(req)
	}
	bodiless := req.Body == nil || req.Body == http.NoBody
	_, k1 := req.Header["Idempotency-Key"]
	_, k2 := req.Header["X-Idempotency-Key"]
	if req.GetBody == nil && !(bodiless && (k1 || k2)) {
		return t.next.RoundTrip(req)
	}

	out := req.WithContext(req.Context()) // a shallow copy: RoundTrip must not change req
	out.GetBody = nil
	if bodiless && (k1 || k2) {
		out.Header = req.Header.Clone()
		for _, name := range []string{"Idempotency-Key", "X-Idempotency-Key"} {
			if v, ok := out.Header[name]; ok {
				delete(out.Header, name)
				out.Header[lower(name)] = v
			}
		}
	}
	return t.next.RoundTrip(out)
}

// replayableMethod lists the methods the transport may re-send by design:
// they are safe or idempotent by definition.
func replayableMethod(m string) bool {
	switch m {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
