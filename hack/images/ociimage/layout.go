package main

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// writeLayout writes img as a tar of an OCI image layout: the blobs under
// blobs/sha256/<hex>, index.json and the oci-layout marker, in a fixed
// order with every entry stamped with mtime.
func writeLayout(w io.Writer, img *Image, mtime time.Time) error {
	index, err := img.IndexJSON()
	if err != nil {
		return err
	}

	// A nil data marks a directory.
	type entry struct {
		name string
		data []byte
	}
	entries := []entry{{name: "blobs/"}, {name: "blobs/sha256/"}}
	for _, d := range img.Digests() {
		entries = append(entries, entry{"blobs/sha256/" + strings.TrimPrefix(d, "sha256:"), img.Blobs[d]})
	}
	entries = append(entries, entry{"index.json", index}, entry{"oci-layout", []byte(layoutVersion)})

	tw := tar.NewWriter(w)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(e.data)),
			ModTime: mtime}
		if e.data == nil {
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("writing the layout entry %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return fmt.Errorf("writing the layout entry %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("closing the layout tar: %w", err)
	}
	return nil
}

// writeLayoutFile writes the layout tarball to a temporary file beside out
// and renames it into place, so that a reader never sees half an image.
func writeLayoutFile(out string, img *Image, mtime time.Time) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("creating the output directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return fmt.Errorf("creating the output file: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once the rename succeeded

	if err := writeLayout(tmp, img, mtime); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("setting the mode of %s: %w", out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("moving the image into place: %w", err)
	}
	return nil
}
