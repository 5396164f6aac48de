package journal

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
)

// fakeStore records alerts by id, failing while fail is set.
type fakeStore struct {
	mu      sync.Mutex
	fail    bool
	ids     map[string]int
	keys    map[string]bool
	batches int
}

func newFake() *fakeStore { return &fakeStore{ids: map[string]int{}, keys: map[string]bool{}} }

func (f *fakeStore) RecordAlerts(_ context.Context, as []alert.Alert) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return errors.New("database is locked")
	}
	f.batches++
	for _, a := range as {
		f.ids[a.ID]++
	}
	return nil
}

func (f *fakeStore) RecordAlertsOnce(ctx context.Context, key string, as []alert.Alert) error {
	f.mu.Lock()
	seen := f.keys[key]
	fail := f.fail
	if !seen && !fail {
		f.keys[key] = true
	}
	f.mu.Unlock()
	if seen {
		return nil
	}
	return f.RecordAlerts(ctx, as)
}

func (f *fakeStore) count() (ids, dups int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.ids {
		ids++
		if n > 1 {
			dups++
		}
	}
	return ids, dups
}

func alerts(prefix string, n int) []alert.Alert {
	out := make([]alert.Alert, n)
	for i := range out {
		out[i] = alert.Alert{ID: prefix + string(rune('a'+i%26)) + string(rune('a'+i/26)), Type: "Warden.AI.Jailbreak"}
	}
	return out
}

func run(t *testing.T, j *Journal) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { j.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

// While the store fails, alerts go to the spool and RecordAlerts still
// succeeds; when it is back they are replayed, each once.
func TestSpoolWhileStoreFails(t *testing.T) {
	st := newFake()
	sp, err := OpenSpool(filepath.Join(t.TempDir(), "alerts.spool"))
	if err != nil {
		t.Fatal(err)
	}
	j := New(st, sp, nil, slog.New(slog.DiscardHandler))
	stop := run(t, j)
	defer stop()
	ctx := context.Background()
	if err := j.RecordAlerts(ctx, alerts("ok", 3)); err != nil {
		t.Fatal(err)
	}
	st.mu.Lock()
	st.fail = true
	st.mu.Unlock()
	for i := range 5 {
		if err := j.RecordAlerts(ctx, alerts(string(rune('p'+i)), 4)); err != nil {
			t.Fatalf("write while the store fails: %v; want it spooled", err)
		}
	}
	if ok, reason := j.Health(); ok || reason == "" {
		t.Errorf("health = %v, %q; want failing with the store's error", ok, reason)
	}
	if b, n := j.Spooled(); b == 0 || n == 0 {
		t.Errorf("spool holds %d bytes in %d batches; want some", b, n)
	}
	st.mu.Lock()
	st.fail = false
	st.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, n := j.Spooled(); n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("spool not replayed within 10 s of the store's return")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ids, dups := st.count(); ids != 3+5*4 || dups != 0 {
		t.Errorf("store holds %d alerts (%d twice); want 23, none twice", ids, dups)
	}
	if ok, _ := j.Health(); !ok {
		t.Error("still unhealthy after the store came back")
	}
}

// Many writers are served in few transactions.
func TestBatches(t *testing.T) {
	st := newFake()
	j := New(st, nil, nil, slog.New(slog.DiscardHandler))
	stop := run(t, j)
	var wg sync.WaitGroup
	for i := range 2000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := j.RecordAlerts(context.Background(), []alert.Alert{{ID: string(rune(i + 1000))}}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	stop()
	if ids, _ := st.count(); ids != 2000 {
		t.Errorf("%d alerts stored, want 2000", ids)
	}
	if st.batches >= 2000 {
		t.Errorf("%d transactions for 2000 alerts from concurrent writers; want them batched", st.batches)
	}
}

// A record torn by a crash is cut off at open, and appends go on cleanly.
func TestSpoolTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alerts.spool")
	sp, err := OpenSpool(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := sp.Append(Batch{Key: string(rune('k' + i)), Alerts: alerts("t", 2)}); err != nil {
			t.Fatal(err)
		}
	}
	valid, _ := sp.Size()
	sp.Close()
	// The last record torn: its last bytes never reached the disk.
	f, _ := os.OpenFile(path, os.O_RDWR, 0)
	f.WriteAt(make([]byte, 7), valid-7)
	f.Close()
	sp, err = OpenSpool(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, n := sp.Size(); n != 2 {
		t.Errorf("%d records after a torn tail, want 2", n)
	}
	if err := sp.Append(Batch{Key: "z", Alerts: alerts("u", 1)}); err != nil {
		t.Fatal(err)
	}
	bs, err := sp.Batches()
	if err != nil || len(bs) != 3 || bs[2].Key != "z" {
		t.Fatalf("batches = %d (%v); want 3, the last \"z\"", len(bs), err)
	}
	if err := sp.Reset(); err != nil {
		t.Fatal(err)
	}
	if b, n := sp.Size(); b != 0 || n != 0 {
		t.Errorf("after reset: %d bytes, %d records", b, n)
	}
}

// FuzzParse: any bytes, no panic, and the valid prefix is never longer
// than the input.
func FuzzParse(f *testing.F) {
	var buf bytes.Buffer
	dir := f.TempDir()
	sp, _ := OpenSpool(filepath.Join(dir, "s"))
	sp.Append(Batch{Key: "a", Alerts: alerts("f", 2)}) //nolint:errcheck
	valid, _ := sp.Size()
	sp.Close()
	b, _ := os.ReadFile(filepath.Join(dir, "s"))
	buf.Write(b[:valid+headerLen]) // the record and the zero header after it
	f.Add(buf.Bytes())
	f.Add([]byte("WDSL"))
	f.Fuzz(func(t *testing.T, b []byte) {
		bs, valid, err := Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if valid > int64(len(b)) || (len(bs) == 0) != (valid == 0) {
			t.Fatalf("%d batches, valid %d of %d bytes", len(bs), valid, len(b))
		}
	})
}
