// Package journal makes alerts durable before anyone is told they exist.
// A single writer takes the alerts of every request and worker and stores
// them in batches (one transaction for many, so the store keeps up with
// thousands a second); a batch the store cannot take (locked, full, gone)
// is synced to an append-only spool file instead, and the spool is
// replayed into the store when it answers again and at start. A caller of
// RecordAlerts returns only once its alerts are in the store or the spool:
// the gateway calls it before it answers a blocked request, so a crash at
// any moment loses nothing a client saw blocked.
package journal

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardenhq/warden/internal/alert"
)

// Store is what the journal writes to; the store implements it.
type Store interface {
	RecordAlerts(ctx context.Context, as []alert.Alert) error
	// RecordAlertsOnce records a spooled batch unless a batch with its key
	// was recorded before, so a replay cut short by a crash is not counted
	// twice.
	RecordAlertsOnce(ctx context.Context, key string, as []alert.Alert) error
}

// Journal is the single writer of alerts.
type Journal struct {
	st    Store
	spool *Spool
	log   *slog.Logger
	in    chan *pending
	now   func() time.Time

	mu        sync.Mutex
	failing   bool      // the last store write failed
	retryAt   time.Time // until then new batches go straight to the spool
	backoff   time.Duration
	lastError string

	stored, spooled, replayed prometheus.Counter
	batchSize                 prometheus.Histogram
	spoolBytes                prometheus.GaugeFunc
}

type pending struct {
	alerts []alert.Alert
	done   chan error
}

// MaxBatch is the most alerts written in one transaction.
const MaxBatch = 1024

// New returns a journal over st, spilling to sp (nil: no spool, a failed
// write is an error to the caller). Register its metrics with reg (nil:
// none). Run must be running for RecordAlerts to return.
func New(st Store, sp *Spool, reg prometheus.Registerer, log *slog.Logger) *Journal {
	j := &Journal{st: st, spool: sp, log: log, in: make(chan *pending, 4096), now: time.Now,
		stored:    prometheus.NewCounter(prometheus.CounterOpts{Name: "warden_journal_alerts_stored_total", Help: "Alerts written to the store by the journal."}),
		spooled:   prometheus.NewCounter(prometheus.CounterOpts{Name: "warden_journal_alerts_spooled_total", Help: "Alerts written to the local spool because the store could not take them."}),
		replayed:  prometheus.NewCounter(prometheus.CounterOpts{Name: "warden_journal_alerts_replayed_total", Help: "Spooled alerts replayed into the store."}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "warden_journal_batch_alerts", Help: "Alerts per store transaction.", Buckets: prometheus.ExponentialBuckets(1, 4, 6)}),
	}
	j.spoolBytes = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "warden_journal_spool_bytes", Help: "Bytes of alerts waiting in the spool for the store."},
		func() float64 { b, _ := j.Spooled(); return float64(b) })
	if reg != nil {
		reg.MustRegister(j.stored, j.spooled, j.replayed, j.batchSize, j.spoolBytes)
	}
	return j
}

// RecordAlerts hands alerts to the writer and waits until they are in the
// store or synced to the spool.
func (j *Journal) RecordAlerts(ctx context.Context, as []alert.Alert) error {
	if len(as) == 0 {
		return nil
	}
	p := &pending{alerts: as, done: make(chan error, 1)}
	select {
	case j.in <- p:
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-p.done
}

// Spooled returns the bytes and batches waiting in the spool.
func (j *Journal) Spooled() (int64, int) {
	if j.spool == nil {
		return 0, 0
	}
	return j.spool.Size()
}

// Health says whether the store takes writes: false, with the last error,
// while writes are going to the spool.
func (j *Journal) Health() (ok bool, reason string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return !j.failing, j.lastError
}

// Run writes batches until ctx ends, then drains what is queued. It
// replays the spool first, and again whenever the store comes back.
func (j *Journal) Run(ctx context.Context) {
	j.replay(ctx)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case p := <-j.in:
			// A batch in hand is finished whatever happens to ctx: a
			// shutdown must not turn it into a failed write.
			j.write(context.Background(), j.gather(p))
		case <-tick.C:
			j.replay(ctx)
		case <-ctx.Done():
			for {
				select {
				case p := <-j.in:
					j.write(context.Background(), j.gather(p))
				default:
					return
				}
			}
		}
	}
}

// gather takes p and whatever else is queued, up to MaxBatch alerts.
func (j *Journal) gather(p *pending) []*pending {
	batch, n := []*pending{p}, len(p.alerts)
	for n < MaxBatch {
		select {
		case q := <-j.in:
			batch, n = append(batch, q), n+len(q.alerts)
		default:
			return batch
		}
	}
	return batch
}

// write stores a batch, or spools it when the store fails or is known to
// be failing, and tells each caller.
func (j *Journal) write(ctx context.Context, batch []*pending) {
	var all []alert.Alert
	for _, p := range batch {
		all = append(all, p.alerts...)
	}
	j.batchSize.Observe(float64(len(all)))
	err := errors.New("store failing")
	if j.storeWorthTrying() {
		err = j.st.RecordAlerts(ctx, all)
		j.noteStore(err)
	}
	if err == nil {
		j.stored.Add(float64(len(all)))
	} else if j.spool != nil {
		if serr := j.spool.Append(Batch{Key: uuid.NewString(), Alerts: all}); serr != nil {
			err = errors.Join(err, serr)
			j.log.Error("alerts lost: neither the store nor the spool took them", "count", len(all), "err", err)
		} else {
			err = nil
			j.spooled.Add(float64(len(all)))
		}
	}
	for _, p := range batch {
		p.done <- err
	}
}

// storeWorthTrying is false while a failing store is backing off: those
// batches go to the spool without waiting on it.
func (j *Journal) storeWorthTrying() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return !j.failing || !j.now().Before(j.retryAt) || j.spool == nil
}

func (j *Journal) noteStore(err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err == nil {
		if j.failing {
			j.log.Info("store takes alerts again")
		}
		j.failing, j.backoff, j.lastError = false, 0, ""
		return
	}
	if !j.failing {
		j.log.Error("store write failed; alerts go to the spool until it recovers", "err", err)
	}
	j.failing, j.lastError = true, err.Error()
	j.backoff = min(max(2*j.backoff, 250*time.Millisecond), 5*time.Second)
	j.retryAt = j.now().Add(j.backoff)
}

// replay moves spooled batches into the store; each is recorded once even
// if a crash interrupts the replay.
func (j *Journal) replay(ctx context.Context) {
	if j.spool == nil {
		return
	}
	if _, n := j.spool.Size(); n == 0 || !j.storeWorthTrying() {
		return
	}
	bs, err := j.spool.Batches()
	if err != nil {
		j.log.Error("read spool", "err", err)
		return
	}
	for _, b := range bs {
		err := j.st.RecordAlertsOnce(ctx, b.Key, b.Alerts)
		j.noteStore(err)
		if err != nil {
			return
		}
		j.replayed.Add(float64(len(b.Alerts)))
	}
	if err := j.spool.Reset(); err != nil {
		j.log.Error("empty spool after replay", "err", err)
		return
	}
	j.log.Info("spooled alerts replayed into the store", "batches", len(bs))
}
