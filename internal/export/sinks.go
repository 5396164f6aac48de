package export

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// Writer writes OCSF JSON lines to a file (appended) or standard output.
type Writer struct {
	mu sync.Mutex
	W  io.Writer
	// Sync, when set, is called after each batch (a file's Sync).
	Sync func() error
}

// NewFileWriter opens path for appending OCSF JSON lines.
func NewFileWriter(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	return &Writer{W: f, Sync: f.Sync}, nil
}

// Send implements Sink.
func (w *Writer) Send(_ context.Context, evs []Event) (int, error) {
	var b bytes.Buffer
	for _, e := range evs {
		j, err := json.Marshal(OCSF(e))
		if err != nil {
			return 0, &Permanent{Err: err}
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.W.Write(b.Bytes()); err != nil {
		return 0, err
	}
	if w.Sync != nil {
		if err := w.Sync(); err != nil {
			return 0, err
		}
	}
	return len(evs), nil
}

// HTTP posts events to an endpoint. Format chooses the body: "ocsf" and
// "ecs" post a JSON array of documents, "json" the alerts as they are;
// each request carries the batch's first event id for idempotent receivers.
type HTTP struct {
	URL     string
	Format  string // ocsf (default), ecs, json
	Headers map[string]string
	Client  *http.Client
}

func client(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// quickRetries is how many times post repeats a request that failed with
// a transient error before it reports the failure: a receiver behind a
// load balancer that fails one call in three loses a third of its
// throughput this way, not most of it to the dispatcher's backoff (which
// takes over when the receiver keeps failing).
const quickRetries = 2

// post sends body and maps the answer to nil, a transient or a permanent
// error.
func post(ctx context.Context, c *http.Client, url string, body []byte, hdr map[string]string) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		rb, err := postOnce(ctx, c, url, body, hdr)
		var perm *Permanent
		if err == nil || errors.As(err, &perm) || attempt == quickRetries || ctx.Err() != nil {
			return rb, err
		}
	}
}

func postOnce(ctx context.Context, c *http.Client, url string, body []byte, hdr map[string]string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, &Permanent{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := client(c).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return rb, httpStatusError(resp.StatusCode, strings.TrimSpace(string(rb)))
	}
	return rb, nil
}

// Send implements Sink.
func (h *HTTP) Send(ctx context.Context, evs []Event) (int, error) {
	var docs []any
	for _, e := range evs {
		switch h.Format {
		case "ecs":
			docs = append(docs, ECS(e))
		case "json":
			docs = append(docs, map[string]any{"event_id": e.ID, "alert": e.Alert})
		default:
			docs = append(docs, OCSF(e))
		}
	}
	body, err := json.Marshal(docs)
	if err != nil {
		return 0, &Permanent{Err: err}
	}
	hdr := map[string]string{"X-Warden-Event-Id": evs[0].ID}
	for k, v := range h.Headers {
		hdr[k] = v
	}
	return all(evs, post2(ctx, h.Client, h.URL, body, hdr))
}

// all is a batch sink's answer: every event or none.
func all(evs []Event, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return len(evs), nil
}

func post2(ctx context.Context, c *http.Client, url string, body []byte, hdr map[string]string) error {
	_, err := post(ctx, c, url, body, hdr)
	return err
}

// Webhook posts each event on its own, signed: X-Warden-Signature is
// sha256= and the hex HMAC-SHA256 of the body under Secret, and
// X-Warden-Event-Id lets the receiver drop a repeat.
type Webhook struct {
	URL    string
	Secret []byte
	Client *http.Client
}

// Sign returns the signature header value of body under secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Send implements Sink. Events go one by one, in order: a repeat of an
// acknowledged one is never sent.
func (w *Webhook) Send(ctx context.Context, evs []Event) (int, error) {
	for i, e := range evs {
		body, err := json.Marshal(map[string]any{"event_id": e.ID, "alert": e.Alert})
		if err != nil {
			return i, &Permanent{Err: err}
		}
		hdr := map[string]string{"X-Warden-Event-Id": e.ID, "X-Warden-Signature": Sign(w.Secret, body)}
		if _, err := post(ctx, w.Client, w.URL, body, hdr); err != nil {
			return i, err
		}
	}
	return len(evs), nil
}

// Splunk posts events to an HTTP Event Collector.
type SplunkHEC struct {
	URL    string // https://splunk:8088
	Token  string
	Index  string
	Client *http.Client
}

// Send implements Sink.
func (s *SplunkHEC) Send(ctx context.Context, evs []Event) (int, error) {
	var b bytes.Buffer
	for _, e := range evs {
		j, err := json.Marshal(Splunk(e, s.Index))
		if err != nil {
			return 0, &Permanent{Err: err}
		}
		b.Write(j)
	}
	return all(evs, post2(ctx, s.Client, strings.TrimSuffix(s.URL, "/")+"/services/collector/event", b.Bytes(),
		map[string]string{"Authorization": "Splunk " + s.Token}))
}

// Elastic indexes ECS documents through the bulk API, with the event id as
// the document id and "create" so a repeat is a conflict, not a copy.
type Elastic struct {
	URL    string // https://es:9200
	Index  string
	APIKey string
	Client *http.Client
}

// Send implements Sink.
func (el *Elastic) Send(ctx context.Context, evs []Event) (int, error) {
	var b bytes.Buffer
	for _, e := range evs {
		meta, _ := json.Marshal(map[string]any{"create": map[string]any{"_index": el.Index, "_id": e.ID}})
		doc, err := json.Marshal(ECS(e))
		if err != nil {
			return 0, &Permanent{Err: err}
		}
		b.Write(meta)
		b.WriteByte('\n')
		b.Write(doc)
		b.WriteByte('\n')
	}
	hdr := map[string]string{"Content-Type": "application/x-ndjson"}
	if el.APIKey != "" {
		hdr["Authorization"] = "ApiKey " + el.APIKey
	}
	rb, err := post(ctx, el.Client, strings.TrimSuffix(el.URL, "/")+"/_bulk", b.Bytes(), hdr)
	if err != nil {
		return 0, err
	}
	var resp struct {
		Errors bool `json:"errors"`
		Items  []map[string]struct {
			Status int `json:"status"`
			Error  any `json:"error"`
		} `json:"items"`
	}
	if err := json.Unmarshal(rb, &resp); err != nil {
		return 0, fmt.Errorf("bulk response: %w", err)
	}
	if !resp.Errors {
		return len(evs), nil
	}
	// Items come in order: the ones before the first failure are done (a
	// retry of them is a conflict, which counts as done too).
	for i, it := range resp.Items {
		for _, r := range it {
			switch {
			case r.Status/100 == 2, r.Status == 409: // created, or there already
			case r.Status == 429 || r.Status >= 500:
				return i, fmt.Errorf("bulk item %d: %v", r.Status, r.Error)
			default:
				return i, &Permanent{Err: fmt.Errorf("bulk item %d: %v", r.Status, r.Error)}
			}
		}
	}
	return len(evs), nil
}

// SentinelSink posts rows to the Azure Monitor Logs Ingestion API: a data
// collection endpoint, a data collection rule and its stream (a custom
// table). Token returns a bearer token for https://monitor.azure.com.
type SentinelSink struct {
	Endpoint string // https://<dce>.ingest.monitor.azure.com
	RuleID   string // dcr-...
	Stream   string // Custom-WardenAlerts_CL
	Token    func(ctx context.Context) (string, error)
	Client   *http.Client
}

// Send implements Sink.
func (s *SentinelSink) Send(ctx context.Context, evs []Event) (int, error) {
	var rows []any
	for _, e := range evs {
		rows = append(rows, Sentinel(e))
	}
	body, err := json.Marshal(rows)
	if err != nil {
		return 0, &Permanent{Err: err}
	}
	tok, err := s.Token(ctx)
	if err != nil {
		return 0, err
	}
	url := fmt.Sprintf("%s/dataCollectionRules/%s/streams/%s?api-version=2023-01-01", strings.TrimSuffix(s.Endpoint, "/"), s.RuleID, s.Stream)
	return all(evs, post2(ctx, s.Client, url, body, map[string]string{"Authorization": "Bearer " + tok}))
}

// Syslog sends CEF messages in RFC 5424 syslog over UDP, TCP or TLS
// (octet-counted framing on streams, RFC 6587).
type Syslog struct {
	Network  string // udp, tcp, tls
	Addr     string
	TLS      *tls.Config
	Hostname string
	mu       sync.Mutex
	conn     net.Conn
}

// rfc5424 wraps msg: facility security/authorization (10), severity by
// the alert's.
func rfc5424(host string, e Event, msg string) string {
	sev := map[string]int{"low": 5, "medium": 4, "high": 3, "critical": 2}[string(e.Alert.Severity)]
	if sev == 0 {
		sev = 6
	}
	return fmt.Sprintf("<%d>1 %s %s warden - alert [warden@32473 eventId=\"%s\"] %s", 10*8+sev,
		e.Alert.LastSeen.UTC().Format("2006-01-02T15:04:05.000Z"), host, e.ID, msg)
}

// Send implements Sink.
func (s *Syslog) Send(ctx context.Context, evs []Event) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		d := net.Dialer{Timeout: 10 * time.Second}
		var err error
		switch s.Network {
		case "tls":
			s.conn, err = tls.DialWithDialer(&d, "tcp", s.Addr, s.TLS)
		case "udp", "tcp":
			s.conn, err = d.DialContext(ctx, s.Network, s.Addr)
		default:
			return 0, &Permanent{Err: fmt.Errorf("syslog network %q (udp, tcp, tls)", s.Network)}
		}
		if err != nil {
			return 0, err
		}
	}
	host := s.Hostname
	if host == "" {
		host = "warden"
	}
	s.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	for i, e := range evs {
		m := rfc5424(host, e, CEF(e))
		if s.Network != "udp" {
			m = fmt.Sprintf("%d %s", len(m), m)
		}
		if _, err := io.WriteString(s.conn, m); err != nil {
			s.conn.Close()
			s.conn = nil
			return i, err
		}
	}
	return len(evs), nil
}
