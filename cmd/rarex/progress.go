package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progressReader reports how much of a file has been read, on a terminal
// only: logs and pipes stay clean.
type progressReader struct {
	r     io.Reader
	w     io.Writer
	name  string
	total int64
	done  int64
	last  time.Time
}

// withProgress wraps f when w is a terminal and the file's size is known.
func withProgress(f *os.File, w io.Writer, name string) io.Reader {
	tty, ok := w.(*os.File)
	if !ok {
		return f
	}
	if st, err := tty.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return f
	}
	st, err := f.Stat()
	if err != nil || st.Size() < 1<<20 { // small files need no bar
		return f
	}
	return &progressReader{r: f, w: w, name: name, total: st.Size()}
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if now := time.Now(); now.Sub(p.last) > 200*time.Millisecond || err == io.EOF {
		p.last = now
		fmt.Fprintf(p.w, "\rreading %s: %3d%% (%.1f of %.1f MB)", p.name, p.done*100/p.total, float64(p.done)/1e6, float64(p.total)/1e6)
		if err == io.EOF {
			fmt.Fprintln(p.w)
		}
	}
	return n, err
}

// Size is the file's size: the BOM reader reads sized files whole.
func (p *progressReader) Size() int64 { return p.total }
