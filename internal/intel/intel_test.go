package intel

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wardenhq/warden/internal/detect"
)

func TestIPSet(t *testing.T) {
	s, err := ReadIPSet(strings.NewReader(`# deny list
203.0.113.7
198.51.100.0/24 ; a network
192.0.2.10 - 192.0.2.20
ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E
ExitAddress 185.220.101.5 2026-11-25 10:00:00
2001:db8::/32
10.0.0.0/8
10.1.0.0/16
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ip   string
		want bool
	}{
		{"203.0.113.7", true}, {"203.0.113.8", false}, {"198.51.100.255", true}, {"198.51.101.0", false},
		{"192.0.2.15", true}, {"192.0.2.21", false}, {"185.220.101.5", true}, {"2001:db8:1::1", true},
		{"2001:db9::1", false}, {"::ffff:203.0.113.7", true}, {"10.200.0.1", true}, {"11.0.0.0", false},
	}
	for _, tt := range tests {
		if got := s.Contains(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("Contains(%s) = %v, want %v", tt.ip, got, tt.want)
		}
	}
	if s.Len() != 6 { // 10.1/16 merged into 10/8
		t.Errorf("%d ranges, want 6", s.Len())
	}
	for _, bad := range []string{"not an ip", "1.2.3.4/33", "1.2.3.9 - 1.2.3.1"} {
		if _, err := ReadIPSet(strings.NewReader("1.1.1.1\n" + bad + "\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("feed line %q: got %v, want an error naming line 2", bad, err)
		}
	}
}

// TestFeeds loads feeds from a file and an HTTP server, checks the
// findings, then breaks each feed and checks the old version stays and the
// error counter rises.
func TestFeeds(t *testing.T) {
	dir := t.TempDir()
	tor := filepath.Join(dir, "tor.txt")
	ua := filepath.Join(dir, "ua.txt")
	os.WriteFile(tor, []byte("ExitAddress 185.220.101.5 2026-11-25 10:00:00\n"), 0o644)
	os.WriteFile(ua, []byte("sqlmap\n^python-requests/\n"), 0o644)
	var deny atomic.Value
	deny.Store("203.0.113.0/24\n")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, deny.Load().(string)) }))
	defer srv.Close()
	phish := detect.NewPhishing()
	var pf atomic.Value
	pf.Store("evil-login.example\n")
	psrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, pf.Load().(string)) }))
	defer psrv.Close()
	reg := prometheus.NewRegistry()
	feeds := []Feed{{Name: "tor", Kind: KindTor, Source: tor}, {Name: "deny", Kind: KindIP, Source: srv.URL},
		{Name: "ua", Kind: KindUserAgent, Source: ua}, {Name: "phish", Kind: KindPhishing, Source: psrv.URL}}
	in, err := New(context.Background(), feeds, phish, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	types := func(ip, ua string) string {
		var s []string
		for _, f := range in.CheckAccess(ip, ua) {
			s = append(s, f.Type)
		}
		return strings.Join(s, ",")
	}
	tests := []struct{ ip, ua, want string }{
		{"185.220.101.5", "Mozilla/5.0", "tor_ip"},
		{"203.0.113.50", "sqlmap/1.7", "suspicious_ip,suspicious_user_agent"},
		{"192.0.2.1", "python-requests/2.31", "suspicious_user_agent"},
		{"192.0.2.1", "my-app/1.0 python-requests/2.31", ""},
		{"not-an-ip", "", ""},
	}
	for _, tt := range tests {
		if got := types(tt.ip, tt.ua); got != tt.want {
			t.Errorf("CheckAccess(%s, %s) = %q, want %q", tt.ip, tt.ua, got, tt.want)
		}
	}
	if phish.Len() != 1 {
		t.Errorf("phishing feed: %d domains, want 1", phish.Len())
	}
	// Malformed feeds: the old versions stay, errors are counted.
	deny.Store("203.0.113.0/24\ngarbage line\n")
	pf.Store("not a domain at all\n")
	os.WriteFile(ua, []byte("(unclosed\n"), 0o644)
	for _, f := range feeds[1:] {
		if err := in.Load(context.Background(), f); err == nil {
			t.Errorf("feed %s: malformed version loaded", f.Name)
		}
	}
	if got := types("203.0.113.50", "sqlmap/1.7"); got != "suspicious_ip,suspicious_user_agent" {
		t.Errorf("after malformed feeds: %q, want the old feeds still in use", got)
	}
	if phish.Len() != 1 {
		t.Errorf("phishing feed after a malformed version: %d domains", phish.Len())
	}
	for _, name := range []string{"deny", "ua", "phish"} {
		if n := testutil.ToFloat64(in.errors.WithLabelValues(name)); n != 1 {
			t.Errorf("feed %s: %v errors counted, want 1", name, n)
		}
	}
	// A good version replaces the old one.
	deny.Store("198.51.100.0/24\n")
	if err := in.Load(context.Background(), feeds[1]); err != nil {
		t.Fatal(err)
	}
	if got := types("203.0.113.50", ""); got != "" {
		t.Errorf("after a new deny list: %q, want nothing", got)
	}
}

// BenchmarkLookupMillion looks up addresses in a list of a million
// entries.
func BenchmarkLookupMillion(b *testing.B) {
	var sb strings.Builder
	for i := range 1_000_000 {
		// Scattered /32s and /24s over the whole space.
		x := uint32(i) * 2654435761
		if i%4 == 0 {
			fmt.Fprintf(&sb, "%d.%d.%d.0/24\n", x>>24, x>>16&255, x>>8&255)
		} else {
			fmt.Fprintf(&sb, "%d.%d.%d.%d\n", x>>24, x>>16&255, x>>8&255, x&255)
		}
	}
	s, err := ReadIPSet(strings.NewReader(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	addrs := make([]netip.Addr, 1024)
	for i := range addrs {
		x := uint32(i) * 40503 * 65599
		addrs[i] = netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
	}
	b.ReportMetric(float64(s.Len()), "ranges")
	b.ResetTimer()
	i := 0
	for b.Loop() {
		s.Contains(addrs[i&1023])
		i++
	}
}
