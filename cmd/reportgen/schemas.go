package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"syscall"

	"github.com/reportgen/reportgen/schemas"
)

func schemasCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "sync" {
		fmt.Fprintln(stderr, "usage: reportgen schemas sync [--from DIR] [--dir DIR]")
		return exitUsage
	}
	fs := flag.NewFlagSet("schemas sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "copy from this folder (laid out like the manifest) instead of downloading the pinned upstream files; a file the folder lacks is downloaded")
	dir := fs.String("dir", schemas.DefaultDir, "the schema folder to fill")
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	m, err := schemas.Load()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	var src schemas.Source = schemas.HTTPSource{}
	where := "the pinned upstream URLs"
	if *from != "" {
		src, where = schemas.FallbackSource{First: schemas.DirSource(*from), Then: schemas.HTTPSource{}}, *from+" (files it lacks: the pinned upstream URLs)"
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := schemas.Sync(ctx, m, src, *dir); err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "synced %d schema files from %s into %s; every sha256 verified\n", len(m.Files), where, *dir)
	return exitOK
}
