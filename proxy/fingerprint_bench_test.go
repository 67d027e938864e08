package proxy

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func BenchmarkFingerprintJSON(b *testing.B) {
	body := []byte(`{"clientMutationId":"m-1","matchId":"m-42","answers":[1,2,3],"note":"hello"}`)
	r := httptest.NewRequest("POST", "/api/match/accept?x=1", strings.NewReader(""))
	r.Header.Set("Content-Type", "application/json")
	b.ReportAllocs()
	for b.Loop() {
		canon, _, err := canonicalize(nil, body, []string{"clientMutationId"})
		if err != nil {
			b.Fatal(err)
		}
		_ = fingerprint(r, body, canon)
		_ = storeKey("ns/p", "/api/match/accept", []string{"Authorization"}, r, "m-1")
	}
}
