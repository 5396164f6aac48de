package traffic

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type memStore struct {
	ms   []Minute
	fail bool
}

func (m *memStore) AddTraffic(_ context.Context, ms []Minute) error {
	if m.fail {
		return errors.New("store down")
	}
	m.ms = append(m.ms, ms...)
	return nil
}

// TestCounter: requests fall into their minute and subscription, scanned
// ones into their latency bucket; a failed flush keeps the counts for the
// next one.
func TestCounter(t *testing.T) {
	st := &memStore{fail: true}
	c := NewCounter(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	now := time.Date(2026, 12, 5, 12, 0, 30, 0, time.UTC)
	c.now = func() time.Time { return now }
	c.Observe("a", true, false, 800*time.Microsecond)
	c.Observe("a", true, true, 30*time.Millisecond)
	c.Observe("a", false, false, 0)
	c.Observe("b", true, false, 2*time.Second)
	c.Flush(context.Background())
	st.fail = false
	c.Observe("a", true, false, 3*time.Millisecond)
	c.Flush(context.Background())
	if len(st.ms) != 2 {
		t.Fatalf("%d minutes written, want 2 (a and b)", len(st.ms))
	}
	for _, m := range st.ms {
		switch m.Subscription {
		case "a":
			if m.Requests != 4 || m.Scanned != 3 || m.Blocked != 1 || m.Latency[0] != 1 || m.Latency[2] != 1 || m.Latency[5] != 1 {
				t.Errorf("a: %+v", m)
			}
		case "b":
			if m.Latency[Buckets-1] != 1 {
				t.Errorf("b: %+v, want the slow scan in the last bucket", m)
			}
		}
		if !m.At.Equal(now.Truncate(time.Minute)) {
			t.Errorf("minute %s, want %s", m.At, now.Truncate(time.Minute))
		}
	}
}

func TestPercentile(t *testing.T) {
	var h [Buckets]int64
	if ms, _ := Percentile(h, 0.5); ms != 0 {
		t.Errorf("empty: %v", ms)
	}
	h[0], h[3], h[9] = 50, 49, 1
	for _, c := range []struct {
		q    float64
		want float64
		over bool
	}{{0.5, 1, false}, {0.95, 10, false}, {0.999, 500, true}} {
		if ms, over := Percentile(h, c.q); ms != c.want || over != c.over {
			t.Errorf("q%.3f = %v %v, want %v %v", c.q, ms, over, c.want, c.over)
		}
	}
}
