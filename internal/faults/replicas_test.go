package faults

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// siem records, per event id, the replicas that delivered it, in order.
type siem struct {
	mu  sync.Mutex
	by  map[string][]string
	all int
}

func (s *siem) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var docs []struct {
		EventID string `json:"event_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&docs); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range docs {
		s.by[d.EventID] = append(s.by[d.EventID], r.Header.Get("X-Replica"))
		s.all++
	}
}

// TestReplicasKillNine runs three Warden processes on one PostgreSQL
// database (WARDEN_TEST_POSTGRES_URL) under a load of blocked requests
// spread over them, exporting to a SIEM (HTTP) and, when
// WARDEN_TEST_NATS_URL is set, to NATS JetStream through a relay. Mid-load
// the NATS connections are dropped for three seconds and the replica
// exporting to the SIEM is killed with SIGKILL. Afterwards (the killed
// replica restarted on its data directory, so its spool is replayed):
// every request a client saw blocked has its alert, stored once; every
// stored alert reached the SIEM; an event delivered twice was delivered
// first by the killed replica (a batch it sent but could not record,
// delivered again by the replica that took over), never by two live ones;
// and the JetStream stream holds every outbox event exactly once.
func TestReplicasKillNine(t *testing.T) {
	needFaults(t)
	base := os.Getenv("WARDEN_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("WARDEN_TEST_POSTGRES_URL is not set")
	}
	storeURL, db := schema(t, base)
	up := upstream()
	defer up.Close()
	rec := &siem{by: map[string][]string{}}
	hook := httptest.NewServer(rec)
	defer hook.Close()
	bus := newBus(t)

	var cfgs []string
	for i := range 3 {
		dir := t.TempDir()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		cfg := fmt.Sprintf(`listen: %s
data_dir: %s
store: {url: %q}
log: {level: warn}
upstreams: [{name: up, url: %s}]
routes: [{name: blk, style: openai, upstream: up, subscription: blk}]
subscriptions: [{id: blk, name: Block, plan: true, mode: block}]
identity: {headers: {end_user_id: X-End-User-Id}}
export:
  sinks:
    - {name: siem, type: http, url: %s, format: json, headers: {X-Replica: r%d}}
`, addr, filepath.Join(dir, "data"), storeURL, up.URL, hook.URL, i)
		cfg += bus.sink()
		p := filepath.Join(dir, "warden.yaml")
		if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		cfgs = append(cfgs, p)
	}
	var ws []*warden
	for _, c := range cfgs {
		ws = append(ws, start(t, c))
	}

	// Load: 12 clients, each request to the next replica; replica k's
	// address is read each time, so a killed one is skipped.
	var down atomic.Int32
	down.Store(-1)
	var next atomic.Int64
	stop := make(chan struct{})
	var mu sync.Mutex
	var seen []string
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 30 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				k := int(next.Add(1) % 3)
				if int32(k) == down.Load() {
					continue
				}
				u := int(users.Add(1))
				if blocked(c, ws[k].addr, u) {
					mu.Lock()
					seen = append(seen, fmt.Sprintf("user-%d", u))
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(2 * time.Second)
	exporter := -1
	waitUntil(t, "an event at the SIEM", 30*time.Second, func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for _, by := range rec.by {
			fmt.Sscanf(by[0], "r%d", &exporter) //nolint:errcheck
			return true
		}
		return false
	})
	bus.drop(3 * time.Second)
	down.Store(int32(exporter))
	ws[exporter].kill9()
	t.Logf("dropped the NATS connections and killed r%d (the exporter) with SIGKILL mid-load", exporter)
	time.Sleep(3 * time.Second)
	close(stop)
	wg.Wait()
	// The killed replica comes back on its own data directory: its spool
	// is replayed into the shared store.
	ws[exporter] = start(t, cfgs[exporter])
	defer func() {
		for _, w := range ws {
			w.stop()
		}
	}()

	stored := map[string]int{} // alert id -> count
	named := map[string]bool{} // end users the stored alerts name
	read := func() {
		rows, err := db.Query(`SELECT id, body FROM alerts`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		clear(stored)
		clear(named)
		for rows.Next() {
			var id, body string
			if err := rows.Scan(&id, &body); err != nil {
				t.Fatal(err)
			}
			var a struct {
				Count    int `json:"count"`
				Entities []struct{ Kind, ID string }
			}
			json.Unmarshal([]byte(body), &a) //nolint:errcheck
			stored[id] = a.Count
			for _, e := range a.Entities {
				if e.Kind == "user" {
					named[e.ID] = true
				}
			}
		}
	}
	waitUntil(t, "every blocked request's alert stored and delivered", 2*time.Minute, func() bool {
		read()
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for id := range stored {
			if len(rec.by[id]) == 0 {
				return false
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for _, u := range seen {
			if !named[u] {
				return false
			}
		}
		return true
	})
	mu.Lock()
	noneLost(t, seen, named)
	mu.Unlock()
	occurrences := 0
	for _, n := range stored {
		occurrences += max(n, 1)
	}
	if occurrences < len(seen) {
		t.Errorf("%d occurrences stored for %d requests seen blocked", occurrences, len(seen))
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	again := 0
	killed := fmt.Sprintf("r%d", exporter)
	for id, by := range rec.by {
		if len(by) < 2 {
			continue
		}
		again++
		for _, r := range by[:len(by)-1] {
			if r != killed {
				t.Errorf("event %s delivered by %v: a live replica's delivery repeated", id, by)
				break
			}
		}
	}
	t.Logf("%d requests blocked, %d alerts stored, %d events delivered (%d deliveries), %d delivered again after the kill", len(seen), len(stored), len(rec.by), rec.all, again)
	bus.holdsAll(t, db)
}

// schema makes a fresh schema on the PostgreSQL server base names, and
// returns a URL that uses it and a connection to it for reading.
func schema(t *testing.T, base string) (string, *sql.DB) {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("warden_faults_%d", time.Now().UnixNano())
	if _, err := admin.Exec(`CREATE SCHEMA ` + name); err != nil {
		t.Fatalf("PostgreSQL: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		admin.Exec(`DROP SCHEMA ` + name + ` CASCADE`) //nolint:errcheck
		admin.Close()
	})
	return u.String(), db
}
