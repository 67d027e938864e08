package sampleapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// maxRequestBytes bounds a request body; the proxy accepts up to 64 MiB, so
// the application does too.
const maxRequestBytes = 64 << 20

// pooledBufferCap is the largest buffer returned to the pool, so that one
// large request or padded response does not stay in memory for good.
const pooledBufferCap = 64 << 10

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= pooledBufferCap {
		buffers.Put(b)
	}
}

// mutationBody holds the fields the application reads from a request body.
type mutationBody struct {
	// ClientMutationID is kept as raw JSON and echoed unchanged.
	ClientMutationID json.RawMessage `json:"clientMutationId"`
	// MatchID names the match on the match routes.
	MatchID *string `json:"matchId"`
}

// errBodyTooLarge is returned for a body over maxRequestBytes.
var errBodyTooLarge = errors.New("request body is larger than 64 MiB")

// readBody reads and decodes the body of r. An empty body reads as {}; any
// other body must be one JSON object.
func readBody(r *http.Request) (mutationBody, error) {
	var body mutationBody
	if r.Body == nil {
		return body, nil
	}

	buf := getBuffer()
	defer putBuffer(buf)

	_, err := buf.ReadFrom(io.LimitReader(r.Body, maxRequestBytes+1))
	if err != nil {
		return body, fmt.Errorf("reading request body: %w", err)
	}
	if buf.Len() > maxRequestBytes {
		return body, errBodyTooLarge
	}

	data := bytes.TrimSpace(buf.Bytes())
	if len(data) == 0 {
		return body, nil
	}
	if data[0] != '{' {
		return body, errors.New("request body must be a JSON object")
	}
	// Unmarshal copies into a RawMessage, so nothing aliases the pooled
	// buffer once it is returned.
	if err := json.Unmarshal(data, &body); err != nil {
		return body, fmt.Errorf("request body cannot be decoded: %w", err)
	}
	return body, nil
}
