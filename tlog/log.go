package tlog

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"log/slog"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/tessera"
	"github.com/transparency-dev/tessera/client"
	"github.com/transparency-dev/tessera/storage/posix"
	"golang.org/x/mod/sumdb/note"
	"k8s.io/klog/v2"
)

// Key is a signing key: the log's for checkpoints, a witness's for cosignatures.
type Key struct {
	Signer note.Signer
	VKey   string // the verifier key overseers pin: name+hash+base64(type‖pub)
	SKey   string // the private key, as the note package encodes it
}

// LoadOrCreateKey reads the Ed25519 key in dir/log.key, creating it (mode
// 0600) at first start. The key's name is the log's origin.
func LoadOrCreateKey(dir, origin string) (*Key, error) {
	return LoadOrCreateKeyFile(filepath.Join(dir, "log.key"), origin)
}

// LoadOrCreateKeyFile reads or creates (mode 0600) the Ed25519 key in path, named name.
func LoadOrCreateKeyFile(path, origin string) (*Key, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		skey, vkey, err := note.GenerateKey(rand.Reader, origin)
		if err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("log key %s: %w", path, err)
		}
		_, werr := f.WriteString(skey + "\n" + vkey + "\n")
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, fmt.Errorf("log key %s: %w", path, werr)
		}
		b = []byte(skey + "\n" + vkey + "\n")
	} else if err != nil {
		return nil, fmt.Errorf("log key %s: %w", path, err)
	}
	lines := strings.Fields(string(b))
	if len(lines) != 2 {
		return nil, fmt.Errorf("log key %s: want the private and the verifier key, one per line", path)
	}
	s, err := note.NewSigner(lines[0])
	if err != nil {
		return nil, fmt.Errorf("log key %s: %v", path, err)
	}
	if origin != "" && s.Name() != origin {
		return nil, fmt.Errorf("log key %s is for origin %q, not %q: a log keeps its origin for life", path, s.Name(), origin)
	}
	if _, err := note.NewVerifier(lines[1]); err != nil {
		return nil, fmt.Errorf("log key %s: verifier key: %v", path, err)
	}
	return &Key{Signer: s, VKey: lines[1], SKey: lines[0]}, nil
}

// Log is an embedded Tessera log on local files (C2SP tlog-tiles layout).
type Log struct {
	Origin   string
	Dir      string // the tiles, entry bundles and checkpoint, servable as static files
	Key      *Key
	appender *tessera.Appender
	reader   tessera.LogReader
	shutdown func(context.Context) error
	stop     context.CancelFunc // ends Tessera's background work after shutdown
}

// Options tune the log's batching; zero values take the defaults.
type Options struct {
	CheckpointInterval time.Duration // how often a new checkpoint is signed (default 1 s)
	BatchAge           time.Duration // the longest an entry waits to be sequenced (default 50 ms)
	// Witnesses, if any, must cosign a checkpoint (at least Quorum of them)
	// before it is published.
	Witnesses []WitnessEndpoint
	Quorum    int
	// Logger receives Tessera's own log lines (it logs through klog, a
	// process-wide logger); nil leaves klog as it is.
	Logger *slog.Logger
}

// WitnessEndpoint is a witness the log asks to cosign: its verifier key and
// its base URL (where /add-checkpoint is).
type WitnessEndpoint struct {
	VKey string
	URL  string
}

