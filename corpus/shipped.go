package corpus

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// shipped holds the documents the binary answers from with no files around
// it. The article is kept as it was scraped, under a front-matter header.
//
//go:embed shipped/*.md
var shipped embed.FS

// Shipped loads the embedded documents, sorted by ID and tagged with the
// shipped thesaurus.
func Shipped() (Set, error) {
	docs, err := LoadFS(shipped, "shipped")
	if err != nil {
		return Set{}, err
	}
	th, err := ShippedThesaurus()
	if err != nil {
		return Set{}, err
	}
	return NewSet(docs, th), nil
}

// LoadFS loads every .md, .txt and .html file in dir of fsys.
func LoadFS(fsys fs.FS, dir string) ([]*Document, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("corpus: read %s: %w", dir, err)
	}
	var docs []*Document
	for _, e := range entries {
		switch path.Ext(e.Name()) {
		case ".md", ".txt", ".html", ".htm":
		default:
			continue
		}
		name := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("corpus: read %s: %w", name, err)
		}
		d, err := Load(e.Name(), data, Meta{})
		if err != nil {
			return nil, fmt.Errorf("corpus: load %s: %w", name, err)
		}
		docs = append(docs, d)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	return docs, nil
}
