package index

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// MappingVersion changes whenever the mapping, the analysis or the files an
// index keeps beside Bleve's change, so an index built by an older binary is
// rebuilt rather than misread.
const MappingVersion = 5

// Field names in the index.
const (
	fieldID     = "id"
	fieldDoc    = "doc"
	fieldKind   = "kind"
	fieldText   = "text"
	fieldPeople = "people"   // canonical names of the people a passage mentions
	fieldTopics = "topics"   // thesaurus labels of the topics it is about
	fieldSpeak  = "speakers" // canonical names of the people it quotes
)

const (
	docType      = "passage"
	textAnalyzer = "visitbot_en"
	wordAnalyzer = "visitbot_words"
)

// Indexing options of the fields. Only the text is analyzed and scored by
// its words; people, topics and speakers are labels the query names exactly
// (the thesaurus and the people's roles are matched in memory, see plan).
// Term vectors only where phrase queries need positions; nothing stored but
// the text.
const (
	textOptions    = bleveindex.IndexField | bleveindex.StoreField | bleveindex.IncludeTermVectors
	keywordOptions = bleveindex.IndexField
)

// newMapping is the explicit mapping: nothing is indexed dynamically. The
// build hands Bleve documents it has analyzed itself (see build.go), so the
// mapping is what queries and a reader of the raw index rely on.
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	m.ScoringModel = bleveindex.BM25Scoring
	m.DefaultAnalyzer = textAnalyzer
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	m.DefaultMapping.Enabled = false

	// English analysis for passages: possessives, acronyms, lower case,
	// stop words, irregular verbs, plurals in -ies, Porter stems (so
	// "spies" finds "spying", "culture" finds "cultural", "US" finds
	// "U.S.", "meet" finds "met").
	if err := m.AddCustomAnalyzer(textAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{en.PossessiveName, acronymFilter, lowercase.Name, en.StopName, irregularFilter, pluralFilter, porter.Name},
	}); err != nil {
		return nil, err
	}
	// Words as written, case aside: for typo correction; not indexed.
	if err := m.AddCustomAnalyzer(wordAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{en.PossessiveName, lowercase.Name},
	}); err != nil {
		return nil, err
	}

	keywordField := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	text := bleve.NewTextFieldMapping()
	text.Analyzer = textAnalyzer
	text.Store = true              // the verbatim quote, for readers of the raw index
	text.IncludeTermVectors = true // positions, for phrase matches
	text.IncludeInAll = false
	text.DocValues = false

	dm := bleve.NewDocumentStaticMapping()
	for _, f := range []string{fieldID, fieldDoc, fieldKind, fieldPeople, fieldTopics, fieldSpeak} {
		dm.AddFieldMappingsAt(f, keywordField())
	}
	dm.AddFieldMappingsAt(fieldText, text)
	m.AddDocumentMapping(docType, dm)
	m.DefaultType = docType
	return m, nil
}
