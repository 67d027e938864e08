package standalone

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// configMapVolume is a directory laid out the way the kubelet mounts a
// ConfigMap: each key is a symbolic link through ..data into a hidden,
// versioned directory, and an update swaps ..data in one rename.
type configMapVolume struct {
	t       *testing.T
	dir     string
	version int
	keys    map[string]string
}

// mountConfigMap creates a volume holding files, by key.
func mountConfigMap(t *testing.T, files map[string]string) *configMapVolume {
	t.Helper()
	v := &configMapVolume{t: t, dir: t.TempDir()}
	v.update(files)
	return v
}

// update replaces the volume's content with files, by key, in the order
// the kubelet uses: new versioned directory, atomic swap of ..data, links
// for new keys, removal of the links of deleted keys and of the old
// version.
func (v *configMapVolume) update(files map[string]string) {
	v.t.Helper()
	v.version++
	version := fmt.Sprintf("..version_%d", v.version)
	must := func(err error) {
		if err != nil {
			v.t.Fatal(err)
		}
	}

	must(os.Mkdir(filepath.Join(v.dir, version), 0o755))
	for key, content := range files {
		must(os.WriteFile(filepath.Join(v.dir, version, key), []byte(content), 0o644))
	}
	tmp := filepath.Join(v.dir, "..data_tmp")
	must(os.Symlink(version, tmp))
	must(os.Rename(tmp, filepath.Join(v.dir, "..data")))

	for key := range files {
		if _, ok := v.keys[key]; !ok {
			must(os.Symlink(filepath.Join("..data", key), filepath.Join(v.dir, key)))
		}
	}
	for key := range v.keys {
		if _, ok := files[key]; !ok {
			must(os.Remove(filepath.Join(v.dir, key)))
		}
	}
	if v.version > 1 {
		must(os.RemoveAll(filepath.Join(v.dir, fmt.Sprintf("..version_%d", v.version-1))))
	}
	v.keys = files
}
