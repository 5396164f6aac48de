package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/wardenhq/warden/internal/interaction"
	"github.com/wardenhq/warden/internal/store"
)

// listInteractions is the activity explorer: interaction records (data
// security for AI interactions), newest first, filtered by time, app,
// user, finding type, sensitive type and verdict, with a cursor for the
// next page. A principal limited to some subscriptions sees theirs only.
func listInteractions(s Store, r *http.Request) (any, error) {
	q := r.URL.Query()
	f := interaction.Filter{Application: q.Get("app"), User: q.Get("user"), FindingType: q.Get("type"),
		SensitiveType: q.Get("sensitive_type"), Verdict: q.Get("verdict"), Cursor: q.Get("cursor")}
	var err error
	if f.Limit, _, err = paging(q.Get("limit"), ""); err != nil {
		return nil, err
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			if *dst, err = time.Parse(time.RFC3339, v); err != nil {
				return nil, &Error{Status: http.StatusBadRequest, Message: name + " must be an RFC 3339 time"}
			}
		}
	}
	p := principalOf(r.Context())
	switch sub := q.Get("subscription"); {
	case sub != "" && !p.Reaches(sub):
		return nil, errForbidden
	case sub != "":
		f.Subscriptions = []string{sub}
	case len(p.Subscriptions) > 0:
		f.Subscriptions = p.Subscriptions
	}
	rs, next, err := s.Interactions(r.Context(), f)
	if errors.Is(err, store.ErrInvalid) {
		return nil, &Error{Status: http.StatusBadRequest, Message: "cursor is not one this API returned"}
	}
	if err != nil {
		return nil, err
	}
	if rs == nil {
		rs = []interaction.Record{}
	}
	return map[string]any{"interactions": rs, "next": next}, nil
}
