// Command autobahn runs an embedded WAMP router and talks to WAMP routers
// from the command line.
//
//	autobahn serve [--ws ADDR] [--rawsocket ADDR] [--realm NAME]... [--metrics ADDR] [--metrics-path PATH] [--plugin PATH]...
//	autobahn bench rpc|pubsub|idle [flags] URL
//	autobahn call URL PROCEDURE [ARG...] [--kw KEY=VALUE]... [--plugin PATH]... [--codec NAME [--codec-opt KEY=VALUE]...]
//	autobahn publish URL TOPIC [ARG...]
//	autobahn subscribe URL TOPIC
//	autobahn register URL PROCEDURE -- COMMAND [ARG...]
//
// Every subcommand prints what it does and fails with a message that says
// what to fix; "autobahn help COMMAND" prints its flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/autobahn-go/autobahn/core"
)

// command is one subcommand: run gets the arguments after its name and
// writes its output to stdout.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"serve", "run the embedded WAMP router (WebSocket and RawSocket)", runServe},
	{"bench", "measure a WAMP router: rpc, pubsub or idle load against any router URL", runBench},
	{"call", "call a procedure and print its result as JSON", runCall},
	{"publish", "publish an event", runPublish},
	{"subscribe", "print the events of a topic as JSON lines until interrupted", runSubscribe},
	{"register", "register a shell command as a procedure (arguments in, standard output out)", runRegister},
}

// errUsage marks an error that was already explained together with the
// command's usage; main exits with status 2 for it.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	closePlugins() // os.Exit skips deferred calls
	os.Exit(code)
}

// run dispatches args to a subcommand and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" && len(args) == 1 {
		usage(stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	if name == "help" {
		name, rest = args[1], []string{"-h"}
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(ctx, rest, stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		}
		if ae, ok := err.(*core.ApplicationError); ok {
			fmt.Fprintln(stderr, ae.Error()) // URI: message, as the router sent it
			return 1
		}
		fmt.Fprintf(stderr, "autobahn %s: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(stderr, "autobahn: unknown command %q\n", name)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: autobahn COMMAND [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\n\"autobahn help COMMAND\" prints the flags of COMMAND.")
}

// newFlags returns a flag set for a subcommand that reports errors to
// stderr and returns them instead of exiting.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("autobahn "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: autobahn %s %s\n\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs, turning a parse error into errUsage (the
// flag package has already printed it with the usage).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// startCPUProfile writes a CPU profile to path (nothing when path is
// empty) until the returned function is called.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
