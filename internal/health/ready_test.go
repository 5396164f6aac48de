package health

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

type fakeJournal struct {
	ok      bool
	reason  string
	records int
}

func (f fakeJournal) Health() (bool, string) { return f.ok, f.reason }
func (f fakeJournal) Spooled() (int64, int)  { return int64(f.records * 100), f.records }

func TestReadiness(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	for _, tc := range []struct {
		name    string
		write   func(context.Context) error
		journal fakeJournal
		dead    map[string]time.Time
		want    int
		says    string // in the body
		check   string // the gauge set to 1
	}{
		{"ready", func(context.Context) error { return nil }, fakeJournal{ok: true}, nil, 200, "ready", ""},
		{"store full", func(context.Context) error { return errors.New("database or disk is full") }, fakeJournal{ok: true}, nil, 503, "disk is full", "store_write"},
		{"store locked", func(context.Context) error { <-block; return nil }, fakeJournal{ok: true}, nil, 503, "did not finish", "store_write"},
		{"journal failing", func(context.Context) error { return nil }, fakeJournal{reason: "database is locked"}, nil, 503, "database is locked", "journal"},
		{"spool", func(context.Context) error { return nil }, fakeJournal{ok: true, records: 3}, nil, 503, "3 alert batches", "spool"},
		{"dead letters", func(context.Context) error { return nil }, fakeJournal{ok: true}, map[string]time.Time{"siem": time.Now()}, 503, "sink:siem: dead-lettered", "sink:siem"},
		{"old dead letter", func(context.Context) error { return nil }, fakeJournal{ok: true}, map[string]time.Time{"siem": time.Now().Add(-time.Hour)}, 200, "ready", ""},
	} {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "warden_unready"}, []string{"check"})
		rd := &Readiness{Draining: new(atomic.Bool), Write: tc.write, Journal: tc.journal,
			DeadSince: func() map[string]time.Time { return tc.dead }, Unready: g}
		w := httptest.NewRecorder()
		rd.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
		body, _ := io.ReadAll(w.Body)
		if w.Code != tc.want || !strings.Contains(string(body), tc.says) {
			t.Errorf("%s: %d %q; want %d saying %q", tc.name, w.Code, body, tc.want, tc.says)
		}
		if tc.check != "" {
			if v := testutil.ToFloat64(g.WithLabelValues(tc.check)); v != 1 {
				t.Errorf("%s: warden_unready{check=%q} = %v, want 1", tc.name, tc.check, v)
			}
		}
	}
}
