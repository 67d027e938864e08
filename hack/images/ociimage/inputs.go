package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
)

// formatVersion changes whenever ociimage lays out an image differently,
// so that a new ociimage rebuilds images an older one wrote.
const formatVersion = 1

// inputs identifies everything an image is made from. The Go release is
// part of it because the compressed layer depends on its gzip encoder.
type inputs struct {
	Format int    `json:"format"`
	Go     string `json:"go"`
	Binary string `json:"binary"`
	Spec   Spec   `json:"spec"`
}

// record is what the <out>.inputs file holds: the inputs of the last build
// and the manifest digest they gave.
type record struct {
	Inputs string `json:"inputs"`
	Digest string `json:"digest"`
}

// inputsOf returns the digest of the inputs of the image spec describes.
func inputsOf(spec Spec, binary []byte) (string, error) {
	data, err := json.Marshal(inputs{
		Format: formatVersion,
		Go:     runtime.Version(),
		Binary: digestOf(binary),
		Spec:   spec,
	})
	if err != nil {
		return "", fmt.Errorf("encoding the image inputs: %w", err)
	}
	return digestOf(data), nil
}

// unchanged reports whether out exists and was built from the same inputs,
// and if so, the manifest digest of the image in it.
func unchanged(out, inputs string) (string, bool) {
	if _, err := os.Stat(out); err != nil {
		return "", false
	}
	data, err := os.ReadFile(out + ".inputs")
	if err != nil {
		return "", false
	}
	var last record
	if err := json.Unmarshal(data, &last); err != nil || last.Inputs != inputs || last.Digest == "" {
		return "", false
	}
	return last.Digest, true
}

// recordInputs writes the inputs and the digest of the image just written
// to out, for the next run's unchanged check.
func recordInputs(out, inputs, digest string) error {
	data, err := json.Marshal(record{Inputs: inputs, Digest: digest})
	if err != nil {
		return fmt.Errorf("encoding the inputs record: %w", err)
	}
	if err := os.WriteFile(out+".inputs", append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("recording the image inputs: %w", err)
	}
	return nil
}
