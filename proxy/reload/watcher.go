package reload

import (
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/config"
)

// Loader applies a new configuration; the proxy's Load satisfies it.
type Loader func(*config.Document) error

// Status describes the last load attempt, for the admin endpoint.
type Status struct {
	// Hash of the active configuration; empty before the first good load.
	Hash string `json:"hash"`
	// LoadedAt is when the active configuration was loaded.
	LoadedAt time.Time `json:"loadedAt,omitzero"`
	// Policies are the namespace/name of the active policies.
	Policies []string `json:"policies"`
	// LastError is why the newest files were not loaded, if they were not.
	LastError string `json:"lastError,omitempty"`
}

// Watcher loads configuration files and reloads them when they change.
type Watcher struct {
	paths    []string
	load     Loader
	log      *slog.Logger
	interval time.Duration

	// Also lists files outside the policy paths whose changes trigger a
	// reload too, such as the pod's labels. Set it before the first load.
	Also []string

	// AllowEmpty treats paths that are missing or hold no policy as an
	// empty configuration rather than an error. A sidecar needs it: its
	// namespace may have no policy yet, and its configuration then
	// appears later.
	AllowEmpty bool

	// OnError, when set before Run, learns of every failed attempt: files
	// that do not parse or validate as well as configurations the loader
	// refused.
	OnError func(error)

	mu      sync.Mutex
	status  Status
	lastSum [sha256.Size]byte
}

// New returns a Watcher for paths that applies what it reads with load.
func New(paths []string, load Loader, interval time.Duration, log *slog.Logger) *Watcher {
	if interval <= 0 {
		interval = time.Second
	}
	return &Watcher{paths: paths, load: load, log: log, interval: interval}
}

// LoadNow reads and applies the files if their content changed since the
// last attempt. It returns the error of this attempt, if any.
func (w *Watcher) LoadNow() error {
	sum := w.checksum()
	w.mu.Lock()
	defer w.mu.Unlock()
	if sum == w.lastSum && (w.status.Hash != "" || w.status.LastError != "") {
		return nil
	}
	w.lastSum = sum

	doc, err := config.LoadFiles(w.paths)
	if w.AllowEmpty && errors.Is(err, config.ErrNoPolicies) {
		doc, err = config.Empty(), nil
	}
	if err == nil {
		err = w.load(doc)
	}
	if err != nil {
		if w.OnError != nil {
			w.OnError(err)
		}
		w.status.LastError = err.Error()
		if w.status.Hash != "" {
			w.log.Error("Keeping the last good configuration: the policy files are invalid",
				"hash", w.status.Hash, "error", err)
		}
		return err
	}
	w.status = Status{Hash: doc.Hash(), LoadedAt: time.Now(), Policies: policyNames(doc)}
	return nil
}

// Run reloads the files every interval until ctx is done.
func (w *Watcher) Run(ctx context.Context) {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = w.LoadNow()
		}
	}
}

// Status returns the outcome of the last load.
func (w *Watcher) Status() Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.status
	s.Policies = append([]string(nil), s.Policies...)
	return s
}

// checksum hashes the names and contents of every file under the paths,
// so that an edit, a new file or a removed one is noticed.
func (w *Watcher) checksum() [sha256.Size]byte {
	h := sha256.New()
	for _, p := range append(append([]string(nil), w.paths...), w.Also...) {
		var files []string
		_ = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				// A missing or unreadable path is part of the state: it
				// is retried when it changes, not on every tick.
				h.Write([]byte("error:" + path + ":" + err.Error()))
				return nil
			}
			if path != p && d.IsDir() {
				return filepath.SkipDir
			}
			files = append(files, path)
			return nil
		})
		sort.Strings(files)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				continue // a directory, or a file removed meanwhile
			}
			h.Write([]byte(f))
			h.Write(data)
		}
	}
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

func policyNames(doc *config.Document) []string {
	names := make([]string, 0, len(doc.Policies))
	for _, p := range doc.Policies {
		if p.Namespace != "" {
			names = append(names, p.Namespace+"/"+p.Name)
		} else {
			names = append(names, p.Name)
		}
	}
	return names
}
