package detect

import (
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/sensitive"
)

// dataSecText is typical prompt and code text for the data-security
// detectors: prose, a config snippet, a stack trace, numbers and dates, but
// no credential or personal value.
func dataSecText(n int) string {
	const s = `Please review this change before Friday. The service reads its settings from config.yaml:

    database:
      host: db.internal
      port: 5432
      pool_size: 20
    cache_ttl_seconds: 3600

func (s *Server) handle(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	return s.store.Put(ctx, r.URL.Path, 1024)
}

Order 20231107 shipped on 2023-11-07 with 3 items totalling 149.99 EUR; version 1.24.3 fixed issue #4821.
`
	return strings.Repeat(s, n/len(s)+1)[:n]
}

func dataSec(b *testing.B) (*Secrets, *sensitive.Classifier) {
	s, err := DefaultSecrets()
	if err != nil {
		b.Fatal(err)
	}
	c, err := sensitive.Default()
	if err != nil {
		b.Fatal(err)
	}
	return s, c
}

// benchDataSec runs the credential rules and the sensitive information
// types together over text; with p99 set it also reports single-run
// latency percentiles.
func benchDataSec(b *testing.B, text string, names, p99 bool) {
	s, c := dataSec(b)
	if !names {
		c.NoNameModel()
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	var lat []time.Duration
	if p99 {
		lat = make([]time.Duration, 0, 1<<16)
	}
	for b.Loop() {
		t0 := time.Now()
		s.Find(text)
		c.Find(text)
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(t0))
		}
	}
	if p99 {
		reportPercentiles(b, lat)
	}
}

// BenchmarkDataSecurity64KB is 64 KB of typical prompt and code text: the
// throughput figure.
func BenchmarkDataSecurity64KB(b *testing.B) { benchDataSec(b, dataSecText(64<<10), true, false) }

// BenchmarkDataSecurity2KB is one 2 KB prompt, with the p99 of single runs.
func BenchmarkDataSecurity2KB(b *testing.B) { benchDataSec(b, dataSecText(2048), true, true) }

// BenchmarkDataSecurityNoNames64KB is DataSecurity64KB with the person-name
// model off (scan.sensitive.name_model: false).
func BenchmarkDataSecurityNoNames64KB(b *testing.B) {
	benchDataSec(b, dataSecText(64<<10), false, false)
}

// BenchmarkDataSecurityNoNames2KB is DataSecurity2KB with the person-name
// model off.
func BenchmarkDataSecurityNoNames2KB(b *testing.B) { benchDataSec(b, dataSecText(2048), false, true) }

// dataSecBusyText is code and configuration full of the words credential
// rules key on (token, password, key, secret, auth) with placeholder values,
// plus a few personal values: the keyword-heavy case.
func dataSecBusyText(n int) string {
	const s = `# settings for the payments service
api_key: ${PAYMENTS_API_KEY}
client_secret = os.environ["CLIENT_SECRET"]
password: <set in vault>
auth_token = get_token(session)   # refreshed every hour
headers = {"Authorization": f"Bearer {token}"}
if user.password_hash != hash(password):
    raise AuthError("bad password for " + user.email)
Contact: Laura Ortiz, laura.ortiz@fleckens.hu, phone +36 1 234 5678
Card on file: 4539 3010 1967 3114 (expires 04/27)
`
	return strings.Repeat(s, n/len(s)+1)[:n]
}

// BenchmarkDataSecurityBusy64KB is the keyword-heavy case.
func BenchmarkDataSecurityBusy64KB(b *testing.B) {
	benchDataSec(b, dataSecBusyText(64<<10), true, false)
}
