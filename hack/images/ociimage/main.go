package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

func main() {
	var (
		spec  Spec
		out   string
		bin   string
		epoch int64
		force bool
	)
	flag.StringVar(&bin, "binary", "", "static binary to put into the image (required)")
	flag.StringVar(&spec.Path, "path", "",
		"absolute path of the binary inside the image, also the entrypoint "+
			"(default /<binary's file name>)")
	flag.StringVar(&spec.Name, "name", "",
		"full image name with a tag, e.g. localhost/idempotency/proxy:e2e (required)")
	flag.StringVar(&out, "out", "", "tarball of the OCI image layout to write (required)")
	flag.StringVar(&spec.OS, "os", "linux", "operating system the binary was built for")
	flag.StringVar(&spec.Architecture, "arch", "amd64",
		"architecture the binary was built for, as GOARCH names it")
	flag.Int64Var(&epoch, "epoch", 0,
		"creation time of the image and of every file in it, in Unix seconds")
	flag.BoolVar(&force, "force", false, "rebuild even when the inputs match the last build")
	flag.Parse()

	if bin == "" || spec.Name == "" || out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: ociimage --binary FILE --name REPO:TAG --out FILE.tar [flags]")
		flag.PrintDefaults()
		os.Exit(2)
	}
	if spec.Path == "" {
		spec.Path = "/" + filepath.Base(bin)
	}
	spec.Created = time.Unix(epoch, 0).UTC()

	digest, built, err := run(spec, bin, out, force)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ociimage: %v\n", err)
		os.Exit(1)
	}
	status := "unchanged"
	if built {
		status = "built"
	}
	fmt.Printf("%s %s (%s)\n", digest, spec.Name, status)
}

// run builds the image of spec around the binary at bin and writes it to
// out, unless the inputs recorded for out match. It returns the manifest
// digest and whether it wrote a new tarball.
func run(spec Spec, bin, out string, force bool) (string, bool, error) {
	binary, err := os.ReadFile(bin)
	if err != nil {
		return "", false, fmt.Errorf("reading the binary: %w", err)
	}

	inputs, err := inputsOf(spec, binary)
	if err != nil {
		return "", false, err
	}
	if !force {
		if digest, ok := unchanged(out, inputs); ok {
			return digest, false, nil
		}
	}

	img, err := Build(spec, binary)
	if err != nil {
		return "", false, err
	}
	if err := writeLayoutFile(out, img, spec.Created); err != nil {
		return "", false, err
	}
	if err := recordInputs(out, inputs, img.Manifest.Digest); err != nil {
		return "", false, err
	}
	return img.Manifest.Digest, true, nil
}
