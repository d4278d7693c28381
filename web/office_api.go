package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"rarex"
	"rarex/office"
)

// The licence office's JSON API (docs/api.md).

type versioned struct {
	Version int `json:"version"`
}

type messageRequest struct {
	Version   int      `json:"version"`
	Message   string   `json:"message"`
	Documents []string `json:"documents"`
}

type draftRequest struct {
	Version int                   `json:"version"`
	Body    rarex.ApplicationBody `json:"body"`
}

type decisionRequest struct {
	Version int `json:"version"`
	office.DecisionInput
}

type statusRequest struct {
	Status rarex.LicenceStatus `json:"status"`
	Reason string              `json:"reason"`
}

type registerRequest struct {
	Name    string `json:"name"`
	Country string `json:"country"`
	Note    string `json:"note"`
}

// queueFilter reads the queue's filters from the query string.
func queueFilter(r *http.Request) (office.QueueFilter, error) {
	q := r.URL.Query()
	f := office.QueueFilter{Track: q.Get("track"), Class: q.Get("class"), Destination: strings.ToUpper(q.Get("destination")), State: rarex.AppState(q.Get("state"))}
	if f.Track != "" && f.Track != "green" && f.Track != "standard" {
		return f, rarex.Errorf(rarex.EINVALID, "track: %q is not green or standard", f.Track)
	}
	for name, dst := range map[string]*bool{"overdue": &f.Overdue, "all": &f.All} {
		if v := q.Get(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return f, rarex.Errorf(rarex.EINVALID, "%s: %q is not true or false", name, v)
			}
			*dst = b
		}
	}
	return f, nil
}

func (s *Server) apiApplications(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	f, err := queueFilter(r)
	if err != nil {
		return err
	}
	rows, counts, err := s.Office.Queue(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"applications": nonNil(rows), "counts": counts})
	return nil
}

func (s *Server) apiCreateApplication(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	var body rarex.ApplicationBody
	if err := DecodeJSON(r, &body); err != nil {
		return err
	}
	a, err := s.Office.Create(r.Context(), actor, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) apiGetApplication(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	v, err := s.Office.Get(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) apiUpdateApplication(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	var req draftRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	a, err := s.Office.UpdateDraft(r.Context(), actor, r.PathValue("id"), req.Version, req.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// apiTransition handles the POSTs that take a version and move an application.
func (s *Server) apiTransition(fn func(s *Server, r *http.Request, actor *rarex.User, id string, body []byte) (*rarex.Application, error)) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
		if err := requireJSON(r); err != nil {
			return err
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return bodyError(err)
		}
		if len(bytes.TrimSpace(body)) == 0 {
			body = []byte("{}")
		}
		a, err := fn(s, r, actor, r.PathValue("id"), body)
		if err != nil {
			return err
		}
		v, err := s.Office.Get(r.Context(), actor, a.ID)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, v)
		return nil
	}
}

func decodeBytes(body []byte, v any) error { return decodeJSONBody(bytes.NewReader(body), v) }

var (
	apiSubmit = func(s *Server, r *http.Request, actor *rarex.User, id string, body []byte) (*rarex.Application, error) {
		var req versioned
		if err := decodeBytes(body, &req); err != nil {
			return nil, err
		}
		return s.Office.Submit(r.Context(), actor, id, req.Version)
	}
	apiWithdraw = func(s *Server, r *http.Request, actor *rarex.User, id string, body []byte) (*rarex.Application, error) {
		var req versioned
		if err := decodeBytes(body, &req); err != nil {
			return nil, err
		}
		return s.Office.Withdraw(r.Context(), actor, id, req.Version)
	}
	apiRequestInfo = func(s *Server, r *http.Request, actor *rarex.User, id string, body []byte) (*rarex.Application, error) {
		var req messageRequest
		if err := decodeBytes(body, &req); err != nil {
			return nil, err
		}
		return s.Office.RequestInformation(r.Context(), actor, id, req.Version, req.Message)
	}
	apiAnswer = func(s *Server, r *http.Request, actor *rarex.User, id string, body []byte) (*rarex.Application, error) {
		var req messageRequest
		if err := decodeBytes(body, &req); err != nil {
			return nil, err
		}
		return s.Office.Answer(r.Context(), actor, id, req.Version, req.Message, req.Documents)
	}
	apiNote = func(s *Server, r *http.Request, actor *rarex.User, id string, body []byte) (*rarex.Application, error) {
		var req messageRequest
		if err := decodeBytes(body, &req); err != nil {
			return nil, err
		}
		return s.Office.Note(r.Context(), actor, id, req.Message)
	}
	apiDecide = func(s *Server, r *http.Request, actor *rarex.User, id string, body []byte) (*rarex.Application, error) {
		var req decisionRequest
		if err := decodeBytes(body, &req); err != nil {
			return nil, err
		}
		return s.Office.Decide(r.Context(), actor, id, req.Version, req.DecisionInput)
	}
	apiCountersign = func(s *Server, r *http.Request, actor *rarex.User, id string, body []byte) (*rarex.Application, error) {
		var req versioned
		if err := decodeBytes(body, &req); err != nil {
			return nil, err
		}
		return s.Office.Countersign(r.Context(), actor, id, req.Version)
	}
	apiReturn = func(s *Server, r *http.Request, actor *rarex.User, id string, body []byte) (*rarex.Application, error) {
		var req messageRequest
		if err := decodeBytes(body, &req); err != nil {
			return nil, err
		}
		return s.Office.ReturnProposal(r.Context(), actor, id, req.Version, req.Message)
	}
)

// documentUpload reads a multipart document: kind and file.
func (s *Server) documentUpload(r *http.Request) (office.Upload, error) {
	var up office.Upload
	if err := r.ParseMultipartForm(16 << 20); err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return up, rarex.Errorf(rarex.ETOOLARGE, "document: larger than %d bytes", big.Limit)
		}
		return up, rarex.Errorf(rarex.EINVALID, "document: send multipart/form-data with kind and file: %v", err)
	}
	f, h, err := r.FormFile("file")
	if err != nil {
		return up, rarex.Errorf(rarex.EINVALID, "file: a PDF or image file is required")
	}
	defer f.Close()
	data, err := readLimited(f, s.Office.Proc.Documents.MaxBytes)
	if err != nil {
		return up, err
	}
	return office.Upload{Kind: rarex.DocKind(r.FormValue("kind")), Filename: h.Filename, Data: data}, nil
}

