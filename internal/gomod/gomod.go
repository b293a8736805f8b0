// Package gomod finds the module the project's generators write into.
package gomod

import (
	"errors"
	"os"
	"path/filepath"
)

// Root is the nearest directory above the working directory that holds
// go.mod: the generators (go run ./cmd/...) write relative to it.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
