package sqldb

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"xinfang"
)

// Counts kept beside the items (the 态势 page's dash_counts, kpi_daily's
// registrations, petition_matters) count the items a database held before
// the migration that brought them after the start, not in it: the
// migration records in kpi_state the largest id then held (<col>_last),
// and a background count takes the items from <col>_upto to it in batches
// of ids, each batch one transaction that advances <col>_upto. An item
// registered after the migration is counted by its registration; an action
// that changes what an item not counted yet counts leaves the counts alone,
// and the batch counts the item as the action left it (counted, read after
// the action's lock on the item, as a batch locks its items before reading
// them). Until the counts are complete, their readers read the items.
type priorCounts struct {
	what       string // the log's name of the counts
	upto, last string // kpi_state's columns
	batch      int    // items a transaction counts; tests lower it
	built      atomic.Bool
	// count counts the items lo < id <= hi into the counts, in tx; n is
	// how many rows it counted.
	count func(ctx context.Context, tx *Tx, lo, hi int64) (n int, err error)
}

// complete reports whether the counts hold every item. Once seen
// finished, it stays so.
func (c *priorCounts) complete(ctx context.Context, r cq) (bool, error) {
	all, _, _, err := c.progress(ctx, r)
	return all, err
}

// progress is complete with how far the count of the items held before
// the migration has come.
func (c *priorCounts) progress(ctx context.Context, r cq) (all bool, upto, last int64, err error) {
	if c.built.Load() {
		return true, 0, 0, nil
	}
	if err := r.row(ctx, `SELECT `+c.upto+`, `+c.last+` FROM kpi_state WHERE id = 1`).Scan(&upto, &last); err != nil {
		return false, 0, 0, err
	}
	if upto >= last {
		c.built.Store(true)
		return true, upto, last, nil
	}
	return false, upto, last, nil
}

// counted reports whether item id is in the counts: its id at most upto,
// or above last.
func (c *priorCounts) counted(ctx context.Context, r cq, id int64) (bool, error) {
	all, upto, last, err := c.progress(ctx, r)
	return all || id <= upto || id > last, err
}

// priorBatch is how many petitions a transaction of the counts of
// migration 0077 (the registrations, the matters) counts: each reads a
// few columns of them and writes a few rows.
const priorBatch = 20000

// errPriorRace ends a batch that another instance counted first.
var errPriorRace = xinfang.Errorf(xinfang.ECONFLICT, "batch counted elsewhere")

// build counts the items not counted yet, c.batch at a time. stop (nil:
// never) ends it between batches; the next start resumes.
func (c *priorCounts) build(ctx context.Context, db *core, stop <-chan struct{}) error {
	start, n := time.Now(), 0
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		k, done, err := c.step(ctx, db)
		if err != nil {
			return err
		}
		n += k
		if done {
			break
		}
	}
	if n > 0 {
		db.Logger.Info(c.what+" built", "counted", n, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// step counts the next batch and advances upto in the same transaction,
// only if no other instance did meanwhile (else it counts the batch after
// it); done reports that every item is counted.
func (c *priorCounts) step(ctx context.Context, db *core) (n int, done bool, err error) {
	for {
		err := db.write(ctx, func(tx *Tx) error {
			var upto, last int64
			if err := tx.queryRow(ctx, `SELECT `+c.upto+`, `+c.last+` FROM kpi_state WHERE id = 1`).Scan(&upto, &last); err != nil {
				return err
			}
			if upto >= last {
				done = true
				return nil
			}
			hi := min(upto+int64(c.batch), last)
			k, err := c.count(ctx, tx, upto, hi)
			if err != nil {
				return err
			}
			n = k
			moved, err := tx.change(ctx, `UPDATE kpi_state SET `+c.upto+` = ? WHERE id = 1 AND `+c.upto+` = ?`, hi, upto)
			if err != nil {
				return err
			}
			if moved != 1 {
				return errPriorRace
			}
			return nil
		})
		if errors.Is(err, errPriorRace) {
			continue
		}
		if done {
			c.built.Store(true)
		}
		return n, done, err
	}
}
