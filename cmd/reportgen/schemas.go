package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"syscall"

	"github.com/reportgen/reportgen/schemas"
)

func schemasCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "sync" {
		fmt.Fprintln(stderr, "usage: reportgen schemas sync [--from DIR]... [--dir DIR]")
		return exitUsage
	}
	fs := flag.NewFlagSet("schemas sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var from []string
	fs.Func("from", "copy from this folder (laid out like the manifest, or holding a file's pinned package tarball) instead of downloading; repeatable, the first folder holding a file wins, and files in none are downloaded from their pinned URLs", func(s string) error {
		from = append(from, s)
		return nil
	})
	dir := fs.String("dir", schemas.DefaultDir, "the schema folder to fill")
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	m, err := schemas.Load()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	var src schemas.Sources
	for _, d := range from {
		src = append(src, schemas.DirSource(d))
	}
	src = append(src, schemas.HTTPSource{})
	where := "the pinned upstream URLs"
	if len(from) > 0 {
		where = strings.Join(from, ", ") + " (files in none: their pinned URLs)"
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
