// Package corpus knows what a document and a passage are, and how to get them
// out of the files people actually have: scraped plain text, Markdown with YAML
// front matter, and HTML pages.
//
// Its rules:
//   - A passage is a paragraph of the source, byte for byte. Cleaning drops
//     whole paragraphs (site boilerplate, separators, metadata lines); it never
//     edits the text of one it keeps.
//   - Metadata is found, never invented: a field the source does not state stays
//     empty (a document with no known URL has URL "").
//   - The package imports neither the search index nor Discord; it is the domain
//     the other packages share.
package corpus
