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

// MappingVersion changes whenever the mapping or the analysis changes, so an
// index built by an older binary is rebuilt rather than misread.
const MappingVersion = 2

// Field names in the index.
const (
	fieldID     = "id"
	fieldDoc    = "doc"
	fieldKind   = "kind"
	fieldText   = "text"
	fieldPeople = "people"
	fieldTopics = "topics"
	fieldSpeak  = "speakers"
	fieldPara   = "paragraph"
)

const (
	docType      = "passage"
	textAnalyzer = "visitbot_en"
	nameAnalyzer = "visitbot_name"
)

// passageDoc is what Bleve indexes for one passage.
type passageDoc struct {
	ID        string   `json:"id"`
	Doc       string   `json:"doc"`
	Kind      string   `json:"kind"`
	Text      string   `json:"text"`
	People    []string `json:"people"`
	Topics    []string `json:"topics"`
	Speakers  []string `json:"speakers"`
	Paragraph float64  `json:"paragraph"`
}

// BleveType lets Bleve pick the passage mapping.
func (passageDoc) BleveType() string { return docType }

// newMapping is the explicit mapping: nothing is indexed dynamically.
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	m.ScoringModel = bleveindex.BM25Scoring
	m.DefaultAnalyzer = textAnalyzer
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	m.DefaultMapping.Enabled = false

	// English analysis for passages: possessives, lower case, stop words,
	// Porter stems (so "spies" finds "spying", "culture" finds "cultural").
	if err := m.AddCustomAnalyzer(textAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{en.PossessiveName, acronymFilter, lowercase.Name, en.StopName, pluralFilter, porter.Name},
	}); err != nil {
		return nil, err
	}
	// Words as written, case aside: for typo correction, not indexed.
	if err := m.AddCustomAnalyzer(nameAnalyzer, map[string]any{
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
	text.IncludeTermVectors = true // positions for highlighting and coverage
	text.IncludeInAll = false
	text.DocValues = false

	// People (names with their roles), topics (thesaurus phrases) and
	// speakers are analyzed like the text, so one analysis of the query
	// serves every field.
	side := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = textAnalyzer
		f.Store = false
		f.IncludeTermVectors = true // which query terms matched, for coverage
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}

	para := bleve.NewNumericFieldMapping()
	para.Store = false
	para.IncludeInAll = false
	para.DocValues = false

	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(fieldID, keywordField())
	dm.AddFieldMappingsAt(fieldDoc, keywordField())
	dm.AddFieldMappingsAt(fieldKind, keywordField())
	dm.AddFieldMappingsAt(fieldText, text)
	dm.AddFieldMappingsAt(fieldPeople, side())
	dm.AddFieldMappingsAt(fieldTopics, side())
	dm.AddFieldMappingsAt(fieldSpeak, side())
	dm.AddFieldMappingsAt(fieldPara, para)
	m.AddDocumentMapping(docType, dm)
	m.DefaultType = docType
	return m, nil
}
