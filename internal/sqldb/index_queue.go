package sqldb

import (
	"context"
	"database/sql"
	"slices"
	"sync/atomic"
	"time"

	"xinfang"
	"xinfang/internal/similar"
)

// The index queue: a registration writes its fingerprint and a row of
// index_queue (its folded search text) in its own transaction; the
// indexer writes the rest of its derived index — the repeat-detection
// grams, the gram counts, the search document and the full-text tables —
// for many petitions at a time, off the registering batch. A gram row
// lands on a page of its own in a B-tree ordered by gram, so written one
// petition at a time the grams dirtied a hundred or more pages each, and
// the full-text tables wrote and merged a segment per commit: together
// more than half of the single writer's time. In batches of hundreds the
// pages and segments are shared.
//
// Nothing lags without the reader knowing it: search, the ledger's text
// filter and repeat candidates read the queued rows beside the index
// (pendingSearch, pendingGrams), and the indexer moves a petition from
// the queue into the index in one transaction, so every reader finds it
// in one place or the other. The queue is durable: rows left by a stop
// are indexed at the next start, by any instance.

// indexQueueDelay is how long the indexer waits after a registration
// before it writes, so that the registrations of that time share one
// transaction; indexQueueBatch is the most petitions one transaction takes.
const (
	indexQueueDelay = 250 * time.Millisecond
	indexQueueBatch = 1000
	// indexQueuePoll is how often the indexer looks for rows queued by
	// another instance on the same database (or left by a stop).
	indexQueuePoll = 2 * time.Second
)

// indexQueueDelayTick replaces indexQueueDelay for the databases opened
// after a test sets it (nanoseconds; 0 for the default): a test that reads
// queued rows sets it to hours.
var indexQueueDelayTick atomic.Int64

// indexer is the goroutine that empties index_queue.
type indexer struct {
	kick       chan struct{}
	stop, done chan struct{}
	delay      time.Duration
}

// petitionPrint is a petition's fingerprint and traits (similar.PetitionIndex).
type petitionPrint struct {
	fp     []byte // encoded
	traits string
}

// printOf computes p's fingerprint. A registration computes it before its
// write: it is the longest computation of a registration, and inside the
// write it would run on the one writer, one registration after another.
func printOf(p *xinfang.Petition) petitionPrint {
	fp, traits := similar.PetitionIndex(similar.Petition{Summary: p.Summary, Content: p.Content})
	return petitionPrint{encodeFP(fp), traits}
}

// enqueueIndex queues petition p's derived index in tx: its fingerprint
// fp now, the grams and the search document by the indexer. The text
// holds the item's number, which a registration takes at the end of the
// write, so the row is written then.
func (db *core) enqueueIndex(ctx context.Context, tx *Tx, p *xinfang.Petition, fp petitionPrint) error {
	if _, err := tx.exec(ctx, `INSERT INTO petition_fingerprints (petition_id, version, day, fp, traits) VALUES (?, ?, ?, ?, ?)`,
		p.ID, similar.FingerprintVersion, fpDay(p.ReceivedAt), fp.fp, fp.traits); err != nil {
		return err
	}
	tx.atEnd(endText, func() error {
		_, err := tx.exec(ctx, `INSERT INTO index_queue (petition_id, text) VALUES (?, ?)`, p.ID, searchFold(petitionSearchText(p)))
		return err
	})
	return nil
}

// startIndexer starts the indexer; it writes what a previous run left
// queued at once.
func (db *DB) startIndexer() {
	ix := &indexer{kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), delay: indexQueueDelay}
	if d := time.Duration(indexQueueDelayTick.Load()); d > 0 {
		ix.delay = d
	}
	db.indexer = ix
	ix.kick <- struct{}{}
	go func() {
		defer close(ix.done)
		poll := time.NewTicker(indexQueuePoll)
		defer poll.Stop()
		for {
			select {
			case <-ix.stop:
				return
			case <-ix.kick:
				select {
				case <-ix.stop:
					return
				case <-time.After(ix.delay):
				}
			case <-poll.C:
			}
			if err := db.FlushIndex(ownContext("indexer")); err != nil {
				db.Logger.Warn("index queue", "err", err)
			}
		}
	}()
}

