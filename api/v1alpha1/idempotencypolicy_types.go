package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Mode says whether a policy acts on requests or only reports on them.
// +kubebuilder:validation:Enum=Enforce;Audit
type Mode string

const (
	// ModeEnforce claims keys, replays completed responses and rejects
	// conflicting or mismatched requests.
	ModeEnforce Mode = "Enforce"
	// ModeAudit forwards every request and only records, in metrics and
	// logs, what Enforce would have done.
	ModeAudit Mode = "Audit"
)

// FailureMode says what the proxy does when its store cannot be reached.
// +kubebuilder:validation:Enum=Closed;Open
type FailureMode string

const (
	// FailureClosed answers 503 and never calls the application.
	FailureClosed FailureMode = "Closed"
	// FailureOpen forwards the request without protection.
	FailureOpen FailureMode = "Open"
)

// Concurrency says how a duplicate that arrives while the first request
// with the same key is still running is treated.
// +kubebuilder:validation:Enum=Wait;Reject
type Concurrency string

const (
	// ConcurrencyWait holds the duplicate until the first request completes,
	// then replays its response.
	ConcurrencyWait Concurrency = "Wait"
	// ConcurrencyReject answers the duplicate at once with 409 and
	// Retry-After.
	ConcurrencyReject Concurrency = "Reject"
)

// StoreType names a backend for idempotency records.
// +kubebuilder:validation:Enum=Memory;Redis
type StoreType string

const (
	// StoreMemory keeps records inside each proxy: no extra process, but
	// replicas do not share keys.
	StoreMemory StoreType = "Memory"
	// StoreRedis keeps records in Redis so that every replica shares them.
	StoreRedis StoreType = "Redis"
)

// Defaults applied when a field is left empty.
const (
	DefaultTTL          = "24h"
	DefaultKeyHeader    = "Idempotency-Key"
	DefaultScopeHeader  = "Authorization"
	DefaultMethod       = "POST"
	DefaultWaitTimeout  = "30s"
	DefaultMaxBodyBytes = 1 << 20
)

// IdempotencyPolicySpec lists the routes a policy protects and how.
// +kubebuilder:validation:XValidation:rule="!has(self.store) || self.store.type != 'Redis' || has(self.store.url) || has(self.store.urlSecretRef)",message="store.type Redis needs store.url or store.urlSecretRef"
type IdempotencyPolicySpec struct {
	// Selector picks the pods, by label, that this policy covers. Empty
	// means every injected pod in the namespace.
	// +optional
	Selector *metav1.LabelSelector `json:"selector,omitempty"`

	// Routes are the protected mutation routes.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:XValidation:rule="self.all(r, self.filter(o, o.path == r.path && o.methods.exists(m, m in r.methods)).size() == 1)",message="two routes share the same path and method"
	// +listType=atomic
	Routes []Route `json:"routes"`

	// TTL is how long a completed response is kept for replay, for routes
	// that do not set their own. A Go duration between 1s and 720h (30d).
	// +kubebuilder:default="24h"
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([0-9]+([.][0-9]+)?(ms|s|m|h))+$') || (duration(self) >= duration('1s') && duration(self) <= duration('720h'))",message="ttl must be between 1s and 720h (30 days)"
	// +optional
	TTL string `json:"ttl,omitempty"`

	// Key says where the idempotency key of a request comes from.
	// +optional
	Key KeySource `json:"key,omitempty"`

	// Mode is Enforce (default) or Audit.
	// +kubebuilder:default=Enforce
	// +optional
	Mode Mode `json:"mode,omitempty"`

	// FailureMode is what happens when the store cannot be reached: Closed
	// (default) answers 503 without calling the application, Open forwards
	// without protection.
	// +kubebuilder:default=Closed
	// +optional
	FailureMode FailureMode `json:"failureMode,omitempty"`

	// Store is where idempotency records live.
	// +optional
	Store Store `json:"store,omitempty"`

	// MaxResponseBytes is the largest response body stored for replay.
	// A larger response is delivered to the first caller but never replayed;
	// see the API contract. Default 1 MiB.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=67108864
	// +optional
	MaxResponseBytes *int64 `json:"maxResponseBytes,omitempty"`

	// MaxRequestBytes is the largest request body accepted on a protected
	// route; a larger one is answered 413. Default 1 MiB.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=67108864
	// +optional
	MaxRequestBytes *int64 `json:"maxRequestBytes,omitempty"`

	// ReplayHeaders are response headers replayed in addition to the safe
	// set (Content-Type, Location, ETag, Last-Modified, Link,
	// Cache-Control, Content-Encoding). Set-Cookie and hop-by-hop headers
	// are never replayed.
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=128
	// +kubebuilder:validation:items:Pattern=`^[A-Za-z0-9!#$%&'*+.^_|~-]+$`
	// +kubebuilder:validation:XValidation:rule="self.all(h, !(h.lowerAscii() in ['set-cookie', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authenticate', 'proxy-authorization']))",message="Set-Cookie and hop-by-hop headers are never replayed"
	// +listType=set
	// +optional
	ReplayHeaders []string `json:"replayHeaders,omitempty"`
}