// Open opens (creating) the log in dir/tiles with key.
func Open(ctx context.Context, dir, origin string, key *Key, opt Options) (*Log, error) {
	if opt.Logger != nil {
		klog.SetSlogLogger(opt.Logger)
	}
	// Tessera's publishers and collectors live as long as this context: Close
	// ends them, so nothing writes to the directory after it returns.
	ctx, stop := context.WithCancel(ctx)
	ok := false
	defer func() {
		if !ok {
			stop()
		}
	}()
	tiles := filepath.Join(dir, "tiles")
	if err := os.MkdirAll(tiles, 0o755); err != nil {
		return nil, fmt.Errorf("log directory: %w", err)
	}
	drv, err := posix.New(ctx, posix.Config{Path: tiles})
	if err != nil {
		return nil, fmt.Errorf("log storage: %w", err)
	}
	if opt.CheckpointInterval == 0 {
		opt.CheckpointInterval = time.Second
	}
	if opt.BatchAge == 0 {
		opt.BatchAge = 50 * time.Millisecond
	}
	opts := tessera.NewAppendOptions().WithCheckpointSigner(key.Signer).WithBatching(256, opt.BatchAge).WithCheckpointInterval(opt.CheckpointInterval)
	if len(opt.Witnesses) > 0 {
		if opt.Quorum < 1 || opt.Quorum > len(opt.Witnesses) {
			return nil, fmt.Errorf("witness quorum %d: between 1 and the %d witnesses", opt.Quorum, len(opt.Witnesses))
		}
		// The policy in Tessera's (tlog-policy-like) text form.
		var policy strings.Builder
		var names []string
		for i, w := range opt.Witnesses {
			u, err := url.Parse(w.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || strings.ContainsAny(w.URL, " \n") {
				return nil, fmt.Errorf("witness %d: %q is not an http(s) URL", i+1, w.URL)
			}
			if strings.ContainsAny(w.VKey, " \n") {
				return nil, fmt.Errorf("witness %d: malformed key", i+1)
			}
			name := fmt.Sprintf("w%d", i+1)
			names = append(names, name)
			fmt.Fprintf(&policy, "witness %s %s %s\n", name, w.VKey, w.URL)
		}
		fmt.Fprintf(&policy, "group all-witnesses %d %s\nquorum all-witnesses\n", opt.Quorum, strings.Join(names, " "))
		group, err := tessera.NewWitnessGroupFromPolicy([]byte(policy.String()))
		if err != nil {
			return nil, fmt.Errorf("witness policy: %v", err)
		}
		opts = opts.WithWitnesses(group, nil)
	}
	app, shutdown, reader, err := tessera.NewAppender(ctx, drv, opts)
	if err != nil {
		return nil, fmt.Errorf("log appender: %w", err)
	}
	ok = true
	return &Log{Origin: origin, Dir: tiles, Key: key, appender: app, reader: reader, shutdown: shutdown, stop: stop}, nil
}

// Close stops the appender, integrating what it holds and publishing a
// checkpoint that covers it, then ends the log's background work.
func (l *Log) Close(ctx context.Context) error {
	err := l.shutdown(ctx)
	l.stop()
	// The background goroutines notice the cancellation at their next step.
	time.Sleep(50 * time.Millisecond)
	return err
}

// Add appends an entry and returns its index once sequenced.
func (l *Log) Add(ctx context.Context, entry []byte) (uint64, error) {
	idx, err := l.appender.Add(ctx, tessera.NewEntry(entry))()
	if err != nil {
		return 0, err
	}
	return idx.Index, nil
}

// AddAsync hands an entry to the log's current batch; the returned function
// waits for its index. Entries added together are sequenced together.
func (l *Log) AddAsync(ctx context.Context, entry []byte) func() (uint64, error) {
	f := l.appender.Add(ctx, tessera.NewEntry(entry))
	return func() (uint64, error) {
		idx, err := f()
		return idx.Index, err
	}
}

// Checkpoint returns the latest published checkpoint (signed note).
func (l *Log) Checkpoint(ctx context.Context) ([]byte, error) { return l.reader.ReadCheckpoint(ctx) }

// Size is the tree size of the latest published checkpoint (0 before the first).
func (l *Log) Size(ctx context.Context) (uint64, []byte, error) {
	cp, err := l.reader.ReadCheckpoint(ctx)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	v, err := note.NewVerifier(l.Key.VKey)
	if err != nil {
		return 0, nil, err
	}
	c, _, _, err := log.ParseCheckpoint(cp, l.Origin, v)
	if err != nil {
		return 0, nil, fmt.Errorf("own checkpoint: %w", err)
	}
	return c.Size, cp, nil
}

// ErrNotPublished means no published checkpoint covers the entry yet.
var ErrNotPublished = errors.New("the entry is not yet covered by a published checkpoint")

// Receipt proves entry at index against the latest published checkpoint.
func (l *Log) Receipt(ctx context.Context, index uint64, entry []byte) (*Receipt, error) {
	size, cp, err := l.Size(ctx)
	if err != nil {
		return nil, err
	}
	if index >= size {
		return nil, ErrNotPublished
	}
	pb, err := client.NewProofBuilder(ctx, size, l.reader.ReadTile)
	if err != nil {
		return nil, err
	}
	p, err := pb.InclusionProof(ctx, index)
	if err != nil {
		return nil, err
	}
	return &Receipt{Entry: entry, Index: index, Proof: p, Checkpoint: cp}, nil
}

// Entries returns the entries with indices in [from, to) of the
// published tree.
func (l *Log) Entries(ctx context.Context, from, to uint64) ([][]byte, error) {
	size, _, err := l.Size(ctx)
	if err != nil {
		return nil, err
	}
	to = min(to, size)
	var out [][]byte
	for i := from; i < to; {
		b, err := client.GetEntryBundle(ctx, l.reader.ReadEntryBundle, i/256, size)
		if err != nil {
			return nil, err
		}
		for j := i % 256; j < uint64(len(b.Entries)) && i < to; j++ {
			out = append(out, b.Entries[j])
			i++
		}
	}
	return out, nil
}

// Find returns the index of the first entry in [from, size) equal to entry.
func (l *Log) Find(ctx context.Context, from uint64, entry []byte) (uint64, bool, error) {
	size, _, err := l.Size(ctx)
	if err != nil || from >= size {
		return 0, false, err
	}
	es, err := l.Entries(ctx, from, size)
	if err != nil {
		return 0, false, err
	}
	for i, e := range es {
		if bytes.Equal(e, entry) {
			return from + uint64(i), true, nil
		}
	}
	return 0, false, nil
}
