// Command tailctl is Tailwise's command-line tool.
//
//	tailctl <command> [flags] [arguments]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// command is a tailctl subcommand.
type command struct {
	name    string
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

var commands = []command{
	{name: "redact", summary: "redact OTLP JSON lines with a pii_redaction configuration", run: runRedact},
	{name: "replay", summary: "send recorded OTLP traffic to a collector at the recorded pace", run: runReplay},
	{name: "tune", summary: "evaluate slo_sampling configs offline on recorded traces", run: runTune},
	{name: "watch", summary: "print every few seconds one line of what flows through a running collector", run: runWatch},
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// dispatch runs the subcommand named by args[0] and returns the exit code:
// 0 on success or when help was asked for, 1 when the command fails, 2 on a usage error.
func dispatch(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	if args[0] == "help" || isHelpFlag(args[0]) {
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			if slices.ContainsFunc(args[1:], isHelpFlag) {
				stderr = stdout // a command prints its usage on -h where its flag set writes
			}
			if err := c.run(args[1:], stdin, stdout, stderr); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return 0
				}
				_, _ = fmt.Fprintf(stderr, "tailctl %s: %v\n", c.name, err)
				if errors.As(err, new(usageError)) {
					return 2
				}
				return 1
			}
			return 0
		}
	}
	_, _ = fmt.Fprintf(stderr, "tailctl: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func isHelpFlag(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("usage: tailctl <command> [flags] [arguments]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'tailctl <command> -h' for a command's flags.\n")
	_, _ = io.WriteString(w, b.String())
}

// usageError is a command-line mistake (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

func (e usageError) Unwrap() error { return e.err }
