package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"
)

// nonroot is the user and group the image runs as. 65532 is the
// conventional "nonroot" of minimal images; any UID other than 0 satisfies
// runAsNonRoot.
const nonroot = 65532

// file is one entry of the image's root file system.
type file struct {
	name string // relative to the root; directories end in a slash
	mode int64
	uid  int
	data []byte
}

// rootFS lists the files of an image that runs the binary at binPath: the
// binary, owned by root so that the process cannot rewrite it, the user
// database naming nonroot (so that tools and libraries that look the user
// up find a name and a home), nonroot's home and a world-writable /tmp
// with the sticky bit.
func rootFS(binPath string, binary []byte) []file {
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\n"+
		"nonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", nonroot, nonroot)
	group := fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", nonroot)

	files := []file{
		{name: strings.TrimPrefix(binPath, "/"), mode: 0o755, data: binary},
		{name: "etc/passwd", mode: 0o644, data: []byte(passwd)},
		{name: "etc/group", mode: 0o644, data: []byte(group)},
		{name: "home/nonroot/", mode: 0o700, uid: nonroot},
		{name: "tmp/", mode: 0o1777},
	}
	return withParents(files)
}

// withParents adds the missing parent directories of files (root-owned,
// mode 0755) and sorts the result by name, so that every directory comes
// before its contents and the order never depends on the caller.
func withParents(files []file) []file {
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		seen[f.name] = true
	}
	for _, f := range files {
		for dir := path.Dir(strings.TrimSuffix(f.name, "/")); dir != "."; dir = path.Dir(dir) {
			if !seen[dir+"/"] {
				seen[dir+"/"] = true
				files = append(files, file{name: dir + "/", mode: 0o755})
			}
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files
}

// layer is a gzip-compressed tar of a root file system.
type layer struct {
	compressed []byte
	// diffID is the digest of the uncompressed tar, which the image config
	// lists; the manifest refers to the compressed blob by its own digest.
	diffID string
}

// buildLayer writes files into a tar, every entry stamped with mtime, and
// compresses it. gzip's header carries no name and no time, so equal
// files give equal bytes.
func buildLayer(files []file, mtime time.Time) (layer, error) {
	var compressed bytes.Buffer
	zw := gzip.NewWriter(&compressed)
	uncompressed := sha256.New()
	tw := tar.NewWriter(io.MultiWriter(zw, uncompressed))

	for _, f := range files {
		hdr := &tar.Header{
			Name:    f.name,
			Mode:    f.mode,
			Uid:     f.uid,
			Gid:     f.uid,
			ModTime: mtime,
		}
		if strings.HasSuffix(f.name, "/") {
			hdr.Typeflag = tar.TypeDir
		} else {
			hdr.Typeflag = tar.TypeReg
			hdr.Size = int64(len(f.data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return layer{}, fmt.Errorf("writing the layer entry %s: %w", f.name, err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return layer{}, fmt.Errorf("writing the layer entry %s: %w", f.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return layer{}, fmt.Errorf("closing the layer tar: %w", err)
	}
	if err := zw.Close(); err != nil {
		return layer{}, fmt.Errorf("compressing the layer: %w", err)
	}

	return layer{
		compressed: compressed.Bytes(),
		diffID:     "sha256:" + hex.EncodeToString(uncompressed.Sum(nil)),
	}, nil
}
