package tlog

import (
	"bytes"
	"context"
	"fmt"

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
