//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// The sample policies users apply, under config/samples.
const (
	samplePolicyFile      = "idempotency_v1alpha1_idempotencypolicy.yaml"
	sampleRedisPolicyFile = "idempotency_v1alpha1_idempotencypolicy_redis.yaml"
)

// samplePolicy reads a sample policy of config/samples into namespace ns.
func samplePolicy(ns, file string) *v1alpha1.IdempotencyPolicy {
	data, err := os.ReadFile(filepath.Join(env.root, "config", "samples", file))
	Expect(err).NotTo(HaveOccurred())
	policy := &v1alpha1.IdempotencyPolicy{}
	Expect(yaml.UnmarshalStrict(data, policy)).To(Succeed(), "decoding config/samples/%s", file)
	policy.Namespace = ns
	return policy
}

// sampleRedisPolicy is the sample policy with the Redis store, pointed at
// the suite's Redis server.
func sampleRedisPolicy(ns string) *v1alpha1.IdempotencyPolicy {
	policy := samplePolicy(ns, sampleRedisPolicyFile)
	Expect(policy.Spec.Store.Type).To(Equal(v1alpha1.StoreRedis))
	policy.Spec.Store.URL = redis.url()
	return policy
}

// getPolicy reads a policy.
func getPolicy(ctx context.Context, ns, name string) (*v1alpha1.IdempotencyPolicy, error) {
	policy := &v1alpha1.IdempotencyPolicy{}
	err := k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, policy)
	return policy, err
}

// enforcedAs fails until the policy's status describes its current
// generation, with Enforced and Ready True and enforced reading want
// ("2/2"). It returns the policy.
func enforcedAs(ctx context.Context, ns, name, want string) (*v1alpha1.IdempotencyPolicy, error) {
	policy, err := getPolicy(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	if err := statusCurrent(policy); err != nil {
		return nil, err
	}
	for _, t := range []string{v1alpha1.ConditionEnforced, v1alpha1.ConditionReady} {
		c := meta.FindStatusCondition(policy.Status.Conditions, t)
		if c == nil || c.Status != metav1.ConditionTrue {
			return nil, fmt.Errorf("policy %s/%s: %s", ns, name, describeConditions(policy))
		}
	}
	if policy.Status.Enforced != want {
		return nil, fmt.Errorf("policy %s/%s: enforced %q, want %q; %s",
			ns, name, policy.Status.Enforced, want, describeConditions(policy))
	}
	return policy, nil
}

// statusCurrent fails while the status describes an older generation.
func statusCurrent(policy *v1alpha1.IdempotencyPolicy) error {
	if policy.Status.ObservedGeneration != policy.Generation {
		return fmt.Errorf("policy %s/%s: status describes generation %d, the spec is at %d "+
			"(is the controller running? kubectl -n %s logs deployment/%s)",
			policy.Namespace, policy.Name, policy.Status.ObservedGeneration, policy.Generation,
			operatorNamespace, operatorDeployment)
	}
	return nil
}

// describeConditions writes the policy's conditions on one line.
func describeConditions(policy *v1alpha1.IdempotencyPolicy) string {
	if len(policy.Status.Conditions) == 0 {
		return "no conditions yet"
	}
	var parts []string
	for _, c := range policy.Status.Conditions {
		parts = append(parts, fmt.Sprintf("%s=%s (%s: %s)", c.Type, c.Status, c.Reason, c.Message))
	}
	sort.Strings(parts)
	return "enforced " + policy.Status.Enforced + ", " + strings.Join(parts, "; ")
}

// kubectlPath finds the kubectl to show users' views with: $KUBECTL, the
// one built for the local cluster, or the one on PATH.
func kubectlPath() string {
	if k := os.Getenv("KUBECTL"); k != "" {
		return k
	}
	if built, _ := filepath.Glob(filepath.Join(env.root, "bin", "k8s", "*", "kubectl")); len(built) > 0 {
		sort.Strings(built)
		return built[len(built)-1]
	}
	if k, err := exec.LookPath("kubectl"); err == nil {
		return k
	}
	return ""
}

// kubectl runs kubectl against the suite's cluster and returns what it
// printed; without kubectl it says so instead.
func kubectl(ctx context.Context, args ...string) string {
	k := kubectlPath()
	if k == "" {
		return "(kubectl not found; set KUBECTL)"
	}
	cmd := exec.CommandContext(ctx, k, append([]string{"--kubeconfig", env.kubeconfig}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Sprintf("%s(kubectl %s: %v)", out, strings.Join(args, " "), err)
	}
	return string(out)
}

// showPolicies prints kubectl get idp for the namespace, as a user sees it.
func showPolicies(ctx context.Context, ns string) {
	GinkgoWriter.Printf("$ kubectl get idp -n %s\n%s", ns, kubectl(ctx, "get", "idp", "-n", ns))
}

// dumpNamespace prints what a user would look at after a failure.
func dumpNamespace(ctx context.Context, ns string) {
	GinkgoWriter.Printf("\n--- state of namespace %s after the failure ---\n", ns)
	for _, args := range [][]string{
		{"get", "pods,idp,configmaps,jobs", "-o", "wide", "-n", ns},
		{"describe", "idp", "-n", ns},
		{"get", "events", "--sort-by=.lastTimestamp", "-n", ns},
		{"logs", "--tail=30", "--prefix", "-l", "app.kubernetes.io/name", "-c", v1alpha1.ProxyContainerName, "-n", ns},
		{"logs", "--tail=30", "--prefix", "-l", "control-plane=controller-manager", "-n", operatorNamespace},
	} {
		GinkgoWriter.Printf("$ kubectl %s\n%s\n", strings.Join(args, " "), kubectl(ctx, args...))
	}
}
