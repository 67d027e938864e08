package main

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

func policy(namespace, name string, routes int) *v1alpha1.IdempotencyPolicy {
	p := &v1alpha1.IdempotencyPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec:       v1alpha1.IdempotencyPolicySpec{TTL: "24h"},
	}
	for i := range routes {
		p.Spec.Routes = append(p.Spec.Routes, v1alpha1.Route{
			Path: fmt.Sprintf("/api/%s/things/{id}/step%d", name, i),
		})
	}
	return p
}

func namespace(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name:   name,
		Labels: map[string]string{v1alpha1.InjectionLabel: v1alpha1.InjectionEnabled},
	}}
}

// measureChanges times policy updates until the namespace's ConfigMap
// carries a new configuration hash, seen through a watch: the time from
// the update's request (what kubectl apply sends) to the rendered
// configuration the proxies mount.
func measureChanges(ctx context.Context, c client.WithWatch, n int, timeout time.Duration) ([]time.Duration, error) {
	const ns = "change-latency"
	if err := c.Create(ctx, namespace(ns)); err != nil {
		return nil, err
	}
	p := policy(ns, "orders", 3)
	if err := c.Create(ctx, p); err != nil {
		return nil, err
	}

	var cm corev1.ConfigMap
	key := client.ObjectKey{Namespace: ns, Name: v1alpha1.ConfigMapName}
	deadline := time.Now().Add(timeout)
	for c.Get(ctx, key, &cm) != nil || cm.Annotations[v1alpha1.ConfigHashAnnotation] == "" {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no ConfigMap rendered for the first policy after %s", timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	prev := cm.Annotations[v1alpha1.ConfigHashAnnotation]

	var out []time.Duration
	for i := range n {
		w, err := c.Watch(ctx, &corev1.ConfigMapList{}, client.InNamespace(ns))
		if err != nil {
			return nil, err
		}
		before := p.DeepCopy()
		p.Spec.TTL = fmt.Sprintf("%dm", 60+i)
		start := time.Now()
		if err := c.Patch(ctx, p, client.MergeFrom(before)); err != nil {
			w.Stop()
			return nil, err
		}
		hash, seenAt, err := awaitNewHash(w, prev, timeout)
		w.Stop()
		if err != nil {
			return nil, fmt.Errorf("change %d: %w", i+1, err)
		}
		out = append(out, seenAt.Sub(start))
		prev = hash
	}
	return out, nil
}

// awaitNewHash reads ConfigMap events until the hash annotation differs
// from prev, and returns the new hash and when it was seen.
func awaitNewHash(w watch.Interface, prev string, timeout time.Duration) (string, time.Time, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				return "", time.Time{}, fmt.Errorf("the watch closed")
			}
			cm, isCM := ev.Object.(*corev1.ConfigMap)
			if !isCM || cm.Name != v1alpha1.ConfigMapName {
				continue
			}
			if h := cm.Annotations[v1alpha1.ConfigHashAnnotation]; h != "" && h != prev {
				return h, time.Now(), nil
			}
		case <-timer.C:
			return "", time.Time{}, fmt.Errorf("no new configuration after %s", timeout)
		}
	}
}

// programmed counts the policies whose Programmed condition is True for
// their current generation.
func programmed(ctx context.Context, c client.Client) (int, error) {
	var list v1alpha1.IdempotencyPolicyList
	if err := c.List(ctx, &list); err != nil {
		return 0, err
	}
	n := 0
	for _, p := range list.Items {
		cond := apimeta.FindStatusCondition(p.Status.Conditions, v1alpha1.ConditionProgrammed)
		if cond != nil && cond.Status == metav1.ConditionTrue && cond.ObservedGeneration == p.Generation {
			n++
		}
	}
	return n, nil
}

// measureScale creates many policies at once and waits until every one
// is Programmed, sampling the manager's memory meanwhile.
func measureScale(ctx context.Context, c client.Client, mgr *managerProcess, o options, r *report) error {
	baseline, _ := programmed(ctx, c)
	total := o.namespaces * o.perNamespace

	start := time.Now()
	for i := range o.namespaces {
		if err := c.Create(ctx, namespace(fmt.Sprintf("scale-%03d", i))); err != nil {
			return err
		}
	}
	jobs := make(chan *v1alpha1.IdempotencyPolicy)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				if err := c.Create(ctx, p); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i := range o.namespaces {
		for j := range o.perNamespace {
			jobs <- policy(fmt.Sprintf("scale-%03d", i), fmt.Sprintf("policy-%02d", j), 3)
		}
	}
	close(jobs)
	wg.Wait()
	r.created = time.Since(start)
	select {
	case err := <-errs:
		return fmt.Errorf("creating policies: %w", err)
	default:
	}

	deadline := time.Now().Add(o.timeout)
	for {
		done, err := programmed(ctx, c)
		if err != nil {
			return err
		}
		if rss, _, err := mgr.memory(); err == nil && rss > r.maxRSS {
			r.maxRSS = rss
		}
		if done-baseline >= total {
			r.allProgrammed = time.Since(start)
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d policies Programmed after %s", done-baseline, total, o.timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, peak, err := mgr.memory()
	if err != nil {
		return err
	}
	r.peakRSS = peak
	return nil
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p*float64(len(s))+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}
