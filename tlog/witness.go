package tlog

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/transparency-dev/formats/log"
	fnote "github.com/transparency-dev/formats/note"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// Witness implements the C2SP tlog-witness protocol for one log: it
// cosigns a checkpoint only if it is signed by the log and extends, by a
// verified consistency proof, the last checkpoint it cosigned. Its state
// survives restarts, so it never cosigns two histories.
type Witness struct {
	Log    note.Verifier // the log's key
	Signer note.Signer   // the witness's cosignature/v1 signer
	State  string        // file keeping the last cosigned checkpoint

	mu   sync.Mutex
	size uint64
	root []byte
}

type witnessState struct {
	Size       uint64 `json:"size"`
	Root       []byte `json:"root"`
	Checkpoint string `json:"checkpoint"`
}

// NewWitness loads the witness's state (none: it has cosigned nothing yet).
func NewWitness(logVKey, witnessSKey, stateFile string) (*Witness, error) {
	lv, err := note.NewVerifier(logVKey)
	if err != nil {
		return nil, fmt.Errorf("log key: %v", err)
	}
	s, err := fnote.NewSignerForCosignatureV1(witnessSKey)
	if err != nil {
		return nil, fmt.Errorf("witness key: %v", err)
	}
	w := &Witness{Log: lv, Signer: s, State: stateFile}
	b, err := os.ReadFile(stateFile)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		var st witnessState
		if err := json.Unmarshal(b, &st); err != nil {
			return nil, fmt.Errorf("witness state %s: %v", stateFile, err)
		}
		w.size, w.root = st.Size, st.Root
	}
	return w, nil
}

// MaxWitnessRequest bounds an add-checkpoint body.
const MaxWitnessRequest = 16 << 10

// ServeHTTP handles POST /add-checkpoint.
func (w *Witness) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		rw.Header().Set("Allow", "POST")
		http.Error(rw, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxWitnessRequest+1))
	if err != nil || len(body) > MaxWitnessRequest {
		http.Error(rw, "request too large", http.StatusBadRequest)
		return
	}
	status, out, ctype := w.AddCheckpoint(body)
	rw.Header().Set("Content-Type", ctype)
	rw.WriteHeader(status)
	rw.Write(out)
}

// AddCheckpoint runs the protocol on a request body and returns the status,
// the response body and its content type.
func (w *Witness) AddCheckpoint(body []byte) (int, []byte, string) {
	const text = "text/plain; charset=utf-8"
	old, proofs, cpRaw, err := parseAddCheckpoint(body)
	if err != nil {
		return http.StatusBadRequest, []byte(err.Error() + "\n"), text
	}
	origin, _, _ := strings.Cut(string(cpRaw), "\n")
	if origin != w.Log.Name() {
		return http.StatusNotFound, []byte("unknown log origin\n"), text
	}
	cp, _, _, err := log.ParseCheckpoint(cpRaw, w.Log.Name(), w.Log)
	if err != nil {
		return http.StatusForbidden, []byte("the checkpoint is not signed by the log's key\n"), text
	}
	if old > cp.Size {
		return http.StatusBadRequest, []byte("old size is larger than the checkpoint\n"), text
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if old != w.size {
		return http.StatusConflict, []byte(strconv.FormatUint(w.size, 10) + "\n"), "text/x.tlog.size"
	}
	switch {
	case old == cp.Size:
		if w.size > 0 && !bytes.Equal(cp.Hash, w.root) {
			return http.StatusConflict, []byte("a different root for the size already cosigned\n"), text
		}
	case old > 0:
		if err := proof.VerifyConsistency(rfc6962.DefaultHasher, old, cp.Size, proofs, w.root, cp.Hash); err != nil {
			return http.StatusUnprocessableEntity, []byte("the consistency proof does not verify\n"), text
		}
	}
	// Remember before answering: a cosignature is never given for a state
	// the witness could forget.
	st, _ := json.Marshal(witnessState{Size: cp.Size, Root: cp.Hash, Checkpoint: string(cpRaw)})
	if err := writeFileAtomic(w.State, st); err != nil {
		return http.StatusInternalServerError, []byte("cannot persist state\n"), text
	}
	w.size, w.root = cp.Size, cp.Hash
	noteText, _, _ := strings.Cut(string(cpRaw), "\n\n")
	signed, err := note.Sign(&note.Note{Text: noteText + "\n"}, w.Signer)
	if err != nil {
		return http.StatusInternalServerError, []byte("cannot sign\n"), text
	}
	return http.StatusOK, signed[len(noteText)+2:], text
}

func parseAddCheckpoint(body []byte) (uint64, [][]byte, []byte, error) {
	head, cp, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return 0, nil, nil, errors.New("want old size and proof lines, an empty line, then the checkpoint")
	}
	sc := bufio.NewScanner(bytes.NewReader(head))
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "old ") {
		return 0, nil, nil, errors.New(`first line: want "old N"`)
	}
	old, err := strconv.ParseUint(strings.TrimPrefix(sc.Text(), "old "), 10, 64)
	if err != nil {
		return 0, nil, nil, errors.New("old size: not a decimal")
	}
	var proofs [][]byte
	for sc.Scan() {
		h, err := base64.StdEncoding.DecodeString(sc.Text())
		if err != nil || len(h) != 32 {
			return 0, nil, nil, errors.New("proof line: not a base64 SHA-256 hash")
		}
		if proofs = append(proofs, h); len(proofs) > 64 {
			return 0, nil, nil, errors.New("more than 64 proof lines")
		}
	}
	return old, proofs, cp, nil
}

func writeFileAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// WitnessVerifier reads a witness's public key for checking its cosignatures.
func WitnessVerifier(vkey string) (note.Verifier, error) {
	return fnote.NewVerifierForCosignatureV1(vkey)
}
