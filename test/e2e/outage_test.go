//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// expectStoreOutageFailsClosed stops Redis under the running proxies, then
// starts it again on the same port.
func expectStoreOutageFailsClosed(ctx context.Context, app sampleApp) {
	before := app.readyPods(ctx)
	Expect(pods.resetEffects(ctx, before)).To(Succeed())

	By("stopping Redis at " + redis.addr())
	Expect(redis.stop()).To(Succeed())
	// Whatever happens below, the next specs need Redis back.
	DeferCleanup(func() {
		if redis.cmd == nil {
			Expect(redis.restart()).To(Succeed())
		}
	})

	for _, pod := range before {
		By("sending a mutation to " + pod.Name + " with the store down (failureMode Closed)")
		r, err := pods.mutate(ctx, pod, "/api/pairs/create", newKey("outage"))
		Expect(err).NotTo(HaveOccurred())
		Expect(r.status).To(Equal(http.StatusServiceUnavailable), "answer with Redis down: %s", r)
		Expect(r.header.Get("Content-Type")).To(Equal("application/problem+json"))
		Expect(string(r.body)).To(ContainSubstring("store-unavailable"))
		GinkgoWriter.Printf("%s answered with Redis down: %s\n", pod.Name, r)
	}
	expectEffects(ctx, before, 0, "with the store down and failureMode Closed the app must not be called")

	By("starting Redis again on " + redis.addr())
	Expect(redis.restart()).To(Succeed())

	By("waiting for a mutation to execute again, then retrying it on the other replica")
	key := newKey("recovered")
	Eventually(func(ctx context.Context) error {
		r, err := pods.mutate(ctx, before[0], "/api/pairs/create", key)
		if err != nil {
			return err
		}
		if r.status != http.StatusCreated {
			return fmt.Errorf("pod %s answered %s", before[0].Name, strings.TrimSpace(r.String()))
		}
		return nil
	}).WithContext(ctx).WithTimeout(time.Minute).WithPolling(time.Second).Should(Succeed(),
		"the proxy did not reconnect to Redis %s: kubectl -n %s logs %s -c idempotency-proxy",
		redis.url(), app.ns, before[0].Name)
	retry, err := pods.mutate(ctx, before[1], "/api/pairs/create", key)
	Expect(err).NotTo(HaveOccurred())
	Expect(retry.status).To(Equal(http.StatusCreated), "retry: %s", retry)
	Expect(retry.header.Get(replayedHeader)).To(Equal("true"), "the retry after the outage was not replayed")
	expectEffects(ctx, before, 1, "after Redis is back, a mutation and its retry execute once")

	expectSamePodsNotRestarted(ctx, app.ns, app.labels(), before)
}
