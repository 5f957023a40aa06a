// Command corelab is a Jupyter kernel for Go and a lab for learning how
// CPython uses (or fails to use) several cores.
//
//	corelab kernel -f CONNECTION_FILE   run the kernel (Jupyter starts this through the kernelspec)
//	corelab install [--user|--sys-prefix|--prefix DIR]
//	                                    write the kernelspec for this binary
//	corelab run NOTEBOOK... [--html DIR] execute notebooks headlessly
//	corelab bench kernel                compare start-up and round-trip times with ipykernel
//	corelab bench runtime [-quick]      measure each execution model against its targets
//	corelab worker                      a worker process of the Processes model (started by the lab)
//	corelab binder-url [-C DIR]         print the mybinder.org link and badge for this checkout
//	corelab version                     print the version
//
// The kernel runs cells in a child process (`corelab evaluator`, not meant
// to be run by hand) so that a Go fatal error in a cell costs the notebook's
// state, never the kernel.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"runtime/debug"

	"corelab/binder"
	"corelab/install"
	"corelab/kernel"
	"corelab/kernel/backend"
	"corelab/kernel/bench"
	"corelab/notebook"
	rtbench "corelab/runtime/bench"
	"corelab/runtime/host"
	"corelab/runtime/symbols"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "corelab:", err)
		}
		os.Exit(1)
	}
}

const usage = `usage: corelab <command> [arguments]

commands:
  kernel -f FILE        run the Jupyter kernel on a connection file
  install [--user | --sys-prefix | --prefix DIR]
                        write the Jupyter kernelspec (argv points at this binary)
  run NOTEBOOK...       execute notebooks headlessly (see corelab run -h)
  bench kernel          start-up and round-trip times, corelab vs ipykernel
  bench runtime [-quick]
                        the execution models measured against their targets (a table)
  worker                worker process of the Processes model (started by the lab)
  binder-url [-C DIR]   print the mybinder.org launch link and badge for this checkout's remote
  version               print the version
`

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "kernel":
		return kernelMain(args, stderr)
	case "install":
		return install.Main(args, stdout, stderr)
	case "run":
		return notebook.Main(args, stdout, stderr)
	case "bench":
		return benchMain(args, stdout, stderr)
	case "binder-url":
		return binder.Main(args, stdout, stderr)
	case "worker":
		if code := host.WorkerMain(symbols.Symbols); code != 0 {
			os.Exit(code)
		}
		return nil
	case "evaluator":
		return backend.Main()
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "corelab %s (%s %s/%s)\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func kernelMain(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("kernel", flag.ContinueOnError)
	fs.SetOutput(stderr)
	conn := fs.String("f", "", "Jupyter connection `file`")
	hist := fs.String("history", "", "append executed cells to this `file` (JSON lines) and read earlier sessions from it")
	maxMsg := fs.Int("max-message", 0, "reject incoming messages larger than this many `bytes` (default 64 MiB)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *conn == "" {
		return errors.New("kernel: -f CONNECTION_FILE is required")
	}
	return kernel.Run(context.Background(), kernel.Config{
		ConnectionFile: *conn,
		HistoryFile:    *hist,
		MaxMessage:     *maxMsg,
		Version:        versionString(),
		Log:            log.New(stderr, "corelab: ", log.LstdFlags|log.Lmicroseconds),
		HandleSignals:  true,
	})
}

// benchMain dispatches `corelab bench kernel` (the protocol side, against
// ipykernel) and `corelab bench runtime` (the execution models' table).
func benchMain(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "runtime" {
		fs := flag.NewFlagSet("bench runtime", flag.ContinueOnError)
		fs.SetOutput(stderr)
		quick := fs.Bool("quick", false, "shorter runs: the same rows, noisier numbers")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return rtbench.RuntimeWith(stdout, rtbench.Options{Quick: *quick})
	}
	return bench.Main(args, stdout, stderr)
}
