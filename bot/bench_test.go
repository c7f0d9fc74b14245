package bot

import (
	"context"
	"testing"

	"github.com/bwmarrin/discordgo"

	"visitbot/corpus/corpustest"
	"visitbot/index"
)

// discard is a transport that drops what it is given.
type discard struct{}

func (discard) respond(context.Context, *discordgo.InteractionResponse) error { return nil }
func (discard) editOriginal(context.Context, *discordgo.WebhookEdit) error    { return nil }
func (discard) followup(context.Context, *discordgo.WebhookParams) error      { return nil }

func benchServe(b *testing.B, s Searcher, i *discordgo.Interaction) {
	bot := New(Options{DeferAfter: never})
	bot.SetSearcher(s)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		bot.serve(ctx, i, discard{})
	}
}

func autocompleteFor(cmd, opt, input string) *discordgo.Interaction {
	i := command("", cmd, &discordgo.ApplicationCommandInteractionDataOption{
		Name: opt, Type: discordgo.ApplicationCommandOptionString, Value: input, Focused: true})
	i.Type = discordgo.InteractionApplicationCommandAutocomplete
	return i
}

// BenchmarkAutocomplete answers autocomplete for people and topics over a
// synthetic 20k-passage corpus: the whole path from interaction to choices.
func BenchmarkAutocomplete(b *testing.B) {
	set, err := corpustest.Synthetic(1, 20_000)
	if err != nil {
		b.Fatal(err)
	}
	ix, err := index.Build(context.Background(), set, index.BuildOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	if ix.Suggest(index.People, "", 1) == nil {
		b.Log("the synthetic corpus has no people")
	}
	for _, tc := range []struct{ name, cmd, opt, input string }{
		{"who/empty", "who", "name", ""},
		{"who/prefix", "who", "name", "wa"},
		{"who/substring", "who", "name", "an"},
		{"issue/prefix", "issue", "topic", "se"},
	} {
		b.Run(tc.name, func(b *testing.B) { benchServe(b, ix, autocompleteFor(tc.cmd, tc.opt, tc.input)) })
	}
}

// BenchmarkAnswer answers /issue seafood on the shipped corpus: search,
// rendering and the limits check.
func BenchmarkAnswer(b *testing.B) {
	benchServe(b, shippedIndex(b), command("", "issue", stringOpt("topic", "seafood")))
}

// BenchmarkRenderLongPassages renders three passages that must be cut to
// fit the description.
func BenchmarkRenderLongPassages(b *testing.B) {
	res := index.Result{
		Query: index.Query{Command: index.Ask, Text: "seafood ban wastewater", Limit: pageSize},
		Hits: []index.Hit{
			hit(article, 1, 1, longText(5000), "seafood", "ban", "wastewater"),
			hit(article, 2, 2, longText(3000), "seafood"),
			hit(summary, 3, 3, longText(9000), "wastewater"),
		},
		Total: 12,
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := checkLimits(renderAnswer(res, answerOptions{})); err != nil {
			b.Fatal(err)
		}
	}
}
