package tlog

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// ProofHeader starts a c2sp.org/tlog-proof@v1 receipt.
const ProofHeader = "c2sp.org/tlog-proof@v1"

// Receipt is an offline proof that an entry is in the log: the entry
// itself (carried as the proof's extra data), its index, the inclusion
// proof and the signed checkpoint it was proved against.
type Receipt struct {
	Entry      []byte
	Index      uint64
	Proof      [][]byte
	Checkpoint []byte // signed note, verbatim
}

// Marshal writes the receipt in the tlog-proof text format.
func (r *Receipt) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(ProofHeader + "\n")
	if len(r.Entry) > 0 {
		b.WriteString("extra " + base64.StdEncoding.EncodeToString(r.Entry) + "\n")
	}
	b.WriteString("index " + strconv.FormatUint(r.Index, 10) + "\n")
	for _, h := range r.Proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h) + "\n")
	}
	b.WriteString("\n")
	b.Write(r.Checkpoint)
	return b.Bytes()
}

// MaxReceiptBytes bounds what ParseReceipt reads.
const MaxReceiptBytes = 64 << 10

// ParseReceipt reads a tlog-proof receipt; errors name the line.
func ParseReceipt(data []byte) (*Receipt, error) {
	if len(data) > MaxReceiptBytes {
		return nil, fmt.Errorf("receipt: larger than %d bytes", MaxReceiptBytes)
	}
	head, cp, ok := bytes.Cut(data, []byte("\n\n"))
	if !ok || len(cp) == 0 {
		return nil, errors.New("receipt: no checkpoint after an empty line")
	}
	lines := strings.Split(string(head), "\n")
	if lines[0] != ProofHeader {
		return nil, fmt.Errorf("receipt line 1: want %q", ProofHeader)
	}
	r := &Receipt{Checkpoint: cp}
	i := 1
	if i < len(lines) && strings.HasPrefix(lines[i], "extra ") {
		e, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(lines[i], "extra "))
		if err != nil {
			return nil, fmt.Errorf("receipt line %d: extra: %v", i+1, err)
		}
		r.Entry = e
		i++
	}
	if i >= len(lines) || !strings.HasPrefix(lines[i], "index ") {
		return nil, fmt.Errorf("receipt line %d: want \"index N\"", i+1)
	}
	idx := strings.TrimPrefix(lines[i], "index ")
	n, err := strconv.ParseUint(idx, 10, 64)
	if err != nil || (len(idx) > 1 && idx[0] == '0') {
		return nil, fmt.Errorf("receipt line %d: index %q is not a decimal without leading zeros", i+1, idx)
	}
	r.Index = n
	for i++; i < len(lines); i++ {
		h, err := base64.StdEncoding.DecodeString(lines[i])
		if err != nil || len(h) != 32 {
			return nil, fmt.Errorf("receipt line %d: not a base64 SHA-256 hash", i+1)
		}
		r.Proof = append(r.Proof, h)
	}
	if len(r.Proof) > 64 {
		return nil, errors.New("receipt: more than 64 proof hashes")
	}
	return r, nil
}

// Verified is what a verified receipt proves.
type Verified struct {
	Checkpoint *log.Checkpoint
	Entry      *Decision
	Note       *note.Note // with the signatures that verified (log and witnesses)
}

// VerifyReceipt checks the checkpoint's signature by the log key (and any
// witness keys given; at least quorum of them must have cosigned), then
// the inclusion of the receipt's entry at its index, with
// transparency-dev/merkle.
func VerifyReceipt(r *Receipt, origin string, logKey note.Verifier, witnesses []note.Verifier, quorum int) (*Verified, error) {
	if len(r.Entry) == 0 {
		return nil, errors.New("receipt: no entry (extra line) to verify")
	}
	cp, _, n, err := log.ParseCheckpoint(r.Checkpoint, origin, logKey, witnesses...)
	if err != nil {
		return nil, fmt.Errorf("receipt checkpoint: %v", err)
	}
	if got := cosigners(n, logKey); got < quorum {
		return nil, fmt.Errorf("receipt checkpoint: %d witness cosignatures; %d required", got, quorum)
	}
	if r.Index >= cp.Size {
		return nil, fmt.Errorf("receipt: index %d is outside the checkpoint's tree of size %d", r.Index, cp.Size)
	}
	leaf := rfc6962.DefaultHasher.HashLeaf(r.Entry)
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, r.Index, cp.Size, leaf, r.Proof, cp.Hash); err != nil {
		return nil, fmt.Errorf("receipt: inclusion proof: %v", err)
	}
	d, err := ParseEntry(r.Entry)
	if err != nil {
		return nil, fmt.Errorf("receipt: %v", err)
	}
	return &Verified{Checkpoint: cp, Entry: d, Note: n}, nil
}

// cosigners counts verified signatures other than the log's own.
func cosigners(n *note.Note, logKey note.Verifier) int {
	c := 0
	for _, s := range n.Sigs {
		if s.Name != logKey.Name() || s.Hash != logKey.KeyHash() {
			c++
		}
	}
	return c
}
