package main

// The subset of the OCI image specification that a single-layer image
// needs. Field order fixes the JSON encoding, and with it the digests.

const (
	mediaTypeIndex    = "application/vnd.oci.image.index.v1+json"
	mediaTypeManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaTypeConfig   = "application/vnd.oci.image.config.v1+json"
	mediaTypeLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"

	// annotationRefName carries the tag inside the layout, as the OCI
	// image layout specification defines it.
	annotationRefName = "org.opencontainers.image.ref.name"
	// annotationImageName carries the full image name; containerd names
	// the imported image after it.
	annotationImageName = "io.containerd.image.name"

	// layoutVersion is the content of the oci-layout file.
	layoutVersion = `{"imageLayoutVersion":"1.0.0"}`
)

// Descriptor points at a blob by digest and size.
type Descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    *Platform         `json:"platform,omitempty"`
}

// Platform names the operating system and architecture an image runs on.
type Platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

// Index is the entry point of an image layout: index.json.
type Index struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Manifests     []Descriptor `json:"manifests"`
}

// Manifest lists the config and the layers of one image.
type Manifest struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Config        Descriptor   `json:"config"`
	Layers        []Descriptor `json:"layers"`
}

// Config is the image configuration: how to run the image and which
// uncompressed layers make up its root file system.
type Config struct {
	Created      string    `json:"created"`
	Architecture string    `json:"architecture"`
	OS           string    `json:"os"`
	Config       RunConfig `json:"config"`
	RootFS       RootFS    `json:"rootfs"`
	History      []History `json:"history"`
}

// RunConfig is what the runtime uses to start a container of the image.
type RunConfig struct {
	User       string   `json:"User"`
	Env        []string `json:"Env"`
	Entrypoint []string `json:"Entrypoint"`
	WorkingDir string   `json:"WorkingDir"`
}

// RootFS lists the digests of the uncompressed layers, bottom first.
type RootFS struct {
	Type    string   `json:"type"`
	DiffIDs []string `json:"diff_ids"`
}

// History describes how one layer came to be.
type History struct {
	Created   string `json:"created"`
	CreatedBy string `json:"created_by"`
}
