package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// The report replaces whatever stands between these markers, so that the
// hand-written text around it survives a new run.
const (
	beginMarker = "<!-- loadbench:begin -->"
	endMarker   = "<!-- loadbench:end -->"
)

// writeReport puts text between the markers of the file at path. A missing
// file is created holding only the report; an existing file without the
// markers is left alone.
func writeReport(path, text string) error {
	block := beginMarker + "\n" + text + endMarker + "\n"
	old, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return os.WriteFile(path, []byte(block), 0o644)
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}

	before, rest, ok := strings.Cut(string(old), beginMarker)
	_, after, ok2 := strings.Cut(rest, endMarker)
	if !ok || !ok2 {
		return fmt.Errorf("%s has no %s ... %s section to replace; add one where the report belongs",
			path, beginMarker, endMarker)
	}
	after = strings.TrimPrefix(after, "\n")
	return os.WriteFile(path, []byte(before+block+after), 0o644)
}
