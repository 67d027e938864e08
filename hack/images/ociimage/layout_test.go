package main

import (
	"archive/tar"
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestLayoutHoldsOneImageNamedForContainerd(t *testing.T) {
	layout := layoutOf(t, testSpec(), []byte("binary"))

	var names []string
	for _, e := range readTar(t, bytes.NewReader(layout)) {
		names = append(names, e.hdr.Name)
	}
	if len(names) != 7 || names[0] != "blobs/" || names[1] != "blobs/sha256/" ||
		names[5] != "index.json" || names[6] != "oci-layout" {
		t.Fatalf("layout entries = %v, want blobs/, blobs/sha256/, three blobs, index.json "+
			"and oci-layout", names)
	}

	byName := files(t, layout)
	if got := string(byName["oci-layout"]); got != `{"imageLayoutVersion":"1.0.0"}` {
		t.Errorf("oci-layout = %s", got)
	}
	var index Index
	decode(t, byName["index.json"], &index)
	if index.SchemaVersion != 2 || index.MediaType != mediaTypeIndex || len(index.Manifests) != 1 {
		t.Fatalf("index.json = %+v, want one manifest in a v2 OCI index", index)
	}
	m := index.Manifests[0]
	want := map[string]string{
		"io.containerd.image.name":          "localhost/idempotency/proxy:e2e",
		"org.opencontainers.image.ref.name": "e2e",
	}
	if m.MediaType != mediaTypeManifest || !reflect.DeepEqual(m.Annotations, want) {
		t.Errorf("manifest descriptor = %+v, want an OCI manifest annotated with %v", m, want)
	}
}

func TestEveryBlobIsNamedAndSizedByItsContent(t *testing.T) {
	byName := files(t, layoutOf(t, testSpec(), []byte("binary")))

	for name, data := range byName {
		hex, ok := strings.CutPrefix(name, "blobs/sha256/")
		if ok && digestOf(data) != "sha256:"+hex {
			t.Errorf("blob %s holds content with digest %s", name, digestOf(data))
		}
	}

	var index Index
	decode(t, byName["index.json"], &index)
	var manifest Manifest
	manifestDesc := index.Manifests[0]
	manifestData := blob(t, byName, manifestDesc)
	decode(t, manifestData, &manifest)
	if int64(len(manifestData)) != manifestDesc.Size {
		t.Errorf("manifest size = %d, descriptor says %d", len(manifestData), manifestDesc.Size)
	}

	for _, d := range append([]Descriptor{manifest.Config}, manifest.Layers...) {
		if got := int64(len(blob(t, byName, d))); got != d.Size {
			t.Errorf("blob %s has %d bytes, descriptor says %d", d.Digest, got, d.Size)
		}
	}

	var config Config
	decode(t, blob(t, byName, manifest.Config), &config)
	layer := gunzip(t, blob(t, byName, manifest.Layers[0]))
	if len(config.RootFS.DiffIDs) != 1 || config.RootFS.DiffIDs[0] != digestOf(layer) {
		t.Errorf("config diff_ids = %v, want the digest of the uncompressed layer %s",
			config.RootFS.DiffIDs, digestOf(layer))
	}
}

func TestConfigRunsTheBinaryAsNonroot(t *testing.T) {
	byName := files(t, layoutOf(t, testSpec(), []byte("binary")))
	var index Index
	decode(t, byName["index.json"], &index)
	var manifest Manifest
	decode(t, blob(t, byName, index.Manifests[0]), &manifest)
	var config Config
	decode(t, blob(t, byName, manifest.Config), &config)

	if config.OS != "linux" || config.Architecture != "amd64" {
		t.Errorf("platform = %s/%s, want linux/amd64", config.OS, config.Architecture)
	}
	if config.Created != "1970-01-01T00:00:00Z" {
		t.Errorf("created = %s, want the epoch", config.Created)
	}
	if config.Config.User != "65532:65532" {
		t.Errorf("user = %q, want 65532:65532", config.Config.User)
	}
	if !reflect.DeepEqual(config.Config.Entrypoint, []string{"/idempotency-proxy"}) {
		t.Errorf("entrypoint = %v, want [/idempotency-proxy]", config.Config.Entrypoint)
	}
}

func TestLayerHoldsTheBinaryUserDatabaseAndTmp(t *testing.T) {
	spec := testSpec()
	spec.Path = "/usr/local/bin/app"
	lyr, err := buildLayer(rootFS(spec.Path, []byte("binary")), spec.Created)
	if err != nil {
		t.Fatal(err)
	}

	type meta struct {
		typ      byte
		mode     int64
		uid, gid int
	}
	dir := meta{typ: tar.TypeDir, mode: 0o755}
	want := map[string]struct {
		meta    meta
		content string
	}{
		"etc/":      {meta: dir},
		"etc/group": {meta{tar.TypeReg, 0o644, 0, 0}, "root:x:0:\nnonroot:x:65532:\n"},
		"etc/passwd": {meta{tar.TypeReg, 0o644, 0, 0}, "root:x:0:0:root:/root:/sbin/nologin\n" +
			"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"},
		"home/":             {meta: dir},
		"home/nonroot/":     {meta: meta{tar.TypeDir, 0o700, 65532, 65532}},
		"tmp/":              {meta: meta{tar.TypeDir, 0o1777, 0, 0}},
		"usr/":              {meta: dir},
		"usr/local/":        {meta: dir},
		"usr/local/bin/":    {meta: dir},
		"usr/local/bin/app": {meta{tar.TypeReg, 0o755, 0, 0}, "binary"},
	}

	entries := readTar(t, bytes.NewReader(gunzip(t, lyr.compressed)))
	if len(entries) != len(want) {
		t.Errorf("layer has %d entries, want %d", len(entries), len(want))
	}
	for i, e := range entries {
		if i > 0 && entries[i-1].hdr.Name >= e.hdr.Name {
			t.Errorf("entry %s follows %s: entries are not sorted", e.hdr.Name, entries[i-1].hdr.Name)
		}
		w, ok := want[e.hdr.Name]
		if !ok {
			t.Errorf("unexpected layer entry %s", e.hdr.Name)
			continue
		}
		got := meta{typ: e.hdr.Typeflag, mode: e.hdr.Mode, uid: e.hdr.Uid, gid: e.hdr.Gid}
		if got != w.meta || string(e.data) != w.content {
			t.Errorf("entry %s = %+v %q, want %+v %q", e.hdr.Name, got, e.data, w.meta, w.content)
		}
		if !e.hdr.ModTime.Equal(spec.Created) {
			t.Errorf("entry %s has mtime %v, want %v", e.hdr.Name, e.hdr.ModTime, spec.Created)
		}
	}
}
