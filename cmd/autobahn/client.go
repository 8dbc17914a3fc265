package main

// The client subcommands: call, publish, subscribe and register, each one
// WAMP session of the wamp package.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/wamp"
)

// clientFlags are the flags every client subcommand takes, anywhere among
// its arguments.
type clientFlags struct {
	realm, serializer string
	authid, authrole  string
	ticket, wampcra   string
	cryptosignKey     string
	timeout           time.Duration
	kwargs            map[string]any
	acknowledge       bool
	match             string
	concurrency       int
	positional        []string
	command           []string // after "--" (register)
	plugins           []string
	codec             string
	codecOpts         map[string]any
}

const clientSynopsisFlags = `Flags (anywhere among the arguments):
  --realm NAME         realm to join (default realm1)
  --serializer NAME    json, msgpack, cbor, ubjson or a plugin's (default json)
  --authid ID          authid to announce; --authrole ROLE the role to ask for
  --ticket SECRET      authenticate with WAMP-Ticket
  --wampcra SECRET     authenticate with WAMP-CRA (plain or salted secret)
  --cryptosign FILE    authenticate with WAMP-Cryptosign: an Ed25519 key file
                       (hex seed, OpenSSH or signify)
  --timeout DURATION   call timeout (call; register: per command run)
  --kw KEY=VALUE       a keyword argument (repeatable; VALUE parsed as below)
  --ack                publish: wait for the broker's acknowledgement
  --match exact|prefix|wildcard   subscribe/register: the match policy
  --concurrency N      register: at most N commands at a time (default 4)
  --plugin PATH        start a plugin binary and use its serializers and payload
                       codecs (repeatable)
  --codec NAME         encode payloads with a registered payload codec (a
                       plugin's, or cryptobox); every peer needs the same
  --codec-opt KEY=VALUE   the codec's configuration (repeatable; VALUE a string)
Arguments that parse as JSON are sent as that value, anything else as a string.`

func parseClientArgs(name string, args []string) (*clientFlags, error) {
	f := &clientFlags{realm: "realm1", serializer: "json", concurrency: 4, kwargs: map[string]any{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			f.command = args[i+1:]
			break
		}
		if !strings.HasPrefix(a, "--") || a == "-" {
			f.positional = append(f.positional, a)
			continue
		}
		key, val, hasVal := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if key == "ack" {
			f.acknowledge = true
			continue
		}
		if key == "help" || key == "h" {
			return nil, errHelpClient
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("--%s needs a value", key)
			}
			i++
			val = args[i]
		}
		var err error
		switch key {
		case "realm":
			f.realm = val
		case "serializer":
			f.serializer = val
		case "authid":
			f.authid = val
		case "authrole":
			f.authrole = val
		case "ticket":
			f.ticket = val
		case "wampcra":
			f.wampcra = val
		case "cryptosign":
			f.cryptosignKey = val
		case "match":
			f.match = val
		case "timeout":
			f.timeout, err = time.ParseDuration(val)
		case "concurrency":
			_, err = fmt.Sscan(val, &f.concurrency)
		case "plugin":
			f.plugins = append(f.plugins, val)
		case "codec":
			f.codec = val
		case "codec-opt":
			if err := f.codecOpt(val); err != nil {
				return nil, err
			}
		case "kw":
			k, v, ok := strings.Cut(val, "=")
			if !ok || k == "" {
				return nil, fmt.Errorf("--kw %q: want KEY=VALUE", val)
			}
			f.kwargs[k] = parseArg(v)
		default:
			return nil, fmt.Errorf("unknown flag --%s (see autobahn help %s)", key, name)
		}
		if err != nil {
			return nil, fmt.Errorf("--%s %q: %v", key, val, err)
		}
	}
	return f, nil
}

var errHelpClient = errors.New("help")

// parseArg reads a command-line argument as JSON (integers stay integers),
// or else takes it as a string.
func parseArg(s string) any {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil || d.More() {
		return s
	}
	return fromJSONNumbers(v)
}

func fromJSONNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case []any:
		for i := range v {
			v[i] = fromJSONNumbers(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = fromJSONNumbers(v[k])
		}
	}
	return v
}

func parseArgs(ss []string) []any {
	if len(ss) == 0 {
		return nil
	}
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = parseArg(s)
	}
	return out
}

// authenticators are those the --ticket, --wampcra and --cryptosign flags
// ask for (none: anonymous), in the order the router is offered them.
func authenticators(ticket, wampcra, cryptosignKey string) ([]wamp.Authenticator, error) {
	var list []wamp.Authenticator
	if cryptosignKey != "" {
		key, err := auth.LoadPrivateKey(cryptosignKey)
		if err != nil {
			return nil, fmt.Errorf("--cryptosign: %w", err)
		}
		list = append(list, wamp.Cryptosign(key, ""))
	}
	if wampcra != "" {
		list = append(list, wamp.WAMPCRA(wampcra))
	}
	if ticket != "" {
		list = append(list, wamp.Ticket(ticket))
	}
	return list, nil
}

// connect dials url and joins the realm of f.
func (f *clientFlags) connect(ctx context.Context, url string, stderr io.Writer) (*wamp.Session, error) {
	ser, err := registry.Default.Serializer(f.serializer)
	if err != nil {
		return nil, fmt.Errorf("--serializer: %w", err)
	}
	cfg := wamp.Config{}
	if cfg.PayloadCodec, err = f.payloadCodec(); err != nil {
		return nil, err
	}
	join := wamp.JoinOptions{AuthID: f.authid, AuthRole: f.authrole}
	if join.Authenticators, err = authenticators(f.ticket, f.wampcra, f.cryptosignKey); err != nil {
		return nil, err
	}
	s, err := wamp.Dial(ctx, url, core.TransportConfig{Serializers: []core.Serializer{ser}}, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := s.Join(ctx, f.realm, join); err != nil {
		s.Close(ctx)
		return nil, err
	}
	fmt.Fprintf(stderr, "joined realm %s at %s as session %d\n", f.realm, url, s.ID())
	return s, nil
}

func (f *clientFlags) kw() map[string]any {
	if len(f.kwargs) == 0 {
		return nil
	}
	return f.kwargs
}

// clientCommand wraps the body of a client subcommand: argument parsing,
// the session, and a clean leave at the end.
func clientCommand(name, synopsis string, minArgs int, body func(ctx context.Context, s *wamp.Session, f *clientFlags, stdout io.Writer) error) func(context.Context, []string, io.Writer, io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		f, err := parseClientArgs(name, args)
		if errors.Is(err, errHelpClient) || err == nil && len(f.positional) < minArgs {
			fmt.Fprintf(stderr, "usage: autobahn %s %s\n\n%s\n", name, synopsis, clientSynopsisFlags)
			if err != nil {
				return nil
			}
			return errUsage
		}
		if err != nil {
			return err
		}
		dialCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		// Plugins before the serializer and codec are looked up: they may
		// be the plugin's. Their stderr and restarts are logged as warnings.
		logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		if err := loadPlugins(dialCtx, f.plugins, logger, stderr, ""); err != nil {
			return err
		}
		s, err := f.connect(dialCtx, f.positional[0], stderr)
		if err != nil {
			return err
		}
		defer func() {
			closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			s.Close(closeCtx)
		}()
		return body(ctx, s, f, stdout)
	}
}

var runCall = clientCommand("call", "URL PROCEDURE [ARG...] [--kw KEY=VALUE]...", 2,
	func(ctx context.Context, s *wamp.Session, f *clientFlags, stdout io.Writer) error {
		res, err := s.Call(ctx, f.positional[1], parseArgs(f.positional[2:]), f.kw(), wamp.CallOptions{Timeout: f.timeout})
		if err != nil {
			return err
		}
		return printJSON(stdout, resultValue(res.Args, res.Kwargs))
	})

