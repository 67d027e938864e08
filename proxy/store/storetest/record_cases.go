package storetest

import (
	"bytes"
	"net/http"
	"reflect"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// completedAt is a completion time with nanoseconds, to show the store
// keeps the full precision.
var completedAt = time.Date(2026, time.March, 4, 5, 6, 7, 123456789, time.UTC)

// recordCases checks that a completed response comes back as stored.
func recordCases() []testCase {
	replays := []struct {
		name string
		rec  store.Record
	}{
		{"JSONBody", store.Record{
			Fingerprint: "sha256:abc",
			Status:      http.StatusCreated,
			Header: http.Header{
				"Content-Type": {"application/json"},
				"Location":     {"/orders/42"},
			},
			Body:        []byte(`{"id":42}`),
			CompletedAt: completedAt,
		}},
		{"MultiValuedHeadersAndBinaryBody", store.Record{
			Fingerprint: "fp",
			Status:      http.StatusOK,
			Header: http.Header{
				"Set-Cookie": {"a=1; Path=/", "b=2; Path=/"},
				"Vary":       {"Accept", "Accept-Encoding"},
				"X-Empty":    {""},
			},
			Body:        []byte{0x00, 0xff, 0xfe, '\r', '\n', 0x80, 0x00},
			CompletedAt: completedAt,
		}},
		{"NoHeadersNoBody", store.Record{
			Fingerprint: "fp",
			Status:      http.StatusNoContent,
			CompletedAt: completedAt,
		}},
		{"BodyOmitted", store.Record{
			Fingerprint: "fp",
			Status:      http.StatusOK,
			Header:      http.Header{"Content-Type": {"application/octet-stream"}},
			BodyOmitted: true,
			CompletedAt: completedAt,
		}},
	}

	var cs []testCase
	for _, r := range replays {
		cs = append(cs, testCase{"CompletedRecordIsReplayed/" + r.name, func(h *harness) {
			token := h.mustClaim("k", longLease)
			h.complete("k", token, r.rec, longLease)

			res := h.claim("k", "other", longLease)
			if res.State != store.Completed {
				h.Fatalf("Claim after Complete = %v, want Completed", res.State)
			}
			if res.Fingerprint != r.rec.Fingerprint {
				h.Errorf("result fingerprint = %q, want %q", res.Fingerprint, r.rec.Fingerprint)
			}
			wantRecord(h, res.Record, r.rec)
		}})
	}

	return append(cs,
		testCase{"CompleteFillsFingerprintAndTime", func(h *harness) {
			token := h.mustClaim("k", longLease)
			h.complete("k", token, store.Record{Status: http.StatusAccepted}, longLease)

			res := h.wantState("k", store.Completed)
			if res.Record.Fingerprint != "fp-k" {
				h.Errorf("record fingerprint = %q, want the claim's %q", res.Record.Fingerprint, "fp-k")
			}
			if res.Record.CompletedAt.IsZero() {
				h.Errorf("record CompletedAt is zero, want the time of completion")
			}
		}},
		testCase{"CompletingTwiceKeepsTheFirstRecord", func(h *harness) {
			token := h.mustClaim("k", longLease)
			first := store.Record{
				Fingerprint: "fp", Status: 201, Body: []byte("first"), CompletedAt: completedAt,
			}
			second := store.Record{Fingerprint: "fp", Status: 500, Body: []byte("second")}
			h.complete("k", token, first, longLease)
			h.complete("k", token, second, longLease)

			wantRecord(h, h.wantState("k", store.Completed).Record, first)
		}},
		testCase{"CompletedRecordCannotBeReleasedOrExtended", func(h *harness) {
			token := h.mustClaim("k", longLease)
			h.complete("k", token, store.Record{Status: 200}, longLease)

			h.wantNotOwner("Release after Complete", h.store.Release(h.ctx, "k", token))
			h.wantNotOwner("Extend after Complete", h.store.Extend(h.ctx, "k", token, longLease))
			h.wantState("k", store.Completed)
		}},
		testCase{"StoredRecordDoesNotShareTheCallersBuffers", func(h *harness) {
			token := h.mustClaim("k", longLease)
			rec := store.Record{
				Fingerprint: "fp",
				Status:      200,
				Header:      http.Header{"A": {"1"}},
				Body:        []byte("body"),
				CompletedAt: completedAt,
			}
			h.complete("k", token, rec, longLease)
			rec.Header.Set("A", "changed")
			copy(rec.Body, "XXXX")

			got := h.wantState("k", store.Completed).Record
			got.Header.Set("A", "changed by a reader")
			wantRecord(h, h.wantState("k", store.Completed).Record, store.Record{
				Fingerprint: "fp",
				Status:      200,
				Header:      http.Header{"A": {"1"}},
				Body:        []byte("body"),
				CompletedAt: completedAt,
			})
		}},
	)
}

// wantRecord fails unless got holds what want holds. Nil and empty
// headers and bodies count as equal: the proxy cannot tell them apart.
func wantRecord(h *harness, got *store.Record, want store.Record) {
	h.Helper()
	if got == nil {
		h.Fatalf("record is nil, want %+v", want)
	}
	if got.Fingerprint != want.Fingerprint {
		h.Errorf("Fingerprint = %q, want %q", got.Fingerprint, want.Fingerprint)
	}
	if got.Status != want.Status {
		h.Errorf("Status = %d, want %d", got.Status, want.Status)
	}
	if len(got.Header) != 0 || len(want.Header) != 0 {
		if !reflect.DeepEqual(got.Header, want.Header) {
			h.Errorf("Header = %v, want %v", got.Header, want.Header)
		}
	}
	if !bytes.Equal(got.Body, want.Body) {
		h.Errorf("Body = %q, want %q", got.Body, want.Body)
	}
	if got.BodyOmitted != want.BodyOmitted {
		h.Errorf("BodyOmitted = %t, want %t", got.BodyOmitted, want.BodyOmitted)
	}
	if !got.CompletedAt.Equal(want.CompletedAt) {
		h.Errorf("CompletedAt = %v, want %v", got.CompletedAt, want.CompletedAt)
	}
}
