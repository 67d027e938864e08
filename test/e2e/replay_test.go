//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/rand"
)

// replayedHeader marks an answer the proxy replayed from the store.
const replayedHeader = "Idempotent-Replayed"

// newKey returns an idempotency key no earlier run used.
func newKey(what string) string {
	return fmt.Sprintf("e2e-%s-%d-%s", what, time.Now().UnixNano(), rand.String(6))
}

// expectEffects checks the side effects summed over the pods' apps.
func expectEffects(ctx context.Context, list []*corev1.Pod, want int, why string) {
	total, err := pods.totalEffects(ctx, list)
	Expect(err).NotTo(HaveOccurred())
	Expect(total).To(Equal(want), "side effects over both replicas (GET /_effects on port %d): %s", appPort, why)
}

// expectRetryAcrossReplicasReplayed sends a mutation to one replica and
// its retry to the other.
func expectRetryAcrossReplicasReplayed(ctx context.Context, app sampleApp) {
	list := app.readyPods(ctx)
	a, b := list[0], list[1]
	Expect(pods.resetEffects(ctx, list)).To(Succeed())
	key := newKey("retry")

	By(fmt.Sprintf("sending POST /api/pairs/create to replica %s", a.Name))
	first, err := pods.mutate(ctx, a, "/api/pairs/create", key)
	Expect(err).NotTo(HaveOccurred())
	Expect(first.status).To(Equal(201), "first answer: %s", first)
	Expect(first.header.Get(replayedHeader)).To(BeEmpty())

	By(fmt.Sprintf("retrying with the same key on replica %s", b.Name))
	retry, err := pods.mutate(ctx, b, "/api/pairs/create", key)
	Expect(err).NotTo(HaveOccurred())
	Expect(retry.status).To(Equal(first.status), "retry: %s; first: %s", retry, first)
	Expect(string(retry.body)).To(Equal(string(first.body)))
	Expect(retry.header.Get(replayedHeader)).To(Equal("true"),
		"the retry was not replayed: do both proxies use Redis %s? kubectl -n %s logs %s -c idempotency-proxy",
		redis.url(), app.ns, b.Name)
	GinkgoWriter.Printf("first: %s\nretry: %s (%s: %s)\n", first, retry, replayedHeader, retry.header.Get(replayedHeader))

	expectEffects(ctx, list, 1, "the retry must not reach the app")
}

// expectConcurrentDuplicatesExecutedOnce sends 50 requests with one key at
// once, alternating between the replicas.
func expectConcurrentDuplicatesExecutedOnce(ctx context.Context, app sampleApp) {
	const duplicates = 50
	list := app.readyPods(ctx)
	Expect(pods.resetEffects(ctx, list)).To(Succeed())
	key := newKey("concurrent")
	path := "/api/activities/" + rand.String(8) + "/accept"

	By(fmt.Sprintf("sending %d duplicates of POST %s at once over both replicas", duplicates, path))
	answers := make([]response, duplicates)
	errs := make([]error, duplicates)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range duplicates {
		wg.Add(1)
		go func() {
			defer GinkgoRecover()
			defer wg.Done()
			<-start
			answers[i], errs[i] = pods.mutate(ctx, list[i%2], path, key)
		}()
	}
	close(start)
	wg.Wait()

	replayed := 0
	for i := range duplicates {
		Expect(errs[i]).NotTo(HaveOccurred())
		Expect(answers[i].status).To(Equal(200), "duplicate %d: %s", i, answers[i])
		Expect(string(answers[i].body)).To(Equal(string(answers[0].body)), "duplicate %d got another body", i)
		if answers[i].header.Get(replayedHeader) == "true" {
			replayed++
		}
	}
	Expect(replayed).To(Equal(duplicates-1), "all duplicates but the one executed are replayed")
	expectEffects(ctx, list, 1, "one of the duplicates executes, the others wait for it and get its answer")
}
