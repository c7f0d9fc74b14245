package bot

import (
	"context"
	"fmt"
	"strings"

	"visitbot/corpus"
	"visitbot/index"
)

// contextRadius is how many paragraphs either side Context shows.
const contextRadius = 2

// coverageNames is how many topics and people a "nothing found" answer names.
const coverageNames = 8

var (
	errNoMore      = corpus.Userf("No more passages match this search.")
	errGonePassage = corpus.Userf("That passage is no longer in the articles; run the command again.")
)

// search answers /issue, /who and /ask: the option's text searched as cmd.
// A value that autocomplete did not offer is searched all the same.
func (b *Bot) search(cmd index.Command, option string) HandlerFunc {
	return func(ctx context.Context, req Request, r Responder) error {
		q := index.Query{Command: cmd, Text: normalize(req.String(option)), Limit: pageSize}
		if err := q.Validate(); err != nil {
			return err
		}
		return b.answer(ctx, q, answerOptions{ephemeral: req.Bool(optPrivate)}, r, false)
	}
}

// more answers a More or Back click: the same search at another offset,
// shown in place of the clicked message.
func (b *Bot) more(ctx context.Context, req Request, r Responder) error {
	st := req.button
	q := index.Query{Command: st.Command, Text: st.Query, Limit: pageSize, Offset: st.Offset}
	if err := q.Validate(); err != nil {
		return fmt.Errorf("bot: button query: %w", errBadButton)
	}
	return b.answer(ctx, q, answerOptions{shortened: st.Shortened}, r, true)
}

// answer runs q and shows its page of results (or says nothing matched),
// as a new message or, for a button, as an update of its message.
func (b *Bot) answer(ctx context.Context, q index.Query, o answerOptions, r Responder, update bool) error {
	s, err := b.searcher()
	if err != nil {
		return err
	}
	res, err := s.Search(ctx, q)
	if err != nil {
		return fmt.Errorf("bot: search: %w", err)
	}
	if len(res.Hits) == 0 {
		if update {
			return errNoMore // a note for the clicker; the answer stays as it was
		}
		topics, people, titles := coverage(s)
		return r.Reply(ctx, renderNothing(q, topics, people, titles, o.ephemeral))
	}
	m := renderAnswer(res, o)
	if update {
		return r.Update(ctx, m)
	}
	return r.Reply(ctx, m)
}

// coverage names what the corpus covers: its main topics and people, or,
// when ingest found none, the titles of its articles.
func coverage(s Searcher) (topics, people, titles []string) {
	topics = s.Suggest(index.Topics, "", coverageNames)
	people = s.Suggest(index.People, "", coverageNames)
	if len(topics) > 0 || len(people) > 0 {
		return topics, people, nil
	}
	var summaries []string
	for _, d := range s.Documents() {
		switch {
		case d.Title == "":
		case d.Kind == corpus.KindArticle:
			titles = append(titles, d.Title)
		default:
			summaries = append(summaries, d.Title)
		}
	}
	if len(titles) == 0 {
		titles = summaries
	}
	return nil, nil, titles[:min(len(titles), 5)]
}

// showContext answers a Context click: the paragraphs around a passage.
func (b *Bot) showContext(ctx context.Context, req Request, r Responder) error {
	s, err := b.searcher()
	if err != nil {
		return err
	}
	ps, doc, ok := s.Neighbours(req.button.Passage, contextRadius)
	if !ok || len(ps) == 0 {
		return fmt.Errorf("bot: context of %q: %w", req.button.Passage, errGonePassage)
	}
	return r.Reply(ctx, renderContext(ps, doc, req.button.Passage))
}

// sources answers /sources: the documents with their dates and links.
func (b *Bot) sources(ctx context.Context, req Request, r Responder) error {
	s, err := b.searcher()
	if err != nil {
		return err
	}
	return r.Reply(ctx, renderSources(s.Documents(), req.Bool(optPrivate)))
}

// help answers /help.
func (b *Bot) help(ctx context.Context, req Request, r Responder) error {
	return r.Reply(ctx, renderHelp())
}

// autocomplete offers topics for /issue's topic and people for /who's
// name. It only reads in-memory lists, so it answers well inside Discord's
// 3 s; before the index is loaded, or for any other option, it offers
// nothing.
func (b *Bot) autocomplete(ctx context.Context, req Request, r Responder) error {
	var facet index.Facet
	var want string
	switch req.Command {
	case cmdIssue:
		facet, want = index.Topics, optTopic
	case cmdWho:
		facet, want = index.People, optName
	case cmdCorpusRemove:
		return b.corpusAutocomplete(ctx, req, r)
	default:
		return r.Autocomplete(ctx, nil)
	}
	opt, ok := req.Focused()
	s, err := b.searcher()
	if !ok || opt.Name != want || err != nil {
		return r.Autocomplete(ctx, nil)
	}
	input, _ := opt.Value.(string)
	return r.Autocomplete(ctx, renderChoices(s.Suggest(facet, normalize(input), maxChoices)))
}

// normalize collapses runs of white space, so "  Wang\n Yi " is "Wang Yi".
func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }
