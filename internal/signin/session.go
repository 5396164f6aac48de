package signin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"sync"
	"time"
)

// Account is a local account. Hash is the argon2id hash of its password.
type Account struct {
	Name          string    `json:"name"`
	Role          string    `json:"role"`
	Subscriptions []string  `json:"subscriptions,omitempty"`
	Hash          string    `json:"-"`
	Disabled      bool      `json:"disabled,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// Session is a signed-in person: who, with which role and reach, how they
// signed in, the CSRF token their changes must carry, and until when.
type Session struct {
	Name          string    `json:"name"`
	Role          string    `json:"role"`
	Subscriptions []string  `json:"subscriptions,omitempty"`
	Method        string    `json:"method"` // password or oidc
	CSRF          string    `json:"csrf"`
	Created       time.Time `json:"created"`
	Expires       time.Time `json:"expires"`
}

// Store keeps accounts and sessions (the store implements it). Sessions
// are keyed by the SHA-256 of their cookie, never the cookie.
type Store interface {
	Account(ctx context.Context, name string) (Account, bool, error)
	PutSession(ctx context.Context, key string, s Session) error
	Session(ctx context.Context, key string) (Session, bool, error)
	DeleteSession(ctx context.Context, key string) error
}

// CookieName is the session cookie.
const CookieName = "warden_session"

// CSRFHeader is the header a change made with a session cookie carries,
// with the session's CSRF token.
const CSRFHeader = "X-CSRF-Token"

func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Lookup returns the session r's cookie belongs to, if it is current.
func (s *Service) Lookup(r *http.Request) (Session, bool) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return Session{}, false
	}
	sess, ok, err := s.store.Session(r.Context(), sessionKey(c.Value))
	if err != nil {
		s.log.Error("session lookup failed", "err", err)
		return Session{}, false
	}
	if !ok || !s.now().Before(sess.Expires) {
		return Session{}, false
	}
	return sess, true
}

// CheckCSRF reports whether r carries sess's CSRF token.
func CheckCSRF(r *http.Request, sess Session) bool {
	got := r.Header.Get(CSRFHeader)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) == 1
}

// start opens a session and sets its cookie.
func (s *Service) start(ctx context.Context, w http.ResponseWriter, sess Session) (Session, error) {
	token := randomToken(32)
	now := s.now()
	sess.CSRF, sess.Created, sess.Expires = randomToken(24), now, now.Add(s.ttl)
	if err := s.store.PutSession(ctx, sessionKey(token), sess); err != nil {
		return sess, err
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/", Expires: sess.Expires, HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode})
	return sess, nil
}

// limiter counts failed sign-ins per client address and per account name:
// after limitFails within limitWindow, more attempts are refused until the
// window has passed. It is per process (each replica counts its own).
type limiter struct {
	mu    sync.Mutex
	fails map[string]*window
}

type window struct {
	n     int
	first time.Time
}

const (
	limitFails  = 10
	limitWindow = 15 * time.Minute
)

// blocked reports whether key is over the limit at now, and until when.
func (l *limiter) blocked(key string, now time.Time) (bool, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.fails[key]
	if w == nil || now.Sub(w.first) >= limitWindow {
		return false, time.Time{}
	}
	return w.n >= limitFails, w.first.Add(limitWindow)
}

func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) > 100_000 { // bounded: drop what has expired
		for k, w := range l.fails {
			if now.Sub(w.first) >= limitWindow {
				delete(l.fails, k)
			}
		}
	}
	w := l.fails[key]
	if w == nil || now.Sub(w.first) >= limitWindow {
		w = &window{first: now}
		l.fails[key] = w
	}
	w.n++
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	delete(l.fails, key)
	l.mu.Unlock()
}
