package webhook

import (
	"context"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

// BenchmarkHandle times the injector's handler alone, for a pod it
// injects, reading a fake client rather than the manager's cache.
func BenchmarkHandle(b *testing.B) {
	inj := newInjector(fakeClient(interceptor.Funcs{}), true, nil)
	req := admissionRequest(b, "payments", appPod())
	ctx := context.Background()

	b.ReportAllocs()
	for b.Loop() {
		if resp := inj.Handle(ctx, req); len(resp.Patches) == 0 {
			b.Fatal("the pod was not injected")
		}
	}
}
