package screen

import (
	"runtime"
	"sync"
)

// Result is one query's answer in a batch.
type Result struct {
	Query Query  `json:"query"`
	Hits  []Hit  `json:"hits"`
	Error string `json:"error,omitempty"` // e.g. nothing to match in the name
}

// SearchBatch screens many parties on every core, answers in query order.
func (ix *Index) SearchBatch(qs []Query, opt Options) []Result {
	out := make([]Result, len(qs))
	workers := min(runtime.GOMAXPROCS(0), len(qs))
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next += 16
				mu.Unlock()
				if i >= len(qs) {
					return
				}
				for k := i; k < min(i+16, len(qs)); k++ {
					hits, err := ix.Search(qs[k], opt)
					out[k] = Result{Query: qs[k], Hits: hits}
					if err != nil {
						out[k].Error = err.Error()
					}
				}
			}
		}()
	}
	wg.Wait()
	return out
}
