package redis

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// recordFields is a record as the complete script stores it, each field
// a string or bytes.
type recordFields struct {
	fingerprint string
	status      string
	header      []byte
	body        []byte
	omitted     string
	completedAt string
}

// encodeRecord turns rec into hash fields. The header is JSON, which
// keeps multiple values and their order; an empty header is stored as
// an empty string. completedAt is nanoseconds since the Unix epoch.
func encodeRecord(rec store.Record) (recordFields, error) {
	f := recordFields{
		fingerprint: rec.Fingerprint,
		status:      strconv.Itoa(rec.Status),
		body:        rec.Body,
		omitted:     "0",
		completedAt: strconv.FormatInt(rec.CompletedAt.UnixNano(), 10),
	}
	if rec.BodyOmitted {
		f.omitted = "1"
	}
	if len(rec.Header) > 0 {
		h, err := json.Marshal(rec.Header)
		if err != nil {
			return recordFields{}, fmt.Errorf("encoding header: %w", err)
		}
		f.header = h
	}
	return f, nil
}

// decodeRecord reads the fields the claim script returns for a
// completed key: fingerprint, status, header, body, omitted and
// completedAt.
func decodeRecord(fields []any) (*store.Record, error) {
	if len(fields) != 6 {
		return nil, fmt.Errorf("completed record has %d fields, want 6", len(fields))
	}
	s := make([]string, len(fields))
	for i, f := range fields {
		v, ok := f.(string)
		if !ok {
			return nil, fmt.Errorf("record field %d is %T, want a string", i, f)
		}
		s[i] = v
	}

	status, err := strconv.Atoi(s[1])
	if err != nil {
		return nil, fmt.Errorf("decoding status: %w", err)
	}
	completedAt, err := strconv.ParseInt(s[5], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("decoding completedAt: %w", err)
	}
	rec := &store.Record{
		Fingerprint: s[0],
		Status:      status,
		BodyOmitted: s[4] == "1",
		CompletedAt: time.Unix(0, completedAt).UTC(),
	}
	if s[2] != "" {
		var h http.Header
		if err := json.Unmarshal([]byte(s[2]), &h); err != nil {
			return nil, fmt.Errorf("decoding header: %w", err)
		}
		rec.Header = h
	}
	if s[3] != "" {
		rec.Body = []byte(s[3])
	}
	return rec, nil
}
