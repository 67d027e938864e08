package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// Spec describes an image around one static binary.
type Spec struct {
	// Name is the full image name with a tag, e.g.
	// localhost/idempotency/proxy:e2e.
	Name string
	// Path is where the binary lives in the image; it is also the
	// entrypoint.
	Path string
	// OS and Architecture are the platform the binary was built for.
	OS, Architecture string
	// Created is the time stamped on the image and on every file in it.
	Created time.Time
}

// Image is a built image: the blobs that make it up and the descriptor of
// its manifest, as index.json lists it.
type Image struct {
	Manifest Descriptor
	// Blobs holds the layer, config and manifest by digest.
	Blobs map[string][]byte
}

// Build makes the single-layer image that spec describes.
func Build(spec Spec, binary []byte) (*Image, error) {
	tag, err := tagOf(spec.Name)
	if err != nil {
		return nil, err
	}
	if !path.IsAbs(spec.Path) || path.Clean(spec.Path) != spec.Path || spec.Path == "/" {
		return nil, fmt.Errorf("binary path %q must be an absolute, clean file path", spec.Path)
	}

	created := spec.Created.UTC().Format(time.RFC3339)
	lyr, err := buildLayer(rootFS(spec.Path, binary), spec.Created)
	if err != nil {
		return nil, err
	}
	img := &Image{Blobs: map[string][]byte{}}
	layerDesc := img.add(mediaTypeLayer, lyr.compressed)

	config, err := json.Marshal(Config{
		Created:      created,
		Architecture: spec.Architecture,
		OS:           spec.OS,
		Config: RunConfig{
			User:       fmt.Sprintf("%d:%d", nonroot, nonroot),
			Env:        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
			Entrypoint: []string{spec.Path},
			WorkingDir: "/",
		},
		RootFS:  RootFS{Type: "layers", DiffIDs: []string{lyr.diffID}},
		History: []History{{Created: created, CreatedBy: "ociimage: " + spec.Path}},
	})
	if err != nil {
		return nil, fmt.Errorf("encoding the image config: %w", err)
	}
	configDesc := img.add(mediaTypeConfig, config)

	manifest, err := json.Marshal(Manifest{
		SchemaVersion: 2,
		MediaType:     mediaTypeManifest,
		Config:        configDesc,
		Layers:        []Descriptor{layerDesc},
	})
	if err != nil {
		return nil, fmt.Errorf("encoding the image manifest: %w", err)
	}
	img.Manifest = img.add(mediaTypeManifest, manifest)
	img.Manifest.Annotations = map[string]string{
		annotationImageName: spec.Name,
		annotationRefName:   tag,
	}
	img.Manifest.Platform = &Platform{Architecture: spec.Architecture, OS: spec.OS}
	return img, nil
}

// IndexJSON returns the index.json of a layout that holds only img.
func (img *Image) IndexJSON() ([]byte, error) {
	index, err := json.Marshal(Index{
		SchemaVersion: 2,
		MediaType:     mediaTypeIndex,
		Manifests:     []Descriptor{img.Manifest},
	})
	if err != nil {
		return nil, fmt.Errorf("encoding the image index: %w", err)
	}
	return index, nil
}

// Digests returns the digests of img's blobs in sorted order.
func (img *Image) Digests() []string {
	digests := make([]string, 0, len(img.Blobs))
	for d := range img.Blobs {
		digests = append(digests, d)
	}
	sort.Strings(digests)
	return digests
}

func (img *Image) add(mediaType string, data []byte) Descriptor {
	d := digestOf(data)
	img.Blobs[d] = data
	return Descriptor{MediaType: mediaType, Digest: d, Size: int64(len(data))}
}

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// tagOf returns the tag of a full image name. A name without a tag, or one
// pinned by digest, cannot name an image being built.
func tagOf(name string) (string, error) {
	if strings.Contains(name, "@") {
		return "", fmt.Errorf("image name %q must carry a tag, not a digest", name)
	}
	slash := strings.LastIndex(name, "/")
	colon := strings.LastIndex(name, ":")
	if colon <= slash || colon == len(name)-1 || colon == 0 {
		return "", fmt.Errorf("image name %q must end in :<tag>", name)
	}
	return name[colon+1:], nil
}
