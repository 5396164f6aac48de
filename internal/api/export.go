package api

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/wardenhq/warden/internal/export"
	"github.com/wardenhq/warden/internal/store"
)

// exportSinks lists each configured sink's state: its position, the events
// waiting for it and its dead letters. Sinks carry every subscription's
// alerts, so a principal limited to some subscriptions may not see them.
func exportSinks(s Store, r *http.Request, sinks []string) (any, error) {
	if len(principalOf(r.Context()).Subscriptions) > 0 {
		return nil, errAllSubscriptions
	}
	var pos []string
	for _, n := range sinks {
		pos = append(pos, export.Position(n))
	}
	states, err := s.SinkStates(r.Context(), pos)
	if err != nil {
		return nil, err
	}
	for i := range states {
		states[i].Sink = sinks[i]
	}
	if states == nil {
		states = []store.SinkState{}
	}
	return map[string]any{"sinks": states}, nil
}

// deadLetters lists a sink's dead letters, newest first.
func deadLetters(s Store, r *http.Request, sinks []string) (any, error) {
	if len(principalOf(r.Context()).Subscriptions) > 0 {
		return nil, errAllSubscriptions
	}
	name := r.PathValue("name")
	if !slices.Contains(sinks, name) {
		return nil, &Error{Status: http.StatusNotFound, Message: "no export sink named " + strconv.Quote(name)}
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, &Error{Status: http.StatusBadRequest, Message: "limit must be 1 to 1000"}
		}
		limit = n
	}
	dl, err := s.DeadLetters(r.Context(), export.Position(name), limit)
	if err != nil {
		return nil, err
	}
	for i := range dl {
		dl[i].Sink = name
	}
	if dl == nil {
		dl = []store.DeadLetter{}
	}
	return map[string]any{"dead_letters": dl}, nil
}

var errAllSubscriptions = &Error{Status: http.StatusForbidden, Message: "export sinks carry every subscription's alerts: this principal is limited to some"}