// kickIndexer tells the indexer that rows were queued.
func (db *core) kickIndexer() {
	if db.indexer == nil {
		return
	}
	select {
	case db.indexer.kick <- struct{}{}:
	default:
	}
}

// stopIndexer stops the indexer after the batch it is writing; the rows
// still queued stay for the next start.
func (db *core) stopIndexer() {
	if db.indexer == nil {
		return
	}
	close(db.indexer.stop)
	<-db.indexer.done
	db.indexer = nil
}

// FlushIndex writes the derived index of every petition queued now and
// returns when the queue is empty (or ctx ends).
func (db *DB) FlushIndex(ctx context.Context) error {
	for {
		n, err := db.indexQueued(ctx)
		if err != nil || n < indexQueueBatch {
			return err
		}
	}
}

// indexQueued writes the derived index of up to indexQueueBatch queued
// petitions, oldest first, and returns how many it read. The fingerprints
// are read and the grams computed before the write; the write claims the
// rows by deleting them, so that two instances never index a petition
// twice (the gram counts would count it twice).
func (db *DB) indexQueued(ctx context.Context) (int, error) {
	rs, err := db.query(ctx, `SELECT q.petition_id, q.text, f.day, f.fp FROM index_queue q
		JOIN petition_fingerprints f ON f.petition_id = q.petition_id ORDER BY q.petition_id LIMIT ?`, indexQueueBatch)
	docs, err := scanAll(rs, err, func(s scanner) (indexDoc, error) {
		var d indexDoc
		err := s.Scan(&d.id, &d.text, &d.day, &d.fp)
		// Folded again: text queued by an older version is written in
		// the running version's form (folding twice changes nothing).
		d.text = searchFold(d.text)
		d.grams = indexGrams(decodeFP(d.fp))
		return d, err
	})
	if err != nil || len(docs) == 0 {
		return 0, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		ps := &prepared{ctx: ctx, tx: tx, m: map[string]*sql.Stmt{}}
		defer ps.close()
		claimed := map[int64]bool{}
		for c := range slices.Chunk(docs, 250) {
			rows, err := ps.query(`DELETE FROM index_queue WHERE petition_id IN (`+placeholders(len(c))+`) RETURNING petition_id`, docIDs(c)...)
			err = eachRow(rows, err, func(r scanner) error {
				id, err := scanID(r)
				claimed[id] = true
				return err
			})
			if err != nil {
				return err
			}
		}
		mine := slices.DeleteFunc(slices.Clone(docs), func(d indexDoc) bool { return !claimed[d.id] })
		return db.writeDerived(ps, mine)
	})
	if err != nil {
		return 0, err
	}
	return len(docs), nil
}

func docIDs(docs []indexDoc) []any {
	out := make([]any, len(docs))
	for i, d := range docs {
		out[i] = d.id
	}
	return out
}

// pendingDoc is a queued petition as a reader of the index sees it.
type pendingDoc struct {
	id, day int64
	grams   []uint32
}

// pendingGrams returns the queued petitions with their grams, for repeat
// detection: their grams are not in petition_grams yet, nor counted in
// gram_stats. The queue holds what the indexer has not reached, a few
// hundred rows under load.
func (db *core) pendingGrams(ctx context.Context) ([]pendingDoc, error) {
	rs, err := db.query(ctx, `SELECT f.petition_id, f.day, f.fp FROM index_queue q JOIN petition_fingerprints f ON f.petition_id = q.petition_id`)
	return scanAll(rs, err, func(s scanner) (pendingDoc, error) {
		var d pendingDoc
		var fp []byte
		err := s.Scan(&d.id, &d.day, &fp)
		d.grams = indexGrams(decodeFP(fp))
		return d, err
	})
}

// pendingSearch returns the ids of the queued petitions whose text
// contains every term, newest first: what the full-text index does not
// hold yet.
func (db *core) pendingSearch(ctx context.Context, terms []string) ([]int64, error) {
	cond, args := db.containsTerms("q.text", terms)
	return db.ids(ctx, `SELECT q.petition_id FROM index_queue q WHERE `+cond+` ORDER BY q.petition_id DESC`, args...)
}
