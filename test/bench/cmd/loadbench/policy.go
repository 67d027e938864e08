package main

import (
	"fmt"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"
)

// passthroughPolicy writes a copy of the policy at path without the route
// the benchmark sends to, and returns the copy's path. A proxy loaded with
// it passes the benchmark's requests through unprotected while still
// holding the other eight routes, so the passthrough rows measure the
// same application work as the protected ones.
func passthroughPolicy(path, dir string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading policy: %w", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("parsing policy %s: %w", path, err)
	}

	spec, _ := doc["spec"].(map[string]any)
	routes, _ := spec["routes"].([]any)
	kept := make([]any, 0, len(routes))
	for _, r := range routes {
		if m, ok := r.(map[string]any); ok && m["path"] == benchPath {
			continue
		}
		kept = append(kept, r)
	}
	if len(kept) == len(routes) {
		return "", fmt.Errorf("policy %s has no route %s to leave out", path, benchPath)
	}
	spec["routes"] = kept

	out, err := yaml.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("writing passthrough policy: %w", err)
	}
	outPath := filepath.Join(dir, "passthrough-policy.yaml")
	if err := os.WriteFile(outPath, out, 0o644); err != nil {
		return "", fmt.Errorf("writing passthrough policy: %w", err)
	}
	return outPath, nil
}
