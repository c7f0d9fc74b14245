// Package index is everything Bleve: the versioned mapping, the analyzers, the
// build (in memory or on disk, in batches, with progress), and the one query
// each command runs.
//
// Its rules:
//   - It is the only package that imports Bleve.
//   - User text never reaches Bleve's query-string syntax: it is analyzed into
//     terms and each term becomes a term (or fuzzy) query, so "+title:x -foo"
//     or "*" are just words.
//   - A search is one Bleve request; relevance decisions that Bleve cannot
//     make (how much of the question a passage covers) are made on its hits.
//   - Passage text comes from the corpus the index was built from, so a quote
//     is always the verbatim paragraph.
package index
