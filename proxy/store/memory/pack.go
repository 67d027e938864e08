package memory

import (
	"encoding/binary"
	"net/http"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// A completed record is kept packed into one byte slice: status, time,
// flags, headers and body, without pointers. Thousands of records then
// cost the garbage collector one object each to mark and nothing to scan,
// where a record with a header map costs a dozen objects full of pointers,
// all of which every collection cycle would visit again.

// packRecord encodes rec; the fingerprint is kept on the entry.
func packRecord(rec *store.Record) []byte {
	n := 3*binary.MaxVarintLen64 + 1 + len(rec.Body)
	for name, values := range rec.Header {
		n += 2*binary.MaxVarintLen64 + len(name)
		for _, v := range values {
			n += binary.MaxVarintLen64 + len(v)
		}
	}
	b := make([]byte, 0, n)
	b = binary.AppendUvarint(b, uint64(rec.Status))
	b = binary.AppendVarint(b, rec.CompletedAt.UnixNano())
	if rec.BodyOmitted {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(rec.Header)))
	for name, values := range rec.Header {
		b = appendString(b, name)
		b = binary.AppendUvarint(b, uint64(len(values)))
		for _, v := range values {
			b = appendString(b, v)
		}
	}
	return append(b, rec.Body...)
}

// unpackRecord decodes what packRecord wrote. The returned body shares
// packed's memory and must not be modified.
func unpackRecord(packed []byte, fingerprint string) store.Record {
	d := decoder{b: packed}
	rec := store.Record{Fingerprint: fingerprint}
	rec.Status = int(d.uvarint())
	rec.CompletedAt = time.Unix(0, d.varint())
	rec.BodyOmitted = d.byte() == 1
	if n := int(d.uvarint()); n > 0 {
		rec.Header = make(http.Header, n)
		for range n {
			name := d.string()
			values := make([]string, d.uvarint())
			for i := range values {
				values[i] = d.string()
			}
			rec.Header[name] = values
		}
	} else {
		rec.Header = http.Header{}
	}
	rec.Body = d.b[:len(d.b):len(d.b)]
	return rec
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decoder reads packed records. Records are written by this package only,
// so a malformed one is a bug, not input to report.
type decoder struct{ b []byte }

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) string() string {
	n := d.uvarint()
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
