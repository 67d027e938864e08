package sampleapp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// result is what executing one request produced: a response to write and,
// for a successful mutation, the sequence number of its side effect.
type result struct {
	status   int
	seq      uint64
	location string
	body     any
	// failed marks a request refused without side effect; knobs do not
	// apply to it.
	failed bool
}

// errorBody is the JSON body of every error response.
type errorBody struct {
	Error string `json:"error"`
	// State is the current state of the resource, on a 409.
	State string `json:"state,omitempty"`
}

// failure returns the result of a request refused with status.
func failure(status int, msg, state string) result {
	return result{status: status, failed: true, body: errorBody{Error: msg, State: state}}
}

// writeError answers with status and a JSON error body.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeResult(w, knobs{}, failure(status, msg, ""))
}

// writeJSON answers with status and v as JSON, ignoring knobs.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeResult(w, knobs{}, result{status: status, body: v})
}

// writeResult writes res, shaped by the knobs k.
func writeResult(w http.ResponseWriter, k knobs, res result) {
	status := res.status
	if k.status != 0 {
		status = k.status
	}

	h := w.Header()
	h.Set("Content-Type", "application/json")
	if res.seq != 0 {
		h.Set(HeaderSeq, strconv.FormatUint(res.seq, 10))
	}
	if res.location != "" {
		h.Set("Location", res.location)
	}
	if k.setCookie != "" {
		h.Add("Set-Cookie", k.setCookie)
	}

	buf := getBuffer()
	defer putBuffer(buf)
	if bodyAllowed(status) {
		encode(buf, res.body)
		pad(buf, k.bodyBytes)
		h.Set("Content-Length", strconv.Itoa(buf.Len()))
	}

	if k.abort {
		abort(w, status, buf.Bytes())
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// bodyAllowed reports whether a response with status may carry a body:
// 204 and 304 may not, and net/http refuses to write one.
func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified
}

// encode writes v to buf as one JSON object without a trailing newline.
func encode(buf *bytes.Buffer, v any) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Every body is a struct or map of plain fields; failing to encode
		// one is a bug in this package.
		panic("sampleapp: encoding response: " + err.Error())
	}
	buf.Truncate(buf.Len() - 1)
}

// paddingOverhead is the length of an empty padding field.
const paddingOverhead = len(`,"padding":""`)

var (
	filler = strings.Repeat("x", 4096)
	spaces = strings.Repeat(" ", paddingOverhead)
)

// pad grows the JSON object in buf to exactly n bytes, if it is shorter,
// so that tests can aim at a size limit. It adds a "padding" string field;
// when even an empty field would be too long, it adds spaces before the
// closing brace instead. Either way the body stays valid JSON.
func pad(buf *bytes.Buffer, n int) {
	short := n - buf.Len()
	if short <= 0 {
		return
	}

	buf.Truncate(buf.Len() - 1) // the closing brace
	buf.Grow(short + 1)
	if short < paddingOverhead {
		buf.WriteString(spaces[:short])
		buf.WriteByte('}')
		return
	}
	buf.WriteString(`,"padding":"`)
	for missing := short - paddingOverhead; missing > 0; {
		c := min(missing, len(filler))
		buf.WriteString(filler[:c])
		missing -= c
	}
	buf.WriteString(`"}`)
}

// abort sends the headers and the first half of body, flushes them to the
// client and breaks the connection. The Content-Length header announces the
// whole body, so the client can tell it was cut short.
func abort(w http.ResponseWriter, status int, body []byte) {
	w.WriteHeader(status)
	_, _ = w.Write(body[:len(body)/2])
	_ = http.NewResponseController(w).Flush()
	panic(http.ErrAbortHandler)
}
