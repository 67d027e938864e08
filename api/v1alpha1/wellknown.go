package v1alpha1

// Labels and annotations users and the operator put on namespaces and pods.
const (
	// InjectionLabel on a namespace, set to InjectionEnabled, makes new pods
	// there get the idempotency proxy as a sidecar.
	InjectionLabel = "idempotency.io/injection"
	// InjectionEnabled is the value of InjectionLabel that enables injection.
	InjectionEnabled = "enabled"
	// InjectLabel on a pod, set to "false", opts the pod out of injection.
	InjectLabel = "idempotency.io/inject"

	// ProxyPortAnnotation on a pod overrides the port the proxy listens on.
	ProxyPortAnnotation = "idempotency.io/proxy-port"
	// AppPortAnnotation on a pod names the application's port the proxy
	// forwards to; without it, the first declared container port is used.
	AppPortAnnotation = "idempotency.io/app-port"

	// InjectedAnnotation records the proxy version the webhook injected.
	InjectedAnnotation = "idempotency.io/injected"
	// InjectedConfigHashAnnotation records the namespace's configuration
	// hash at injection time.
	InjectedConfigHashAnnotation = "idempotency.io/injected-config-hash"
)

// Names shared by the controller, which renders the configuration, and the
// webhook, which mounts it into pods.
const (
	// ProxyContainerName is the name of the injected sidecar container.
	ProxyContainerName = "idempotency-proxy"
	// ProxyPortName names the container port the proxy serves traffic on;
	// Services target it to send traffic through the proxy.
	ProxyPortName = "idempotency"
	// AdminPortName names the proxy's admin port.
	AdminPortName = "idem-admin"
	// DefaultProxyPort is the proxy's port when no annotation overrides it.
	DefaultProxyPort = 8080
	// DefaultAdminPort is the proxy's admin port.
	DefaultAdminPort = 9901

	// ConfigMapName is the ConfigMap, one per namespace, that holds the
	// rendered proxy configuration of every policy in the namespace.
	ConfigMapName = "idempotency-proxy-config"
	// ConfigMapKey is the ConfigMap key holding the rendered document.
	ConfigMapKey = "config.yaml"
	// ConfigHashAnnotation on the ConfigMap records the document's hash.
	ConfigHashAnnotation = "idempotency.io/config-hash"

	// ConfigMountPath is where the sidecar mounts the ConfigMap.
	ConfigMountPath = "/etc/idempotency/config"
	// PodInfoMountPath is where the sidecar mounts its pod's labels (file
	// "labels", written by the downward API).
	PodInfoMountPath = "/etc/idempotency/podinfo"
	// SecretsMountPath is where the sidecar mounts Secrets that hold Redis
	// URLs: SecretsMountPath/<secret name>/<key>.
	SecretsMountPath = "/etc/idempotency/secrets"

	// ManagedByLabel marks objects the operator creates.
	ManagedByLabel = "app.kubernetes.io/managed-by"
	// ManagedByValue is the value of ManagedByLabel.
	ManagedByValue = "idempotency-operator"
)

// Condition types reported in IdempotencyPolicyStatus.Conditions.
const (
	// ConditionAccepted: the spec is valid and conflicts with no other
	// policy.
	ConditionAccepted = "Accepted"
	// ConditionProgrammed: the policy is rendered into its namespace's
	// proxy configuration.
	ConditionProgrammed = "Programmed"
	// ConditionEnforced: every selected pod runs the sidecar and has loaded
	// the current configuration.
	ConditionEnforced = "Enforced"
	// ConditionReady: Accepted, Programmed and Enforced all hold.
	ConditionReady = "Ready"
)
