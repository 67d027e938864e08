package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"testing"
	"time"
)

// testSpec is the spec the tests build from unless they say otherwise.
func testSpec() Spec {
	return Spec{
		Name:         "localhost/idempotency/proxy:e2e",
		Path:         "/idempotency-proxy",
		OS:           "linux",
		Architecture: "amd64",
		Created:      time.Unix(0, 0).UTC(),
	}
}

// entry is one file of a tar, as the tests inspect it.
type entry struct {
	hdr  *tar.Header
	data []byte
}

// readTar lists the entries of a tar in order.
func readTar(t *testing.T, r io.Reader) []entry {
	t.Helper()
	var entries []entry
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return entries
		}
		if err != nil {
			t.Fatalf("reading the tar: %v", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("reading %s: %v", hdr.Name, err)
		}
		entries = append(entries, entry{hdr: hdr, data: data})
	}
}

// layoutOf builds the image of spec around binary and returns its layout
// tarball.
func layoutOf(t *testing.T, spec Spec, binary []byte) []byte {
	t.Helper()
	img, err := Build(spec, binary)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	var buf bytes.Buffer
	if err := writeLayout(&buf, img, spec.Created); err != nil {
		t.Fatalf("writeLayout: %v", err)
	}
	return buf.Bytes()
}

// files maps the regular files of a layout tarball by name.
func files(t *testing.T, layout []byte) map[string][]byte {
	t.Helper()
	byName := map[string][]byte{}
	for _, e := range readTar(t, bytes.NewReader(layout)) {
		if e.hdr.Typeflag == tar.TypeReg {
			byName[e.hdr.Name] = e.data
		}
	}
	return byName
}

// blob returns the blob a descriptor points at in a layout's files.
func blob(t *testing.T, byName map[string][]byte, d Descriptor) []byte {
	t.Helper()
	data, ok := byName["blobs/sha256/"+d.Digest[len("sha256:"):]]
	if !ok {
		t.Fatalf("the layout has no blob %s", d.Digest)
	}
	return data
}

func decode(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
}

func gunzip(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("opening the layer: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("decompressing the layer: %v", err)
	}
	return out
}
