package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ReadPodLabels reads a pod's labels from the file the Kubernetes
// downward API writes: one key="value" line per label, value quoted as a
// Go string.
func ReadPodLabels(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading pod labels: %w", err)
	}
	labels := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("pod labels %s line %d: want key=\"value\"", path, n)
		}
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		}
		labels[k] = v
	}
	return labels, sc.Err()
}