// Route is one protected route: a path template and the methods it
// applies to.
type Route struct {
	// Path is a template such as /api/activities/{id}/accept: literal
	// segments, {name} for one segment, and a final {name...} for the rest.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:Pattern=`^(/([A-Za-z0-9._~!$&'()*+,;=:@%-]+|\{[A-Za-z_][A-Za-z0-9_]*\}))*(/|/\{[A-Za-z_][A-Za-z0-9_]*\.\.\.\})?$`
	Path string `json:"path"`

	// Methods are the HTTP methods protected on this path. Default [POST].
	// +kubebuilder:default={"POST"}
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=4
	// +kubebuilder:validation:items:Enum=POST;PUT;PATCH;DELETE
	// +listType=set
	// +optional
	Methods []string `json:"methods,omitempty"`

	// TTL overrides spec.ttl for this route.
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([0-9]+([.][0-9]+)?(ms|s|m|h))+$') || (duration(self) >= duration('1s') && duration(self) <= duration('720h'))",message="ttl must be between 1s and 720h (30 days)"
	// +optional
	TTL string `json:"ttl,omitempty"`

	// Required rejects a request without a key with 400. When false (the
	// default) such a request passes through unprotected.
	// +optional
	Required bool `json:"required,omitempty"`

	// Concurrency is Wait (default) or Reject.
	// +kubebuilder:default=Wait
	// +optional
	Concurrency Concurrency `json:"concurrency,omitempty"`

	// WaitTimeout bounds how long a duplicate waits for the first request
	// under Concurrency Wait before it is answered 409. Default 30s.
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([0-9]+([.][0-9]+)?(ms|s|m|h))+$') || (duration(self) >= duration('1ms') && duration(self) <= duration('10m'))",message="waitTimeout must be between 1ms and 10m"
	// +optional
	WaitTimeout string `json:"waitTimeout,omitempty"`
}

// KeySource says where the idempotency key is read from.
type KeySource struct {
	// Header carrying the key. Default Idempotency-Key.
	// +kubebuilder:default=Idempotency-Key
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9!#$%&'*+.^_|~-]+$`
	// +optional
	Header string `json:"header,omitempty"`

	// BodyField is a JSON field name (clientMutationId) or a JSON pointer
	// (/input/clientMutationId) read from a JSON request body when the
	// header is absent.
	// +kubebuilder:validation:MaxLength=256
	// +kubebuilder:validation:Pattern=`^(/.*|[^/].*)$`
	// +optional
	BodyField string `json:"bodyField,omitempty"`

	// ScopeHeaders are request headers whose values scope keys to a caller,
	// so that one caller never receives another caller's response.
	// Default [Authorization].
	// +kubebuilder:default={"Authorization"}
	// +kubebuilder:validation:MaxItems=8
	// +kubebuilder:validation:items:MaxLength=128
	// +kubebuilder:validation:items:Pattern=`^[A-Za-z0-9!#$%&'*+.^_|~-]+$`
	// +listType=atomic
	// +optional
	ScopeHeaders []string `json:"scopeHeaders,omitempty"`
}

// Store says where idempotency records live.
// +kubebuilder:validation:XValidation:rule="!(has(self.url) && has(self.urlSecretRef))",message="set store.url or store.urlSecretRef, not both"
// +kubebuilder:validation:XValidation:rule="self.type == 'Redis' || (!has(self.url) && !has(self.urlSecretRef))",message="store.url and store.urlSecretRef apply to type Redis only"
type Store struct {
	// Type is Memory (default) or Redis.
	// +kubebuilder:default=Memory
	// +optional
	Type StoreType `json:"type,omitempty"`

	// URL of the Redis server: redis://, rediss://, redis-sentinel:// or
	// redis-cluster://. Prefer URLSecretRef when the URL holds a password.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^(redis|rediss|redis-sentinel|rediss-sentinel|redis-cluster|rediss-cluster)://`
	// +optional
	URL string `json:"url,omitempty"`

	// URLSecretRef names a key of a Secret in the policy's namespace that
	// holds the Redis URL.
	// +optional
	URLSecretRef *SecretKeyRef `json:"urlSecretRef,omitempty"`

	// KeyPrefix is prepended to every Redis key. Default "idem:".
	// +kubebuilder:validation:MaxLength=64
	// +optional
	KeyPrefix string `json:"keyPrefix,omitempty"`
}

// SecretKeyRef names one key of a Secret in the same namespace.
type SecretKeyRef struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// Key within the Secret. Default "url".
	// +kubebuilder:default=url
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Key string `json:"key,omitempty"`
}

// IdempotencyPolicyStatus reports whether the policy is accepted, rendered
// into the proxy configuration and enforced by the pods it selects.
type IdempotencyPolicyStatus struct {
	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Accepted, Programmed, Enforced and Ready.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// ConfigHash is the hash of the rendered proxy configuration that
	// holds this policy.
	// +optional
	ConfigHash string `json:"configHash,omitempty"`

	// Routes is the number of protected routes.
	// +optional
	Routes int32 `json:"routes,omitempty"`

	// SelectedPods is the number of pods the selector matches.
	// +optional
	SelectedPods int32 `json:"selectedPods,omitempty"`

	// EnforcedPods is the number of selected pods whose proxy has loaded
	// ConfigHash.
	// +optional
	EnforcedPods int32 `json:"enforcedPods,omitempty"`

	// Enforced reads as enforcedPods/selectedPods, for kubectl get.
	// +optional
	Enforced string `json:"enforced,omitempty"`
}

// IdempotencyPolicy makes the mutation routes it lists idempotent for the
// pods it selects.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=idp,categories=idempotency
// +kubebuilder:printcolumn:name="Mode",type=string,JSONPath=`.spec.mode`
// +kubebuilder:printcolumn:name="Routes",type=integer,JSONPath=`.status.routes`
// +kubebuilder:printcolumn:name="Enforced",type=string,JSONPath=`.status.enforced`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type IdempotencyPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   IdempotencyPolicySpec   `json:"spec"`
	Status IdempotencyPolicyStatus `json:"status,omitempty"`
}

// IdempotencyPolicyList is a list of IdempotencyPolicy.
//
// +kubebuilder:object:root=true
type IdempotencyPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []IdempotencyPolicy `json:"items"`
}
