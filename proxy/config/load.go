package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// ErrNoPolicies is returned by LoadFiles when the paths hold no policy.
var ErrNoPolicies = errors.New("no IdempotencyPolicy or ProxyConfig found")

// Empty returns a document without policies: a proxy that loads it passes
// every request through.
func Empty() *Document {
	return &Document{APIVersion: APIVersion, Kind: Kind, Policies: []Policy{}}
}

// LoadFiles reads IdempotencyPolicy manifests and rendered ProxyConfig
// documents from files and directories (every *.yaml, *.yml and *.json
// directly inside; hidden entries are skipped, which also skips the
// ..data links the kubelet writes into mounted ConfigMaps) and returns them
// as one validated document.
func LoadFiles(paths []string) (*Document, error) {
	files, err := expand(paths)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %w", ErrNoPolicies, err)
		}
		return nil, err
	}
	var (
		policies []v1alpha1.IdempotencyPolicy
		rendered []Policy
	)
	opts := RenderOptions{SecretURLFile: SecretURLPath}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", f, err)
		}
		pol, docs, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		// Render each file's policies on their own first, so that an
		// error names the file it is in; rules across files are checked
		// when everything is rendered together below.
		if _, err := Render(pol, opts); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		policies = append(policies, pol...)
		for _, d := range docs {
			rendered = append(rendered, d.Policies...)
		}
	}
	if len(policies) == 0 && len(rendered) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoPolicies, strings.Join(paths, ", "))
	}

	doc, err := Render(policies, opts)
	if err != nil {
		return nil, err
	}
	if len(rendered) > 0 {
		doc.Policies = append(doc.Policies, rendered...)
		sort.SliceStable(doc.Policies, func(i, j int) bool {
			return policyName(doc.Policies[i].Namespace, doc.Policies[i].Name) <
				policyName(doc.Policies[j].Namespace, doc.Policies[j].Name)
		})
		if err := doc.Validate(); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

// Parse decodes a YAML or JSON stream of IdempotencyPolicy manifests and
// ProxyConfig documents. Unknown fields are errors, so that a typo in a
// field name is reported instead of silently ignored.
func Parse(data []byte) ([]v1alpha1.IdempotencyPolicy, []Document, error) {
	var (
		policies []v1alpha1.IdempotencyPolicy
		docs     []Document
	)
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for n := 1; ; n++ {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("document %d: %w", n, err)
		}
		if len(bytes.TrimSpace(raw)) == 0 || isOnlyComments(raw) {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal(raw, &head); err != nil {
			return nil, nil, fmt.Errorf("document %d: %w", n, err)
		}
		switch {
		case head.APIVersion == v1alpha1.GroupVersion.String() && head.Kind == "IdempotencyPolicy":
			var p v1alpha1.IdempotencyPolicy
			if err := yaml.UnmarshalStrict(raw, &p); err != nil {
				return nil, nil, fmt.Errorf("document %d (IdempotencyPolicy): %w", n, err)
			}
			policies = append(policies, p)
		case head.APIVersion == APIVersion && head.Kind == Kind:
			var d Document
			if err := yaml.UnmarshalStrict(raw, &d); err != nil {
				return nil, nil, fmt.Errorf("document %d (ProxyConfig): %w", n, err)
			}
			docs = append(docs, d)
		default:
			return nil, nil, fmt.Errorf("document %d: apiVersion %q kind %q is neither %s IdempotencyPolicy nor %s %s",
				n, head.APIVersion, head.Kind, v1alpha1.GroupVersion, APIVersion, Kind)
		}
	}
	return policies, docs, nil
}

func isOnlyComments(raw []byte) bool {
	for _, line := range bytes.Split(raw, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' {
			return false
		}
	}
	return true
}

// expand lists the files named by paths, reading directories one level
// deep in name order.
func expand(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("policy path: %w", err)
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("policy directory: %w", err)
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			switch filepath.Ext(name) {
			case ".yaml", ".yml", ".json":
			default:
				continue
			}
			full := filepath.Join(p, name)
			// Stat follows symlinks, as mounted ConfigMaps use them.
			if fi, err := os.Stat(full); err == nil && !fi.IsDir() {
				files = append(files, full)
			}
		}
	}
	return files, nil
}
