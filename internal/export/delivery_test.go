package export

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/store"
)

func openStore(t testing.TB) *store.Store {
	st, err := store.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// record stores n alerts in batches, as the gateway's workers do.
func record(t testing.TB, st *store.Store, from, n int) {
	var batch []alert.Alert
	for i := from; i < from+n; i++ {
		a := alert.Alert{ID: fmt.Sprintf("a-%06d", i), Type: alert.JailbreakDetected.Type, Severity: scan.SeverityMedium,
			Subscription: "team", Resource: "r", Action: alert.ActionDetected, Confidence: 0.9, Count: 1,
			FirstSeen: time.Unix(int64(i), 0), LastSeen: time.Unix(int64(i), 0), Evidence: alert.Evidence{Masked: true}}
		batch = append(batch, a)
		if len(batch) == 100 {
			if err := st.RecordAlerts(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
	if len(batch) > 0 {
		if err := st.RecordAlerts(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
}

// receiver is an HTTP receiver that records event ids, can be made to
// fail, and refuses some events for good.
type receiver struct {
	mu       sync.Mutex
	ids      []string
	failNext atomic.Int32 // calls to answer 503
	down     atomic.Bool  // answer 503 while set
	refuse   string       // event id answered 400
	stuck    string       // event id answered 503, always
	flaky    float64      // share of calls answered 500 at random
	calls    atomic.Int64
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get("X-Warden-Event-Id")
	r.calls.Add(1)
	if r.down.Load() || r.failNext.Add(-1) >= 0 || id == r.stuck || r.flaky > 0 && rand.Float64() < r.flaky {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if id == r.refuse {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	if req.Header.Get("X-Warden-Signature") != Sign([]byte("s3cret"), body) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	r.mu.Lock()
	r.ids = append(r.ids, id)
	r.mu.Unlock()
}

func (r *receiver) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func dispatcher(st *store.Store, url string) *Dispatcher {
	return &Dispatcher{Name: "hook", Sink: &Webhook{URL: url, Secret: []byte("s3cret")}, Outbox: st,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Poll: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Batch: 50,
		MaxAttempts: 1000}
}

// TestDeliveryAtLeastOnce runs a receiver that fails its first calls, then
// goes down for a while, and a Warden that restarts in the middle: every
// alert arrives, in order, and none that was acknowledged arrives twice.
func TestDeliveryAtLeastOnce(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	rcv := &receiver{}
	rcv.failNext.Store(5)
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	record(t, st, 0, 300)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { dispatcher(st, srv.URL).Run(ctx); close(done) }()
	waitFor(t, "the first deliveries", func() bool { return len(rcv.got()) >= 100 })
	rcv.down.Store(true) // the receiver goes down
	record(t, st, 300, 200)
	time.Sleep(100 * time.Millisecond)
	cancel() // and Warden restarts: the dispatcher stops, the store closes and opens again
	<-done
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err = store.Open(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rcv.down.Store(false)
	record(t, st, 500, 100)
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	go dispatcher(st, srv.URL).Run(ctx2)
	waitFor(t, "every alert", func() bool { return len(rcv.got()) >= 600 })
	ids := rcv.got()
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[id] {
			t.Errorf("event %s delivered twice", id)
		}
		seen[id] = true
		if want := fmt.Sprintf("a-%06d", i); id != want {
			t.Fatalf("delivery %d is %s, want %s (in order)", i, id, want)
		}
	}
	if len(seen) != 600 {
		t.Errorf("%d distinct events delivered, want 600", len(seen))
	}
}

// TestPoisonIsParked: an event the receiver refuses for good is parked,
// the others are delivered after it.
func TestPoisonIsParked(t *testing.T) {
	st := openStore(t)
	rcv := &receiver{refuse: "a-000007"}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	record(t, st, 0, 20)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go dispatcher(st, srv.URL).Run(ctx)
	waitFor(t, "19 deliveries", func() bool { return len(rcv.got()) >= 19 })
	if n, _ := st.Parked(context.Background(), "hook"); n != 1 {
		t.Errorf("%d parked, want 1", n)
	}
	for _, id := range rcv.got() {
		if id == "a-000007" {
			t.Error("the refused event was delivered")
		}
	}
}

// TestDeadLetterAfterAttempts: an event the receiver keeps failing with a
// retryable error is dead-lettered after MaxAttempts, counted, and the
// events behind it are delivered; partial progress is counted as delivered.
func TestDeadLetterAfterAttempts(t *testing.T) {
	st := openStore(t)
	rcv := &receiver{stuck: "a-000004"}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	record(t, st, 0, 10)
	d := dispatcher(st, srv.URL)
	d.MaxAttempts = 5
	var delivered, dead atomic.Int64
	d.Delivered = func(n int) { delivered.Add(int64(n)) }
	d.DeadLettered = func() { dead.Add(1) }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	waitFor(t, "9 deliveries", func() bool { return len(rcv.got()) >= 9 })
	if n, _ := st.Parked(context.Background(), "hook"); n != 1 || dead.Load() != 1 {
		t.Errorf("dead letters: %d stored, %d counted; want 1", n, dead.Load())
	}
	dl, err := st.DeadLetters(context.Background(), "hook", 10)
	if err != nil || len(dl) != 1 || dl[0].EventID != "a-000004" || !strings.Contains(dl[0].Error, "5 attempts") {
		t.Errorf("dead letters = %+v, %v; want a-000004 after 5 attempts", dl, err)
	}
	if got, want := rcv.calls.Load(), int64(9+5*(1+quickRetries)); got != want {
		t.Errorf("%d calls to the receiver, want %d (9 delivered, 5 attempts of %d calls at the stuck one)", got, want, 1+quickRetries)
	}
	waitFor(t, "the delivered count", func() bool { return delivered.Load() == 9 })
	ss, err := st.SinkStates(context.Background(), []string{"hook"})
	if err != nil || len(ss) != 1 || ss[0].Pending != 0 || ss[0].DeadLetters != 1 {
		t.Errorf("sink state = %+v, %v; want nothing pending, one dead letter", ss, err)
	}
}

// BenchmarkDeliveryFlaky delivers 2,000 alerts through a webhook to a
// receiver on loopback that answers 500 to none, or 30%, of its calls, and
// reports alerts a second.
func BenchmarkDeliveryFlaky(b *testing.B) {
	for _, flaky := range []float64{0, 0.3} {
		b.Run(fmt.Sprintf("fail=%.0fpct", flaky*100), func(b *testing.B) {
			var total time.Duration
			for b.Loop() {
				st := openStore(b)
				rcv := &receiver{flaky: flaky}
				srv := httptest.NewServer(rcv)
				record(b, st, 0, 2000)
				d := dispatcher(st, srv.URL)
				d.MaxBackoff = time.Second
				ctx, cancel := context.WithCancel(context.Background())
				start := time.Now()
				go d.Run(ctx)
				for len(rcv.got()) < 2000 {
					time.Sleep(time.Millisecond)
				}
				total += time.Since(start)
				cancel()
				srv.Close()
			}
			b.ReportMetric(float64(2000*b.N)/total.Seconds(), "alerts/s")
		})
	}
}

// TestFilter: a sink takes only what its filter selects, and its position
// still moves past the rest.
func TestFilter(t *testing.T) {
	f := Filter{MinSeverity: scan.SeverityHigh, Subscriptions: []string{"team"}}
	tests := []struct {
		a    alert.Alert
		want bool
	}{
		{alert.Alert{Severity: scan.SeverityCritical, Subscription: "team"}, true},
		{alert.Alert{Severity: scan.SeverityMedium, Subscription: "team"}, false},
		{alert.Alert{Severity: scan.SeverityHigh, Subscription: "other"}, false},
	}
	for _, tt := range tests {
		if got := f.Match(tt.a); got != tt.want {
			t.Errorf("Match(%s, %s) = %v, want %v", tt.a.Severity, tt.a.Subscription, got, tt.want)
		}
	}
}

// TestSyslog sends CEF over RFC 5424 syslog to real UDP and TCP listeners.
func TestSyslog(t *testing.T) {
	a := families()["jailbreak"]
	evs := []Event{{ID: "e1", Alert: a}, {ID: "e2", Alert: a}}
	// UDP
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	s := &Syslog{Network: "udp", Addr: pc.LocalAddr().String()}
	if n, err := s.Send(context.Background(), evs); err != nil || n != 2 {
		t.Fatalf("udp send: %d, %v", n, err)
	}
	buf := make([]byte, 64<<10)
	for i := range 2 {
		pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		m := string(buf[:n])
		if !strings.HasPrefix(m, "<84>1 ") || !strings.Contains(m, "CEF:0|Warden|") || !strings.Contains(m, fmt.Sprintf(`eventId="e%d"`, i+1)) {
			t.Errorf("udp message %q", m)
		}
	}
	// TCP, octet-counted.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		var msgs []string
		for len(msgs) < 2 {
			l, err := r.ReadString(' ')
			if err != nil {
				break
			}
			n, _ := strconv.Atoi(strings.TrimSpace(l))
			b := make([]byte, n)
			io.ReadFull(r, b)
			msgs = append(msgs, string(b))
		}
		got <- msgs
	}()
	s = &Syslog{Network: "tcp", Addr: ln.Addr().String()}
	if n, err := s.Send(context.Background(), evs); err != nil || n != 2 {
		t.Fatalf("tcp send: %d, %v", n, err)
	}
	msgs := <-got
	if len(msgs) != 2 || !strings.Contains(msgs[1], `eventId="e2"`) || !strings.Contains(msgs[0], "CEF:0|") {
		t.Errorf("tcp messages %q", msgs)
	}
}

// TestElasticBulk: a conflict (already indexed) counts as delivered, a
// mapping error is permanent.
func TestElasticBulk(t *testing.T) {
	var status atomic.Int32
	status.Store(409)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_bulk" {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"errors": true, "items": []any{
			map[string]any{"create": map[string]any{"status": 201}},
			map[string]any{"create": map[string]any{"status": status.Load(), "error": "x"}}}})
	}))
	defer srv.Close()
	a := families()["credential"]
	el := &Elastic{URL: srv.URL, Index: "warden"}
	evs := []Event{{ID: "1", Alert: a}, {ID: "2", Alert: a}}
	if n, err := el.Send(context.Background(), evs); err != nil || n != 2 {
		t.Errorf("conflict: %d, %v; want both delivered", n, err)
	}
	status.Store(400)
	if n, err := el.Send(context.Background(), evs); err == nil || n != 1 {
		t.Errorf("mapping error: %d, %v; want the first delivered and a permanent error", n, err)
	}
}

// TestNATS publishes to the machine's JetStream (WARDEN_TEST_NATS_URL) and
// reads back, a repeat dropped by its message id.
func TestNATS(t *testing.T) {
	url := os.Getenv("WARDEN_TEST_NATS_URL")
	if url == "" {
		t.Skip("WARDEN_TEST_NATS_URL is not set: no NATS JetStream to test against")
	}
	subject := fmt.Sprintf("warden.test%d", time.Now().UnixNano())
	n := &NATS{URL: url, Stream: "WARDEN_TEST_" + strings.TrimPrefix(subject, "warden.test"), Subject: subject}
	defer n.Close()
	a := families()["threat_intel"]
	evs := []Event{{ID: "n1", Alert: a}, {ID: "n2", Alert: a}, {ID: "n1", Alert: a}}
	if k, err := n.Send(context.Background(), evs); err != nil || k != 3 {
		t.Fatalf("send: %d, %v", k, err)
	}
	st, err := n.js.Stream(context.Background(), n.stream())
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 2 {
		t.Errorf("%d messages in the stream, want 2 (the repeat dropped)", info.State.Msgs)
	}
	n.js.DeleteStream(context.Background(), n.stream())
}

// TestNATSLeavesExistingStream: a stream the operator made keeps its
// limits; Warden publishes into it and says what differs.
func TestNATSLeavesExistingStream(t *testing.T) {
	url := os.Getenv("WARDEN_TEST_NATS_URL")
	if url == "" {
		t.Skip("WARDEN_TEST_NATS_URL is not set: no NATS JetStream to test against")
	}
	ctx := context.Background()
	subject := fmt.Sprintf("warden.ops%d", time.Now().UnixNano())
	name := "WARDEN_OPS_" + strings.TrimPrefix(subject, "warden.ops")
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	mine := jetstream.StreamConfig{Name: name, Subjects: []string{subject + ".>"}, MaxAge: 90 * 24 * time.Hour,
		MaxBytes: 10 << 30, Duplicates: 30 * time.Minute}
	if _, err := js.CreateStream(ctx, mine); err != nil {
		t.Fatal(err)
	}
	defer js.DeleteStream(ctx, name) //nolint:errcheck
	var logged strings.Builder
	n := &NATS{URL: url, Stream: name, Subject: subject, Log: slog.New(slog.NewTextHandler(&logged, nil))}
	defer n.Close()
	if k, err := n.Send(ctx, []Event{{ID: "o1", Alert: families()["threat_intel"]}}); err != nil || k != 1 {
		t.Fatalf("send: %d, %v", k, err)
	}
	st, err := js.Stream(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	got := st.CachedInfo().Config
	if got.MaxAge != mine.MaxAge || got.MaxBytes != mine.MaxBytes || got.Duplicates != mine.Duplicates {
		t.Errorf("stream limits = age %s, bytes %d, duplicates %s; want the operator's %s, %d, %s",
			got.MaxAge, got.MaxBytes, got.Duplicates, mine.MaxAge, mine.MaxBytes, mine.Duplicates)
	}
	if st.CachedInfo().State.Msgs != 1 {
		t.Errorf("%d messages, want 1", st.CachedInfo().State.Msgs)
	}
	if logged.Len() != 0 {
		t.Errorf("warned about a stream that covers the recommendation: %s", logged.String())
	}

	// A stream with a short duplicate window is used as it is, with a warning.
	short := fmt.Sprintf("warden.short%d", time.Now().UnixNano())
	sname := "WARDEN_SHORT_" + strings.TrimPrefix(short, "warden.short")
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: sname, Subjects: []string{short + ".>"}, Duplicates: time.Minute}); err != nil {
		t.Fatal(err)
	}
	defer js.DeleteStream(ctx, sname) //nolint:errcheck
	logged.Reset()
	n2 := &NATS{URL: url, Stream: sname, Subject: short, Log: slog.New(slog.NewTextHandler(&logged, nil))}
	defer n2.Close()
	if _, err := n2.Send(ctx, []Event{{ID: "s1", Alert: families()["threat_intel"]}}); err != nil {
		t.Fatal(err)
	}
	s2, _ := js.Stream(ctx, sname)
	if d := s2.CachedInfo().Config.Duplicates; d != time.Minute {
		t.Errorf("duplicate window changed to %s", d)
	}
	if !strings.Contains(logged.String(), "duplicate window") {
		t.Errorf("no warning about the short duplicate window; log: %q", logged.String())
	}
}
