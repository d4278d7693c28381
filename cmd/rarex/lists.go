package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"rarex"
	"rarex/accounts"
	"rarex/screen"
	"rarex/screening"
)

// listsCmd imports restricted-party lists into the database and shows them.
func (a *App) listsCmd(ctx context.Context, args []string) error {
	sub, rest, err := subcommand(args, "lists", "import", "status")
	if err != nil {
		return err
	}
	if sub == "import" {
		return a.listsImport(ctx, rest)
	}
	return a.listsStatus(ctx, rest)
}

func (a *App) listsImport(ctx context.Context, args []string) error {
	var id, file, format, title string
	var force, asJSON bool
	cfg, fs, err := a.config("lists import", args, func(c *Config, fs *flag.FlagSet) {
		c.bindStoreFlags(fs)
		fs.StringVar(&id, "id", "", "the list's id, e.g. cn-sanctions (lower-case letters, digits, hyphens)")
		fs.StringVar(&file, "file", "", "the list file (OFAC: sdn.csv or cons_prim.csv, with alt and add files beside it)")
		fs.StringVar(&format, "format", "auto", "auto, "+strings.Join(screen.Formats(), ", ")+" or ofac")
		fs.StringVar(&title, "title", "", "a title (default: the list's own name)")
		fs.BoolVar(&force, "force", false, fmt.Sprintf("import even if more than %.0f%% of the entries would be dropped", 100*screening.MaxDrop))
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if err := required(fs, "id", "file"); err != nil {
		return err
	}
	if format, err = listFormat(file, format); err != nil {
		return err
	}
	entries, err := readListFile(file, format)
	if err != nil {
		return err
	}
	files := []string{file}
	if format == "ofac" {
		alt, add, _ := screen.OFACCompanions(filepath.Base(file))
		for _, c := range []string{alt, add} {
			if p := filepath.Join(filepath.Dir(file), c); fileExists(p) {
				files = append(files, p)
			}
		}
	}
	sum, err := hashFiles(files)
	if err != nil {
		return err
	}
	return a.withStore(ctx, cfg, func(store rarex.Store) error {
		svc := &screening.Service{Store: store, Clock: rarex.SystemClock{}, IDs: rarex.RandomIDs{}}
		v, err := svc.Import(ctx, accounts.Operator, screening.ImportRequest{ListID: id, Title: title, Format: format, File: file, Entries: entries, SHA256: sum, Force: force})
		if err != nil {
			return cliError(err)
		}
		if asJSON {
			return a.printJSON(v)
		}
		fmt.Fprintf(a.Stdout, "Imported %s version %d: %d entries, %d names; %d added, %d removed, %d changed%s; sha256 %s\n",
			id, v.Version, v.Entries, v.Names, v.Added, v.Removed, v.Changed, map[bool]string{true: " (forced)", false: ""}[v.Forced], v.SHA256)
		return nil
	})
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// hashFiles is the SHA-256 of the files' bytes, one after the other.
func hashFiles(paths []string) (string, error) {
	h := sha256.New()
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (a *App) listsStatus(ctx context.Context, args []string) error {
	var id string
	var asJSON bool
	cfg, _, err := a.config("lists status", args, func(c *Config, fs *flag.FlagSet) {
		c.bindStoreFlags(fs)
		fs.StringVar(&id, "id", "", "show this list's versions")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	return a.withStore(ctx, cfg, func(store rarex.Store) error {
		svc := &screening.Service{Store: store, Clock: rarex.SystemClock{}, IDs: rarex.RandomIDs{}}
		if id != "" {
			vs, err := svc.Versions(ctx, accounts.Operator, id)
			if err != nil {
				return cliError(err)
			}
			if asJSON {
				return a.printJSON(vs)
			}
			tw := tabwriter.NewWriter(a.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION\tIMPORTED\tENTRIES\tADDED\tREMOVED\tCHANGED\tFORCED\tSHA256")
			for _, v := range vs {
				fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%d\t%v\t%s\n", v.Version, v.ImportedAt.Format("2006-01-02 15:04"), v.Entries, v.Added, v.Removed, v.Changed, v.Forced, v.SHA256[:16])
			}
			return tw.Flush()
		}
		ls, err := svc.Lists(ctx, accounts.Operator)
		if err != nil {
			return cliError(err)
		}
		if asJSON {
			return a.printJSON(ls)
		}
		if len(ls) == 0 {
			fmt.Fprintln(a.Stdout, "No list imported yet: rarex lists import --id ID --file FILE")
			return nil
		}
		tw := tabwriter.NewWriter(a.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTITLE\tFORMAT\tVERSION\tENTRIES\tNAMES\tIMPORTED")
		for _, l := range ls {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", l.ID, l.Title, l.Format, l.Version, l.Entries, l.Names, l.ImportedAt.Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	})
}