var runPublish = clientCommand("publish", "URL TOPIC [ARG...] [--kw KEY=VALUE]... [--ack]", 2,
	func(ctx context.Context, s *wamp.Session, f *clientFlags, stdout io.Writer) error {
		o := core.PublishOptions{}
		if f.acknowledge {
			o.Acknowledge = &f.acknowledge
		}
		id, err := s.Publish(ctx, f.positional[1], parseArgs(f.positional[2:]), f.kw(), o)
		if err != nil {
			return err
		}
		if f.acknowledge {
			fmt.Fprintf(stdout, "published %d\n", id)
		}
		return nil
	})

var runSubscribe = clientCommand("subscribe", "URL TOPIC [--match prefix|wildcard]", 2,
	func(ctx context.Context, s *wamp.Session, f *clientFlags, stdout io.Writer) error {
		var mu sync.Mutex
		_, err := s.Subscribe(ctx, f.positional[1], func(_ context.Context, ev *wamp.Event) {
			line := map[string]any{"topic": ev.Topic, "publication": ev.Publication, "args": orEmpty(ev.Args), "kwargs": ev.Kwargs}
			if ev.Details.Publisher != 0 {
				line["publisher"] = ev.Details.Publisher
			}
			mu.Lock()
			defer mu.Unlock()
			printJSON(stdout, line)
		}, core.SubscribeOptions{Match: f.match})
		if err != nil {
			return err
		}
		select {
		case <-ctx.Done(): // interrupted: leave cleanly
			return nil
		case <-s.Done():
			return errors.New("the connection to the router was lost")
		}
	})

var runRegister = clientCommand("register", "URL PROCEDURE [--match prefix|wildcard] -- COMMAND [ARG...]", 2,
	func(ctx context.Context, s *wamp.Session, f *clientFlags, stdout io.Writer) error {
		if len(f.command) == 0 {
			return errors.New("no command: give it after --, e.g. autobahn register URL com.example.date -- date -u")
		}
		_, err := s.Register(ctx, f.positional[1], func(ctx context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
			return runRegisteredCommand(ctx, f, inv)
		}, core.RegisterOptions{Match: f.match, Concurrency: f.concurrency})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "registered %s: %s\n", f.positional[1], strings.Join(f.command, " "))
		select {
		case <-ctx.Done():
			return nil
		case <-s.Done():
			return errors.New("the connection to the router was lost")
		}
	})

// URICommandFailed is the error a caller of a procedure registered with
// "autobahn register" gets when the command exits with an error.
const URICommandFailed = "autobahn.error.command_failed"

// runRegisteredCommand runs the command of "autobahn register" for one
// invocation: the call's arguments become the command's (strings as they
// are, other values as JSON), its standard output the result.
func runRegisteredCommand(ctx context.Context, f *clientFlags, inv *wamp.Invocation) (*wamp.Result, error) {
	if f.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	argv := append([]string{}, f.command[1:]...)
	for _, a := range inv.Args {
		if s, ok := a.(string); ok {
			argv = append(argv, s)
			continue
		}
		b, err := json.Marshal(a)
		if err != nil {
			return nil, &core.ApplicationError{URI: core.URIInvalidArgument, Args: []any{err.Error()}}
		}
		argv = append(argv, string(b))
	}
	cmd := exec.CommandContext(ctx, f.command[0], argv...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, &core.ApplicationError{URI: URICommandFailed, Args: []any{fmt.Sprintf("%s: %v", f.command[0], err), strings.TrimSpace(errOut.String())}}
	}
	return &wamp.Result{Args: []any{strings.TrimSuffix(out.String(), "\n")}}, nil
}

func orEmpty(args []any) []any {
	if args == nil {
		return []any{}
	}
	return args
}

// resultValue is what "autobahn call" prints: the single result, or
// {"args": [...], "kwargs": {...}}.
func resultValue(args []any, kwargs map[string]any) any {
	switch {
	case len(kwargs) == 0 && len(args) == 1:
		return args[0]
	case len(kwargs) == 0 && len(args) == 0:
		return nil
	}
	return map[string]any{"args": orEmpty(args), "kwargs": kwargs}
}

func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
