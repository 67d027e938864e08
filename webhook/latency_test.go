package webhook_test

import (
	"context"
	"fmt"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/idempotency-operator/idempotency-operator/webhook"
)

// pods is how many pods each half of the latency measurement creates.
const pods = 200

// The numbers are reported, never asserted: test machines are too noisy
// for a timing threshold to mean anything.
var _ = Describe("Admission latency", func() {
	It("is reported for pods created with and without the injector", func() {
		ctx := context.Background()
		enabled := enabledNamespace(ctx, nil)
		withPolicy(ctx, enabled, "orders-redis")
		plain := namespace(ctx, nil)

		// Warm up connections and the cache's informers outside the
		// measurement.
		createPods(ctx, enabled, 10)
		createPods(ctx, plain, 10)

		calls := handlerTimes.calls(webhook.Path)
		histogramBefore := webhookHistogram()
		withInjector := createPods(ctx, enabled, pods)
		handler := handlerTimes.since(webhook.Path, calls)
		histogramAfter := webhookHistogram()

		calls = handlerTimes.calls(webhook.Path)
		withoutInjector := createPods(ctx, plain, pods)
		Expect(handlerTimes.calls(webhook.Path)).To(Equal(calls),
			"the namespaceSelector keeps the API server from calling the injector")

		Expect(handler).To(HaveLen(pods))
		count := histogramAfter.count - histogramBefore.count
		mean := time.Duration(float64(time.Second) * (histogramAfter.sum - histogramBefore.sum) / float64(count))
		report := fmt.Sprintf(`admission latency over %d pods each
  injector handler (server side, decode + Handle + encode):  p50 %v  p99 %v
  controller_runtime_webhook_latency_seconds{webhook=%q}: %d requests, mean %v
  pod create, enabled namespace (client side, with webhook): p50 %v  p99 %v
  pod create, plain namespace (client side, no webhook call): p50 %v  p99 %v`,
			pods,
			percentile(handler, 50), percentile(handler, 99),
			webhook.Path, count, mean.Round(time.Microsecond),
			percentile(withInjector, 50), percentile(withInjector, 99),
			percentile(withoutInjector, 50), percentile(withoutInjector, 99))
		fmt.Fprintln(GinkgoWriter, report)
		AddReportEntry("admission latency", report)
	})
})

// createPods creates n application pods in ns, one after the other, and
// returns how long each creation took.
func createPods(ctx context.Context, ns string, n int) []time.Duration {
	GinkgoHelper()
	times := make([]time.Duration, 0, n)
	for range n {
		pod := appPod(ns)
		start := time.Now()
		Expect(k8sClient.Create(ctx, pod)).To(Succeed())
		times = append(times, time.Since(start))
	}
	return times
}

// percentile returns the p-th percentile of times, by nearest rank.
func percentile(times []time.Duration, p int) time.Duration {
	sorted := slices.Clone(times)
	slices.Sort(sorted)
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1].Round(time.Microsecond)
}

// histogram is the count and sum of a Prometheus histogram.
type histogram struct {
	count uint64
	sum   float64
}

// webhookHistogram reads controller-runtime's latency histogram of the
// injector's path.
func webhookHistogram() histogram {
	GinkgoHelper()
	families, err := ctrlmetrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	for _, f := range families {
		if f.GetName() != "controller_runtime_webhook_latency_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			if labelValue(m, "webhook") == webhook.Path {
				return histogram{count: m.GetHistogram().GetSampleCount(), sum: m.GetHistogram().GetSampleSum()}
			}
		}
	}
	Fail("no controller_runtime_webhook_latency_seconds{webhook=" + webhook.Path + "}")
	return histogram{}
}
