package tlog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/tessera/client"
	"golang.org/x/mod/sumdb/note"
)

// Policy is what an overseer trusts: the log's key (pinned out of band),
// witness keys and how many of them must cosign a checkpoint.
type Policy struct {
	Log       note.Verifier
	Witnesses []note.Verifier
	Quorum    int
}

// NewPolicy reads verifier keys.
func NewPolicy(logVKey string, witnessVKeys []string, quorum int) (*Policy, error) {
	v, err := note.NewVerifier(logVKey)
	if err != nil {
		return nil, fmt.Errorf("log verifier key: %v", err)
	}
	p := &Policy{Log: v, Quorum: quorum}
	for i, w := range witnessVKeys {
		wv, err := WitnessVerifier(w)
		if err != nil {
			return nil, fmt.Errorf("witness key %d: %v", i+1, err)
		}
		p.Witnesses = append(p.Witnesses, wv)
	}
	if quorum < 0 || quorum > len(p.Witnesses) {
		return nil, fmt.Errorf("quorum %d: between 0 and the %d witness keys given", quorum, len(p.Witnesses))
	}
	return p, nil
}

// Origin is the log's origin line: its key's name.
func (p *Policy) Origin() string { return p.Log.Name() }

// Verify checks a checkpoint's log signature and witness quorum.
func (p *Policy) Verify(raw []byte) (*log.Checkpoint, error) {
	cp, _, n, err := log.ParseCheckpoint(raw, p.Origin(), p.Log, p.Witnesses...)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %v", err)
	}
	if got := cosigners(n, p.Log); got < p.Quorum {
		return nil, fmt.Errorf("checkpoint: %d witness cosignatures; the policy requires %d", got, p.Quorum)
	}
	return cp, nil
}

// ForkError is proof that the log showed two histories: both checkpoints
// are signed by the log, and the newer does not extend the older.
type ForkError struct {
	Reason   string
	Old, New []byte // the two signed checkpoints, verbatim
}

func (e *ForkError) Error() string {
	return fmt.Sprintf("the log was forked or rewritten: %s\n--- remembered checkpoint ---\n%s--- current checkpoint ---\n%s", e.Reason, e.Old, e.New)
}

// Consistent proves that the checkpoint newRaw extends oldRaw, building the
// consistency proof from the log's tiles and verifying it with
// transparency-dev/merkle. Both must already be verified.
func Consistent(ctx context.Context, readTile client.TileFetcherFunc, oldRaw []byte, old *log.Checkpoint, newRaw []byte, cur *log.Checkpoint) error {
	switch {
	case cur.Size < old.Size:
		return &ForkError{Reason: fmt.Sprintf("the tree shrank from %d to %d entries", old.Size, cur.Size), Old: oldRaw, New: newRaw}
	case cur.Size == old.Size:
		if !bytes.Equal(cur.Hash, old.Hash) {
			return &ForkError{Reason: fmt.Sprintf("two different roots for the same size %d", cur.Size), Old: oldRaw, New: newRaw}
		}
		return nil
	case old.Size == 0:
		return nil
	}
	pb, err := client.NewProofBuilder(ctx, cur.Size, readTile)
	if err != nil {
		return fmt.Errorf("consistency proof: %v", err)
	}
	p, err := pb.ConsistencyProof(ctx, old.Size, cur.Size)
	if err != nil {
		return fmt.Errorf("consistency proof: %v", err)
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, old.Size, cur.Size, p, old.Hash, cur.Hash); err != nil {
		return &ForkError{Reason: fmt.Sprintf("the tree of size %d is not a prefix of the tree of size %d: %v", old.Size, cur.Size, err), Old: oldRaw, New: newRaw}
	}
	return nil
}

// Fetcher reads a log's public files: tessera's client.HTTPFetcher, or
// the log's own reader.
type Fetcher interface {
	ReadCheckpoint(ctx context.Context) ([]byte, error)
	ReadTile(ctx context.Context, level, index uint64, p uint8) ([]byte, error)
	ReadEntryBundle(ctx context.Context, index uint64, p uint8) ([]byte, error)
}

// Latest fetches the log's checkpoint and verifies it under the policy.
func (p *Policy) Latest(ctx context.Context, f Fetcher) ([]byte, *log.Checkpoint, error) {
	raw, err := f.ReadCheckpoint(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("fetching the checkpoint: %v", err)
	}
	cp, err := p.Verify(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("NOT VERIFIED: %v", err)
	}
	return raw, cp, nil
}

// StatePath is where an auditor remembers this log's checkpoint under dir:
// one file per log key.
func (p *Policy) StatePath(dir string) string {
	sum := sha256.Sum256([]byte(p.Log.Name() + "\n" + strconv.FormatUint(uint64(p.Log.KeyHash()), 10)))
	return filepath.Join(dir, hex.EncodeToString(sum[:8])+".checkpoint")
}

// Advance is what one audit run found.
type Advance struct {
	Checkpoint *log.Checkpoint
	Remembered bool   // a checkpoint was remembered from an earlier run
	From       uint64 // its size: the new one extends it
}

// ErrNothingRemembered means an audit that needs an earlier checkpoint found none.
var ErrNothingRemembered = errors.New("no checkpoint remembered")

// Advance fetches and verifies the latest checkpoint, proves it extends the
// one remembered in statePath (a ForkError if not), and remembers it.
func (p *Policy) Advance(ctx context.Context, f Fetcher, statePath string, requireOld bool) (*Advance, error) {
	raw, cp, err := p.Latest(ctx, f)
	if err != nil {
		return nil, err
	}
	adv := &Advance{Checkpoint: cp}
	oldRaw, err := os.ReadFile(statePath)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if requireOld {
			return nil, fmt.Errorf("%w in %s", ErrNothingRemembered, statePath)
		}
	case err != nil:
		return nil, err
	default:
		old, err := p.Verify(oldRaw)
		if err != nil {
			return nil, fmt.Errorf("the remembered checkpoint %s does not verify: %v", statePath, err)
		}
		if err := Consistent(ctx, f.ReadTile, oldRaw, old, raw, cp); err != nil {
			return nil, err
		}
		adv.Remembered, adv.From = true, old.Size
	}
	if err := writeFileAtomic(statePath, raw); err != nil {
		return nil, err
	}
	return adv, nil
}

// Opened is a receipt verified under a policy, with the decision record
// its opening revealed (nil without one).
type Opened struct {
	*Verified
	Index  uint64
	Record json.RawMessage
}

// Open verifies a receipt and, when opening is given, that it opens the
// entry's commitment.
func (p *Policy) Open(receipt, opening []byte) (*Opened, error) {
	r, err := ParseReceipt(receipt)
	if err != nil {
		return nil, err
	}
	v, err := VerifyReceipt(r, p.Origin(), p.Log, p.Witnesses, p.Quorum)
	if err != nil {
		return nil, fmt.Errorf("NOT VERIFIED: %v", err)
	}
	out := &Opened{Verified: v, Index: r.Index}
	if opening != nil {
		var op Opening
		if err := json.Unmarshal(opening, &op); err != nil {
			return nil, fmt.Errorf("opening: %v", err)
		}
		if err := op.Opens(v.Entry); err != nil {
			return nil, fmt.Errorf("opening: NOT VERIFIED: %v", err)
		}
		out.Record = op.Record
	}
	return out, nil
}
