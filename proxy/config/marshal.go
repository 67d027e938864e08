package config

import "sigs.k8s.io/yaml"

// Marshal writes the document as YAML, the form the controller stores in
// the ConfigMap that proxies mount.
func (d *Document) Marshal() ([]byte, error) {
	return yaml.Marshal(d)
}
