// Command rarex runs the rare-earth export-control system: the web server
// and its operator commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `rarex — rare-earth export control

Usage:
  rarex serve [--db DSN] [--addr 127.0.0.1:8080] [--data DIR] [--demo]
  rarex org add --name NAME --kind exporter|authority|overseer [--country CC]
  rarex org list
  rarex user add --org NAME --role ROLE --email E [--name N] [--password-stdin]
  rarex user list [--org NAME]
  rarex user passwd --email E [--password-stdin]
  rarex user disable|enable --email E
  rarex token create --email E --name NAME [--ttl-days D]
  rarex rules list|show ID|status [--date D] [--rules DIR] [--json]
  rarex determine [--date D] [--interpretation NAME] [--rules DIR] REQUEST.json|-
  rarex bom rollup --parts P.csv --edges E.csv [--date D] [--interpretation I] [--product ID]... [--top K] [--json|--csv]
  rarex bom gen --parts N --depth D --fanout F --seed S --out DIR
  rarex bom upload --email EXPORTER --name NAME --parts P.csv --edges E.csv
  rarex bom whatif --parts P.csv --edges E.csv --alternatives A.csv --product ID [--target SHARE] [--json|--csv]
  rarex screen --list FILE... [--format F] [--min-score S] [--country CC] [--type T] [--explain] [--json] NAME...
  rarex screen --list FILE... --batch NAMES.csv [--json]
  rarex screen eval --list FILE... [--cases N] [--seed S] [--negatives FILE] [--brute-force] [--json]
  rarex screen ownership --list FILE... --holdings H.csv|E.ftm.json [--json]
  rarex lists import --id ID --file FILE [--format F] [--title T] [--force]
  rarex lists status [--id ID]
  rarex monitor [--date D] [--rules DIR] [--db DSN] [--json]
  rarex audit checkpoint|consistency|replay --url URL --vkey KEY [--witness KEY]... [--quorum K]
  rarex audit receipt --vkey KEY [--opening FILE] RECEIPT.tlog-proof
  rarex witness serve --log-vkey KEY --key FILE [--name NAME] [--addr 127.0.0.1:8090]

Commands other than serve also take --db and --data, and --json for JSON output.
Settings come from defaults, then RAREX_* environment variables, then flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := &App{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	if err := app.Run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "rarex:", err)
		}
		os.Exit(1)
	}
}

// App is the command line, with its I/O swappable for tests.
type App struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// OnListen, if set, is told serve's actual address once it listens.
	OnListen func(addr string)
}

// Run runs one command.
func (a *App) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(a.Stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return a.serve(ctx, rest)
	case "org":
		return a.orgCmd(ctx, rest)
	case "user":
		return a.userCmd(ctx, rest)
	case "token":
		return a.tokenCmd(ctx, rest)
	case "rules":
		return a.rulesCmd(ctx, rest)
	case "determine":
		return a.determineCmd(ctx, rest)
	case "bom":
		return a.bomCmd(ctx, rest)
	case "screen":
		return a.screenCmd(ctx, rest)
	case "lists":
		return a.listsCmd(ctx, rest)
	case "monitor":
		return a.monitorCmd(ctx, rest)
	case "audit":
		return a.auditCmd(ctx, rest)
	case "witness":
		return a.witnessCmd(ctx, rest)
	case "help", "-h", "--help":
		fmt.Fprint(a.Stdout, usage)
		return nil
	}
	fmt.Fprint(a.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// config parses flags for a command over defaults and the environment.
func (a *App) config(name string, args []string, bind func(*Config, *flag.FlagSet)) (Config, *flag.FlagSet, error) {
	c := DefaultConfig()
	if err := c.applyEnv(a.Getenv); err != nil {
		return c, nil, err
	}
	fs := flag.NewFlagSet("rarex "+name, flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	bind(&c, fs)
	if err := fs.Parse(args); err != nil {
		return c, fs, err
	}
	if fs.NArg() > 0 {
		return c, fs, fmt.Errorf("%s: unexpected argument %q", name, fs.Arg(0))
	}
	return c, fs, c.Validate()
}
