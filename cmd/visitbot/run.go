package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"visitbot/corpus"
)

const usage = `visitbot answers questions about news articles with verbatim, cited passages.

Usage:
  visitbot ask [--json] [--limit N] "/issue seafood"   answer one command from the terminal
  visitbot eval [--verbose] FILE                       score answers against a JSONL eval set
  visitbot run [--env FILE] [--guild ID]               run the Discord bot over the gateway (DISCORD_TOKEN)
  visitbot serve [--env FILE] [--addr HOST:PORT]       serve Discord's HTTP interactions endpoint (DISCORD_PUBLIC_KEY)
  visitbot register [--env FILE] [--guild ID]          register the slash commands with Discord and exit
  visitbot commands [--json]                           list the slash commands (--json: exactly what is registered)
  visitbot corpus add|rm|ls|refresh ...                keep the corpus in DATA_DIR: add or remove articles
  visitbot help                                        show this help

Commands you can ask:
  /issue <topic>      passages about a topic, e.g. /issue seafood
  /who <person>       passages about a person, e.g. /who Wang Yi
  /ask <question>     passages that answer a question, e.g. /ask why did China ban Japanese seafood?

Run "visitbot <command> --help" for the flags of a command.
`

// usageError is a mistake in how visitbot was called: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// errHelp means help was printed as asked: exit status 0.
var errHelp = errors.New("help shown")

// run is the whole program; main only supplies the process's context,
// arguments, environment and streams, so tests drive it exactly as main does.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		// Configured as a bot, the bare command runs it (what a container
		// or a service manager starts); otherwise it explains itself.
		if hasToken(getenv) {
			return runGateway(ctx, nil, getenv, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return nil
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "ask":
		return runAsk(ctx, rest, getenv, stdout, stderr)
	case "eval":
		return runEval(ctx, rest, stdout, stderr)
	case "corpus":
		return runCorpus(ctx, rest, getenv, stdout, stderr)
	case "run":
		return runGateway(ctx, rest, getenv, stdout, stderr)
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "register":
		return runRegister(ctx, rest, getenv, stdout, stderr)
	case "commands":
		return runCommands(rest, stdout)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return usagef("Unknown command %q: run visitbot --help to see the commands.", cmd)
	}
}

// flagSet is a command's flags with its help text.
type flagSet struct {
	*flag.FlagSet
	help string
}

// newFlagSet returns a flag set whose help is help followed by the flags.
// Problems are reported by parse, never printed by the flag package.
func newFlagSet(name, help string) flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return flagSet{fs, help}
}

// parse parses args. Asked for help, it prints it to stdout and returns
// errHelp; other problems become one-sentence usage errors.
func (fs flagSet) parse(args []string, stdout io.Writer) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, fs.help)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		return errHelp
	default:
		return usagef("%s: %s (see visitbot %s --help).", fs.Name(), strings.TrimSuffix(err.Error(), "."), fs.Name())
	}
}

// report prints err for a person and returns the exit status: 0 for success
// or help, 2 for a usage mistake or bad input, 1 for anything else.
func report(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, ue.msg)
		return 2
	}
	if msg, ok := corpus.UserMessage(err); ok {
		fmt.Fprintln(stderr, msg)
		return 2
	}
	fmt.Fprintf(stderr, "visitbot: %v\n", err)
	return 1
}
