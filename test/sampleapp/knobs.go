package sampleapp

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Request headers that change how a request under /api/ is served. The
// package documentation says exactly what each one does.
const (
	HeaderDelay     = "X-Sample-Delay"
	HeaderStatus    = "X-Sample-Status"
	HeaderBodyBytes = "X-Sample-Body-Bytes"
	HeaderSetCookie = "X-Sample-Set-Cookie"
	HeaderAbort     = "X-Sample-Abort"
)

// HeaderSeq is the response header that carries the sequence number of the
// side effect a successful mutation recorded.
const HeaderSeq = "X-Sample-Seq"

// Bounds on knob values, so that a typo cannot hang a test or exhaust memory.
const (
	maxDelay     = time.Minute
	maxBodyBytes = 64 << 20
)

// knobs are the parsed knob headers of one request; the zero value changes
// nothing.
type knobs struct {
	delay     time.Duration
	status    int
	bodyBytes int
	setCookie string
	abort     bool
}

// parseKnobs reads the knob headers of h.
func parseKnobs(h http.Header) (knobs, error) {
	var k knobs

	if v := h.Get(HeaderDelay); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > maxDelay {
			return k, fmt.Errorf("%s must be a duration between 0s and %s, such as 200ms",
				HeaderDelay, maxDelay)
		}
		k.delay = d
	}

	if v := h.Get(HeaderStatus); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 200 || n > 599 {
			return k, fmt.Errorf("%s must be a status code between 200 and 599", HeaderStatus)
		}
		k.status = n
	}

	if v := h.Get(HeaderBodyBytes); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxBodyBytes {
			return k, fmt.Errorf("%s must be a byte count between 0 and %d",
				HeaderBodyBytes, maxBodyBytes)
		}
		k.bodyBytes = n
	}

	k.setCookie = h.Get(HeaderSetCookie)

	if v := h.Get(HeaderAbort); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return k, fmt.Errorf("%s must be 1 or 0", HeaderAbort)
		}
		k.abort = b
	}

	return k, nil
}

// wait sleeps for d and reports whether it did, or returns false as soon as
// ctx is done: a client that gave up must not see its request executed.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}

	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
