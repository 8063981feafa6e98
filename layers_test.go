package main

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// layers is the house as drawn in the README's developer section: each of banksale's packages
// and the packages of banksale it may import (tests may import more). The root package, main,
// wires them all and is not listed.
var layers = map[string][]string{
	"model":               {},
	"termtext":            {},
	"storage":             {"model"},
	"storage/storagetest": {"model", "storage"},
	"sync/top":            {},
	"sync/top/toptest":    {"sync/top"},
	"sync":                {"model", "sync/top"},
	"orderfile":           {"model"},
	"statement":           {"model"},
	"desk":                {"model", "orderfile"},
	"ui":                  {"model", "termtext"},
	"demo":                {"model", "storage", "sync/top/toptest"},
}

// TestLayers fails when a package imports one of banksale's packages that its layer does not
// allow, and when a package appears that the table does not place.
func TestLayers(t *testing.T) {
	const module = "banksale"
	var dirs []string
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() && path != "." {
			dirs = append(dirs, filepath.ToSlash(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		pkg, err := build.ImportDir(dir, 0)
		if _, none := err.(*build.NoGoError); none {
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		allowed, placed := layers[dir]
		if !placed {
			t.Errorf("package %s is not in the layer table: give it its one job and what it may import", dir)
			continue
		}
		for _, imp := range pkg.Imports { // not test imports: a test may use the real parts
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			if ours := strings.TrimPrefix(imp, module+"/"); !slices.Contains(allowed, ours) {
				t.Errorf("%s imports %s; its layer allows only %v", dir, ours, allowed)
			}
		}
	}
}
