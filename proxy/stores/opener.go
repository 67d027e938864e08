package stores

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
	"github.com/idempotency-operator/idempotency-operator/proxy/config"
	"github.com/idempotency-operator/idempotency-operator/proxy/store"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/memory"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/redis"
)

// Options configure an Opener.
type Options struct {
	// Override, when set, replaces every policy's store: "memory" or a
	// Redis URL. It serves the standalone proxy's --store flag.
	Override string
	// Memory configures the embedded memory store.
	Memory memory.Options
	// Redis configures Redis clients.
	Redis redis.Options
}

// Opener opens and caches stores. It is safe for concurrent use.
type Opener struct {
	opts Options

	mu     sync.Mutex
	memory store.Store
	redis  map[string]store.Store
}

// New returns an Opener.
func New(opts Options) *Opener {
	return &Opener{opts: opts, redis: map[string]store.Store{}}
}

// Open returns the store for a policy's store settings.
func (o *Opener) Open(s config.Store) (store.Store, error) {
	if o.opts.Override != "" {
		if o.opts.Override == "memory" {
			s = config.Store{Type: v1alpha1.StoreMemory}
		} else {
			s = config.Store{Type: v1alpha1.StoreRedis, URL: o.opts.Override, KeyPrefix: s.KeyPrefix}
		}
	}

	o.mu.Lock()
	defer o.mu.Unlock()
	switch s.Type {
	case v1alpha1.StoreMemory, "":
		if o.memory == nil {
			o.memory = memory.New(o.opts.Memory)
		}
		return o.memory, nil
	case v1alpha1.StoreRedis:
		url := s.URL
		if s.URLFile != "" {
			data, err := os.ReadFile(s.URLFile)
			if err != nil {
				return nil, fmt.Errorf("reading the Redis URL from the mounted Secret (or use the --store flag): %w", err)
			}
			url = strings.TrimSpace(string(data))
		}
		id := s.KeyPrefix + "\x00" + url
		if st, ok := o.redis[id]; ok {
			return st, nil
		}
		ropts := o.opts.Redis
		if s.KeyPrefix != "" {
			ropts.KeyPrefix = s.KeyPrefix
		}
		st, err := redis.New(url, ropts)
		if err != nil {
			return nil, err
		}
		o.redis[id] = st
		return st, nil
	}
	return nil, fmt.Errorf("unknown store type %q", s.Type)
}

// All returns every store opened so far, for readiness checks.
func (o *Opener) All() []store.Store {
	o.mu.Lock()
	defer o.mu.Unlock()
	var all []store.Store
	if o.memory != nil {
		all = append(all, o.memory)
	}
	for _, st := range o.redis {
		all = append(all, st)
	}
	return all
}

// Ping checks that every one of sts answers.
func Ping(ctx context.Context, sts []store.Store) error {
	for _, st := range sts {
		if err := st.Ping(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Close closes every store opened so far.
func (o *Opener) Close() error {
	var errs []error
	for _, st := range o.All() {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}
