package faults

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/store"
)

// users numbers the end users of every request across a test run: each
// request is its own user, so each blocked one has its own alert.
var users atomic.Int64

// load sends blocked requests from n goroutines until stop is closed and
// returns the end users whose requests the clients saw blocked.
func load(addr string, n int, stop <-chan struct{}) []string {
	var mu sync.Mutex
	var seen []string
	var wg sync.WaitGroup
	for range n {
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
				u := int(users.Add(1))
				if blocked(c, addr, u) {
					mu.Lock()
					seen = append(seen, fmt.Sprintf("user-%d", u))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return seen
}

// noneLost fails the test unless some requests were seen blocked and every
// one of their users is named by a stored alert.
func noneLost(t *testing.T, seen []string, stored map[string]bool) {
	t.Helper()
	var lost []string
	for _, u := range seen {
		if !stored[u] {
			lost = append(lost, u)
		}
	}
	if len(seen) == 0 || len(lost) > 0 {
		t.Errorf("clients saw %d requests blocked; %d of them have no alert in the store (%v ...)", len(seen), len(lost), lost[:min(3, len(lost))])
	}
}

// pending asks the API how many outbox events the sink has not delivered.
func pending(addr string) (int64, error) {
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/export/sinks", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var v struct{ Sinks []store.SinkState }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || len(v.Sinks) != 1 {
		return 0, fmt.Errorf("sinks: %v %+v", err, v)
	}
	return v.Sinks[0].Pending, nil
}

func waitUntil(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestKillNineUnderLoad kills Warden twice in the middle of a load of
// blocked requests, with a webhook receiver failing a third of its calls
// and then down: after a restart every alert a client saw blocked is in
// the store, and every stored alert reaches the receiver (at least once;
// a repeat carries the same event id).
func TestKillNineUnderLoad(t *testing.T) {
	needFaults(t)
	up := upstream()
	defer up.Close()
	rc := &receiver{ids: map[string]int{}, fail: 0.3}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	dir := t.TempDir()
	cfg := config(t, dir, up.URL, hook.URL)
	var seen []string
	for round := range 2 {
		w := start(t, cfg)
		stop := make(chan struct{})
		go func() {
			time.Sleep(2 * time.Second)
			w.kill9() // mid-load, requests in flight
			close(stop)
		}()
		n := load(w.addr, 16, stop)
		t.Logf("round %d: %d requests seen blocked before kill -9", round, len(n))
		seen = append(seen, n...)
		rc.set(0.3, round == 0) // down for the restart after the first kill
	}
	rc.set(0, false)
	w := start(t, cfg)
	waitUntil(t, "the sink to deliver every event", 3*time.Minute, func() bool {
		n, err := pending(w.addr)
		return err == nil && n == 0
	})
	w.stop()
	ids, stored := storedAlerts(t, w.dir)
	noneLost(t, seen, stored)
	got := rc.got()
	repeats := 0
	for _, n := range got {
		repeats += n - 1
	}
	for _, id := range ids {
		if got[id] == 0 {
			t.Errorf("stored alert %s never reached the sink", id)
		}
	}
	t.Logf("%d requests blocked, %d alerts stored, %d event ids delivered, %d repeats (same event id)", len(seen), len(ids), len(got), repeats)
}

// TestLockedStore holds the store's write lock from outside for longer
// than the store waits for it (10 s) under load: blocked requests are
// still answered, their alerts go to the spool, /readyz says why it is not
// ready, and once the lock is gone the spool is replayed and nothing is
// lost.
func TestLockedStore(t *testing.T) {
	needFaults(t)
	up := upstream()
	defer up.Close()
	dir := t.TempDir()
	w := start(t, config(t, dir, up.URL, ""))
	stop := make(chan struct{})
	var seen []string
	done := make(chan struct{})
	go func() { seen = load(w.addr, 4, stop); close(done) }()
	time.Sleep(500 * time.Millisecond)

	db, err := sql.Open("sqlite", "file:"+filepath.Join(w.dir, store.FileName)+"?_txlock=exclusive&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE heartbeat SET at = at`); err != nil {
		t.Fatal(err)
	}
	reasons := unreadyFor(w.addr, 14*time.Second)
	tx.Rollback()
	if !reasons["store_write"] || !reasons["spool"] {
		t.Errorf("/readyz while the store was locked named %v; want store_write and spool", reasons)
	}
	time.Sleep(time.Second)
	close(stop)
	<-done
	w.waitReady(time.Minute)
	w.stop()
	ids, stored := storedAlerts(t, w.dir)
	noneLost(t, seen, stored)
	t.Logf("%d blocked around a 14 s lock of the store, %d alerts stored; /readyz named %v", len(seen), len(ids), reasons)
}

// TestBoundedMemory: 300 clients that declare 5 MB bodies and send ten
// bytes, then one streamed response of 1 GB, and Warden's resident memory
// stays under 300 MB.
func TestBoundedMemory(t *testing.T) {
	needFaults(t)
	up := upstream()
	defer up.Close()
	w := start(t, config(t, t.TempDir(), up.URL, ""))
	defer w.stop()
	var peak atomic.Int64
	sample := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if r := w.rss(); r > peak.Load() {
				peak.Store(r)
			}
			select {
			case <-sample:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	var conns []net.Conn
	for range 300 {
		c, err := net.Dial("tcp", w.addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{\"model\":\"m\"")
		conns = append(conns, c)
	}
	time.Sleep(3 * time.Second)
	slow := peak.Load()
	for _, c := range conns {
		c.Close()
	}

	const size = 1 << 30
	body := `{"model":"m","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"Tell me a long story."}]}`
	req, _ := http.NewRequestWithContext(context.Background(), "POST", "http://"+w.addr+"/v1/messages", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Test-Stream-Bytes", fmt.Sprint(size))
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	close(sample)
	<-sampled
	if err != nil || n < size {
		t.Errorf("stream: %d bytes, %v; want all %d", n, err, size)
	}
	t.Logf("RSS peak %d MB with 300 slow clients; %d MB over the whole run, 1 GB stream in %s", slow>>20, peak.Load()>>20, time.Since(start).Round(time.Millisecond))
	if p := peak.Load(); p > 300<<20 {
		t.Errorf("resident memory peaked at %d MB, want under 300 MB", p>>20)
	}
}

// TestDiskFull fills the store's disk under load (a small tmpfs; skipped
// where this process may not mount one): blocked requests are answered
// (400 while the spool's reserved space takes their alerts, 503 past it),
// /readyz says so, and once space is freed the spool is replayed and no
// request a client saw blocked is without its alert.
func TestDiskFull(t *testing.T) {
	needFaults(t)
	mnt := filepath.Join(t.TempDir(), "disk")
	if err := os.MkdirAll(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=160m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small filesystem to fill here: %v %s", err, out)
	}
	defer exec.Command("umount", "-l", mnt).Run() //nolint:errcheck
	up := upstream()
	defer up.Close()
	w := start(t, config(t, mnt, up.URL, ""))
	stop := make(chan struct{})
	var seen []string
	done := make(chan struct{})
	go func() { seen = load(w.addr, 4, stop); close(done) }()
	time.Sleep(500 * time.Millisecond)

	filler := filepath.Join(mnt, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for {
		if _, err := f.Write(chunk); err != nil {
			break // ENOSPC: the disk is full
		}
	}
	f.Close()
	reasons := unreadyFor(w.addr, 5*time.Second)
	close(stop)
	<-done
	os.Remove(filler)
	if !reasons["spool"] {
		t.Errorf("/readyz while the disk was full named %v; want spool among them", reasons)
	}
	w.waitReady(time.Minute)
	w.stop()
	ids, stored := storedAlerts(t, w.dir)
	noneLost(t, seen, stored)
	t.Logf("%d blocked around 5 s of a full disk, %d alerts stored; /readyz named %v", len(seen), len(ids), reasons)
}

// unreadyFor polls /readyz for d and returns every check it named while
// answering 503.
func unreadyFor(addr string, d time.Duration) map[string]bool {
	reasons := map[string]bool{}
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			continue
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			reasons[line[:strings.IndexByte(line+":", ':')]] = true
		}
	}
	return reasons
}

// waitReady waits for /readyz to answer 200 (the spool replayed), failing
// the test with the last reasons and the log after limit.
func (w *warden) waitReady(limit time.Duration) {
	w.t.Helper()
	var last string
	for deadline := time.Now().Add(limit); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://" + w.addr + "/readyz")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = string(b)
		}
		if time.Now().After(deadline) {
			w.stop()
			w.t.Fatalf("/readyz did not recover within %s: %s\nlog: %s", limit, last, w.logs)
		}
	}
}
