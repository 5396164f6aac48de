package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/scan"
)

// TestReplicasRecordTogether runs three stores on one database (replicas:
// PostgreSQL under TestOnPostgres, three handles on one SQLite file
// otherwise) recording repeats of the same few alerts at once, while a
// reader follows the outbox as a dispatcher does. Every occurrence is
// counted once in one alert per fingerprint, every user's alerts share
// one incident, and the reader, which only ever asks for events after the
// last it saw, sees every event: none commits behind one already read.
func TestReplicasRecordTogether(t *testing.T) {
	ctx := context.Background()
	stores := openReplicas(t, 3)
	const perReplica, batches = 40, 5
	t0 := time.Now().UTC()
	users := []string{"alice", "bob"}
	stop := make(chan struct{})
	seen := map[string]bool{}
	var readErr error
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		var pos int64
		for {
			// Whether the writers were done is looked at before the read:
			// an empty read after that has seen every commit.
			done := false
			select {
			case <-stop:
				done = true
			default:
			}
			evs, err := stores[0].OutboxAfter(ctx, pos, 500)
			if err != nil {
				readErr = err
				return
			}
			for _, e := range evs {
				seen[e.EventID] = true
				pos = e.Seq
			}
			if done && len(evs) == 0 {
				return
			}
			if !done {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, len(stores)*batches)
	for r, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				var as []alert.Alert
				for i := range perReplica / batches {
					u := users[(i+b)%len(users)]
					at := t0.Add(time.Duration(r*1000+b*10+i) * time.Millisecond)
					as = append(as, alert.Alert{ID: fmt.Sprintf("r%d-b%d-%d", r, b, i), Type: alert.JailbreakDetected.Type,
						Severity: scan.SeverityHigh, Subscription: "s", Fingerprint: "fp-" + u, FirstSeen: at, LastSeen: at, Count: 1,
						Entities: []alert.Entity{{Kind: "user", ID: u}}})
				}
				if err := s.RecordAlerts(ctx, as); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-readerDone
	close(errs)
	for err := range errs {
		t.Fatalf("record: %v", err)
	}
	if readErr != nil {
		t.Fatal(readErr)
	}
	got, err := stores[1].Alerts(ctx, AlertFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	total, incidents := 0, map[string]bool{}
	for _, a := range got {
		total += a.Count
		incidents[a.Incident] = true
	}
	if len(got) != len(users) || total != perReplica*len(stores) {
		t.Errorf("%d alerts counting %d occurrences, want %d alerts (one per fingerprint) counting %d", len(got), total, len(users), perReplica*len(stores))
	}
	if len(incidents) != len(users) {
		t.Errorf("%d incidents, want one per user (%d)", len(incidents), len(users))
	}
	// Events: one per new alert and one per fold, every one read.
	all, err := stores[2].OutboxAfter(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var missed []int64
	for _, e := range all {
		if !seen[e.EventID] {
			missed = append(missed, e.Seq)
		}
	}
	if len(missed) > 0 {
		t.Logf("missed seqs %v", missed)
	}
	if len(all) != perReplica*len(stores) || len(seen) != len(all) {
		t.Errorf("outbox holds %d events (want %d); the following reader saw %d", len(all), perReplica*len(stores), len(seen))
	}
}
