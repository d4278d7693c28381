package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rarex"
	"rarex/sqlite"
	"rarex/tlog"
)

// server is a rarex serve process.
type server struct {
	cmd  *exec.Cmd
	base string
	out  *syncBuffer
}

func startProcess(t *testing.T, bin, dir string) *server {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--demo", "--data", dir, "--addr", "127.0.0.1:0", "--log-origin", "crash.test/rarex/log")
	out := &syncBuffer{}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = io.MultiWriter(out, pw), out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		re := regexp.MustCompile(`serving on (http://\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return &server{cmd: cmd, base: a, out: out}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve did not start:\n%s", out.String())
	}
	return nil
}

// client signs in with the login form and keeps the session cookie.
func signedIn(t *testing.T, base, email, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", email, resp.StatusCode)
	}
	return c
}

func postJSON(c *http.Client, u, body string) (int, []byte, error) {
	resp, err := c.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, nil
}

// TestCrashLosesNoDecision kills rarex serve with SIGKILL in the middle of
// a burst of approvals, restarts it, and checks that every committed
// decision is in the public log exactly once.
func TestCrashLosesNoDecision(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a server process")
	}
	dir := t.TempDir()
	bin := filepath.Join(t.TempDir(), "rarex")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	s := startProcess(t, bin, dir)
	pw := loginsByEmail(s.out.String())
	wei := signedIn(t, s.base, "wei@ningbo.example", pw["wei@ningbo.example"])
	pdf := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	const n = 40
	ids := make([]string, n)
	for i := range n {
		body := fmt.Sprintf(`{"lines":[{"description":"Dy metal lot %d","class":"metal","elements":["Dy"],"origin":"CN","quantity":"10","unit":"kg","value":"3500","currency":"USD"}],
"ship_from":"CN","destination":"KR","consignee":{"name":"Hanbit Motors Co., Ltd.","country":"KR"},"end_user":{"name":"Hanbit Motors Co., Ltd.","country":"KR","type":"civilian"},
"end_use":{"category":"civilian_manufacturing","statement":"Magnets"},"licence_type":"individual","validity_months":6}`, i)
		st, b, err := postJSON(wei, s.base+"/api/v1/applications", body)
		if err != nil || st != 201 {
			t.Fatalf("create: %d %s %v", st, b, err)
		}
		var a rarex.Application
		json.Unmarshal(b, &a)
		ids[i] = a.ID
		for _, k := range []string{"end_user_certificate", "end_use_certificate", "contract"} {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			mw.WriteField("kind", k)
			fw, _ := mw.CreateFormFile("file", k+".pdf")
			fw.Write(pdf)
			mw.Close()
			resp, err := wei.Post(s.base+"/api/v1/applications/"+a.ID+"/documents", mw.FormDataContentType(), &buf)
			if err != nil || resp.StatusCode != 201 {
				t.Fatalf("document: %v %v", err, resp)
			}
			resp.Body.Close()
		}
		if st, b, _ := postJSON(wei, s.base+"/api/v1/applications/"+a.ID+"/submit", `{}`); st != 200 {
			t.Fatalf("submit: %d %s", st, b)
		}
	}
	zhang := signedIn(t, s.base, "zhang@authority.example", pw["zhang@authority.example"])
	var approved atomic.Int32
	var wg sync.WaitGroup
	next := make(chan string, n)
	for _, id := range ids {
		next <- id
	}
	close(next)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range next {
				if st, _, err := postJSON(zhang, s.base+"/api/v1/applications/"+id+"/decision", `{"kind":"approve","reasons":"ok"}`); err == nil && st == 200 {
					if approved.Add(1) == n/2 {
						s.cmd.Process.Kill() // SIGKILL: no shutdown, no final checkpoint
					}
				}
			}
		}()
	}
	wg.Wait()
	s.cmd.Wait()
	if approved.Load() < n/2 {
		t.Fatalf("only %d approvals before the kill", approved.Load())
	}
	// Restart; approve what is still under review; stop gracefully.
	s = startProcess(t, bin, dir)
	zhang = signedIn(t, s.base, "zhang@authority.example", pw["zhang@authority.example"])
	for _, id := range ids {
		postJSON(zhang, s.base+"/api/v1/applications/"+id+"/decision", `{"kind":"approve","reasons":"ok"}`) // 409 for those decided before the crash
	}
	// Wait until the appender has drained the outbox (the store is read
	// from here while the server runs: SQLite in WAL mode allows it).
	ctx := context.Background()
	watch, err := sqlite.Open(ctx, filepath.Join(dir, "rarex.db"))
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; {
		pending, err := watch.PendingLogEntries(ctx, 10)
		if err == nil && len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the outbox did not drain: %d pending (%v)\n%s", len(pending), err, s.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	watch.Close()
	s.cmd.Process.Signal(os.Interrupt)
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("graceful stop: %v\n%s", err, s.out.String())
	}

	db, err := sqlite.Open(ctx, filepath.Join(dir, "rarex.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	apps, _ := db.Applications(ctx, rarex.ApplicationFilter{})
	decided := 0
	logged := map[int64]bool{}
	for _, a := range apps {
		es, _ := db.LogEntries(ctx, a.ID)
		want := 0
		if a.State == rarex.AppApproved || a.State == rarex.AppDenied {
			want = 1
			decided++
		}
		if l, _ := db.Licence(ctx, a.LicenceID); l != nil && (l.Status == rarex.LicenceSuspended || l.Status == rarex.LicenceRevoked) {
			want++
		}
		if len(es) != want {
			t.Errorf("application %s (%s): %d log entries, want %d", a.Number, a.State, len(es), want)
		}
		for _, e := range es {
			if e.Index == nil {
				t.Errorf("application %s: entry never reached the log", a.Number)
				continue
			}
			if logged[*e.Index] {
				t.Errorf("index %d recorded twice", *e.Index)
			}
			logged[*e.Index] = true
		}
	}
	key, err := tlog.LoadOrCreateKey(filepath.Join(dir, "log"), "crash.test/rarex/log")
	if err != nil {
		t.Fatal(err)
	}
	l, err := tlog.Open(ctx, filepath.Join(dir, "log"), "crash.test/rarex/log", key, tlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(ctx)
	size, _, _ := l.Size(ctx)
	entries, err := l.Entries(ctx, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	decisions := 0
	for _, e := range entries {
		if seen[string(e)] {
			t.Fatalf("an entry is in the log twice: %s", e)
		}
		seen[string(e)] = true
		if d, err := tlog.ParseEntry(e); err == nil && d.Kind == "decision" {
			decisions++
		}
	}
	if decisions != len(logged) || decided < n {
		t.Fatalf("%d decision entries in the log, %d recorded in the store, %d decided applications (want ≥ %d)", decisions, len(logged), decided, n)
	}
}
