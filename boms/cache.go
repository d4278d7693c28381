package boms

import (
	"container/list"
	"sync"

	"rarex/bom"
)

// DefaultCacheEdges is how many edges of compiled graphs a Service keeps
// in memory (about 40 bytes each with their parts), unless told otherwise.
const DefaultCacheEdges = 20_000_000

// graphCache keeps the compiled graphs of recently used BOMs, least
// recently used out first, up to a number of edges in all. Stored BOMs
// never change, so a cached graph is right until its BOM is deleted.
type graphCache struct {
	mu      sync.Mutex
	max     int
	edges   int
	lru     *list.List // of *cached, most recent first
	entries map[string]*list.Element
}

type cached struct {
	id string
	g  *bom.Graph
}

func (c *graphCache) get(id string) *bom.Graph {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[id]; ok {
		c.lru.MoveToFront(el)
		return el.Value.(*cached).g
	}
	return nil
}

func (c *graphCache) put(id string, g *bom.Graph, max int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries, c.lru = map[string]*list.Element{}, list.New()
	}
	if _, ok := c.entries[id]; ok || g.Edges() > max {
		return
	}
	c.entries[id] = c.lru.PushFront(&cached{id, g})
	c.edges += g.Edges()
	for c.edges > max {
		last := c.lru.Back()
		old := last.Value.(*cached)
		c.lru.Remove(last)
		delete(c.entries, old.id)
		c.edges -= old.g.Edges()
	}
}

func (c *graphCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[id]; ok {
		c.edges -= el.Value.(*cached).g.Edges()
		c.lru.Remove(el)
		delete(c.entries, id)
	}
}