func readLimited(f multipart.File, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, rarex.Errorf(rarex.EINVALID, "file: %v", err)
	}
	if int64(len(data)) > max {
		return nil, rarex.Errorf(rarex.ETOOLARGE, "file: larger than %d bytes", max)
	}
	return data, nil
}

func (s *Server) apiAddDocument(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	up, err := s.documentUpload(r)
	if err != nil {
		return err
	}
	d, a, err := s.Office.AddDocument(r.Context(), actor, r.PathValue("id"), up)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"document": d, "state": a.State})
	return nil
}

// serveDocument sends a stored document as an attachment, with its
// sniffed type and checksum; never rendered inline.
func (s *Server) serveDocument(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	d, data, err := s.Office.Document(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Disposition", `attachment; filename="`+strings.NewReplacer(`"`, "", "\r", "", "\n", "").Replace(d.Filename)+`"`)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Checksum-SHA256", d.SHA256)
	h.Set("Cache-Control", "private, no-store")
	w.Write(data)
	return nil
}

func (s *Server) apiLicences(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	ls, err := s.Office.Licences(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"licences": nonNil(ls)})
	return nil
}

func (s *Server) apiLicence(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	v, err := s.Office.Licence(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) apiShipment(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	var in office.ShipmentInput
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.Office.RecordShipment(r.Context(), actor, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) apiLicenceStatus(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	var req statusRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	l, err := s.Office.SetLicenceStatus(r.Context(), actor, r.PathValue("id"), req.Status, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	var after int64
	if v := r.URL.Query().Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return rarex.Errorf(rarex.EINVALID, "after: %q is not a sequence number", v)
		}
		after = n
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	evs, err := s.Office.Events(r.Context(), actor, after, limit)
	if err != nil {
		return err
	}
	next := after
	if len(evs) > 0 {
		next = evs[len(evs)-1].Seq
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": nonNil(evs), "next": next})
	return nil
}

func (s *Server) apiRegister(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	vs, err := s.Office.Register(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"validated_end_users": nonNil(vs)})
	return nil
}

func (s *Server) apiAddRegister(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	var req registerRequest
	if err := DecodeJSON(r, &req); err != nil {
		return err
	}
	v, err := s.Office.AddValidated(r.Context(), actor, req.Name, req.Country, req.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) apiDeleteRegister(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	if err := s.Office.RemoveValidated(r.Context(), actor, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiProfile(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	p, err := s.Office.Profile(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) apiSetProfile(w http.ResponseWriter, r *http.Request, actor *rarex.User) error {
	var p rarex.ExporterProfile
	if err := DecodeJSON(r, &p); err != nil {
		return err
	}
	p.OrgID = r.PathValue("id")
	out, err := s.Office.SetProfile(r.Context(), actor, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// idempotent runs a POST once per Idempotency-Key: a retry of the same
// request gets the first response again, with Idempotent-Replayed: true.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, actor *rarex.User, fn apiFunc) error {
	key := r.Header.Get("Idempotency-Key")
	if key == "" || r.Method != http.MethodPost {
		return fn(w, r, actor)
	}
	if len(key) > 255 {
		return rarex.Errorf(rarex.EINVALID, "Idempotency-Key: longer than 255 characters")
	}
	const maxIdempotentBody = 32 << 20
	body, err := io.ReadAll(io.LimitReader(r.Body, maxIdempotentBody+1))
	if err != nil {
		return bodyError(err)
	}
	if len(body) > maxIdempotentBody {
		return rarex.Errorf(rarex.ETOOLARGE, "A request with an Idempotency-Key may be at most %d bytes.", maxIdempotentBody)
	}
	h := sha256.New()
	io.WriteString(h, r.Method+" "+r.URL.RequestURI()+"\n"+r.Header.Get("Content-Type")+"\n")
	h.Write(body)
	hash := hex.EncodeToString(h.Sum(nil))
	prev, err := s.Store.ReserveIdempotencyKey(r.Context(), actor.ID, key, hash, s.Accounts.Clock.Now())
	if err != nil {
		return err
	}
	if prev != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(prev.Status)
		w.Write(prev.Body)
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &recorder{header: http.Header{}}
	if err := fn(rec, r, actor); err != nil {
		s.writeError(rec, r, err)
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status >= 500 {
		_ = s.Store.ReleaseIdempotencyKey(r.Context(), actor.ID, key)
	} else if err := s.Store.CompleteIdempotencyKey(r.Context(), actor.ID, key, rarex.IdempotentResponse{Status: rec.status, Body: rec.body.Bytes()}); err != nil {
		s.Log.Error("storing an idempotent response", "err", err)
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
	return nil
}

// recorder keeps a response to store it before sending it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
