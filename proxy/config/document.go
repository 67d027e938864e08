package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// The identity of the rendered document. A proxy refuses documents of any
// other apiVersion, so the format can evolve without silent misreads.
const (
	APIVersion = "proxy.idempotency.io/v1"
	Kind       = "ProxyConfig"
)

// Document is the rendered proxy configuration.
type Document struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// Policies are sorted by namespace and name.
	Policies []Policy `json:"policies"`
}

// Policy is one IdempotencyPolicy with every default resolved.
type Policy struct {
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	Generation int64  `json:"generation,omitempty"`
	// Selector picks the pods, by label, that enforce this policy; nil
	// means all of them.
	Selector    *metav1.LabelSelector `json:"selector,omitempty"`
	Mode        v1alpha1.Mode         `json:"mode"`
	FailureMode v1alpha1.FailureMode  `json:"failureMode"`
	Key         Key                   `json:"key"`
	Store       Store                 `json:"store"`
	// MaxRequestBytes bounds the request body read on protected routes.
	MaxRequestBytes int64 `json:"maxRequestBytes"`
	// MaxResponseBytes bounds the response body stored for replay.
	MaxResponseBytes int64 `json:"maxResponseBytes"`
	// ReplayHeaders are replayed in addition to the safe set.
	ReplayHeaders []string `json:"replayHeaders,omitempty"`
	Routes        []Route  `json:"routes"`
}

// Key says where the idempotency key comes from.
type Key struct {
	Header       string   `json:"header"`
	BodyField    string   `json:"bodyField,omitempty"`
	ScopeHeaders []string `json:"scopeHeaders,omitempty"`
}

// Store says where records live. For Redis, the URL is either inline or
// read from URLFile (a mounted Secret), never both.
type Store struct {
	Type      v1alpha1.StoreType `json:"type"`
	URL       string             `json:"url,omitempty"`
	URLFile   string             `json:"urlFile,omitempty"`
	KeyPrefix string             `json:"keyPrefix,omitempty"`
}

// Route is one protected route.
type Route struct {
	Path        string               `json:"path"`
	Methods     []string             `json:"methods"`
	TTL         Duration             `json:"ttl"`
	Required    bool                 `json:"required,omitempty"`
	Concurrency v1alpha1.Concurrency `json:"concurrency"`
	WaitTimeout Duration             `json:"waitTimeout"`
}

// Duration is a time.Duration written as a Go duration string ("24h0m0s").
type Duration struct {
	time.Duration
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.String())
}

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// Hash identifies the document's content: two documents with the same
// policies have the same hash, whichever process rendered them.
func (d *Document) Hash() string {
	b, err := json.Marshal(d)
	if err != nil {
		// Every field of Document marshals; this cannot happen.
		panic(err)
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
