package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/google/uuid"

	"github.com/wardenhq/warden/internal/ediscovery"
	"github.com/wardenhq/warden/internal/interaction"
	"github.com/wardenhq/warden/internal/store"
)

// maxExport is the most interactions one case export holds: beyond it the
// searches must be narrowed (or the case split).
const maxExport = 100_000

// ediscoveryRoutes are eDiscovery cases, for owners and eDiscovery
// managers: searches over captured content and metadata, holds placed
// for a case, and the export with its manifest. Every act is audited.
func ediscoveryRoutes(mux *http.ServeMux, only func(...string) func(handlerFunc) http.Handler, s Store, o Options) {
	h := only(RoleOwner, RoleEDiscoveryManager)
	mux.Handle("GET /api/cases", h(func(r *http.Request) (any, error) {
		cs, err := s.Cases(r.Context())
		return map[string]any{"cases": cs}, err
	}))
	mux.Handle("POST /api/cases", h(func(r *http.Request) (any, error) {
		var req struct{ Name, Description string }
		if err := decodeStrict(r, &req); err != nil || req.Name == "" {
			return nil, &Error{Status: http.StatusBadRequest, Message: "body must be a JSON object with name (required) and description"}
		}
		p := principalOf(r.Context())
		c := store.Case{ID: uuid.NewString(), Name: req.Name, Description: req.Description, Status: store.CaseOpen, CreatedBy: p.Name, CreatedAt: o.Now().UTC()}
		err := s.PutCase(r.Context(), c, store.AuditEvent{At: c.CreatedAt, Principal: p.Name, Action: "case.create", Target: "case:" + c.ID, Detail: c.Name})
		return c, err
	}))
	mux.Handle("GET /api/cases/{id}", h(func(r *http.Request) (any, error) {
		c, err := caseFor(s, r, false)
		if err != nil {
			return nil, err
		}
		searches, err := s.CaseSearches(r.Context(), c.ID)
		if err != nil {
			return nil, err
		}
		holds, err := s.Holds(r.Context())
		holds = slices.DeleteFunc(holds, func(x store.Hold) bool { return x.Case != c.ID })
		return map[string]any{"case": c, "searches": searches, "holds": holds}, err
	}))
	mux.Handle("POST /api/cases/{id}/close", h(func(r *http.Request) (any, error) {
		c, err := caseFor(s, r, true)
		if err != nil {
			return nil, err
		}
		p := principalOf(r.Context())
		if err := s.CloseCase(r.Context(), c.ID, store.AuditEvent{At: o.Now().UTC(), Principal: p.Name, Action: "case.close", Target: "case:" + c.ID}); err != nil {
			return storeErr[any](nil, err)
		}
		return s.Case(r.Context(), c.ID)
	}))
	mux.Handle("POST /api/cases/{id}/searches", h(func(r *http.Request) (any, error) { return addSearch(s, r, o) }))
	mux.Handle("GET /api/cases/{id}/searches/{sid}/results", h(func(r *http.Request) (any, error) {
		c, err := caseFor(s, r, false)
		if err != nil {
			return nil, err
		}
		cs, err := caseSearch(s, r, c.ID, r.PathValue("sid"))
		if err != nil {
			return nil, err
		}
		return searchPage(s, r, cs, o.Sealer, r.URL.Query().Get("cursor"))
	}))
	mux.Handle("POST /api/cases/{id}/holds", h(func(r *http.Request) (any, error) {
		c, err := caseFor(s, r, true)
		if err != nil {
			return nil, err
		}
		var req holdRequest
		if err := decodeStrict(r, &req); err != nil {
			return nil, &Error{Status: http.StatusBadRequest, Message: "body must be a JSON object with subscription, application, user, from and to: " + err.Error()}
		}
		p := principalOf(r.Context())
		hold := store.Hold{ID: uuid.NewString(), Subscription: req.Subscription, Application: req.Application, User: req.User,
			From: req.From, To: req.To, Reason: cmp.Or(req.Reason, "eDiscovery case "+c.Name), Case: c.ID, CreatedBy: p.Name, CreatedAt: o.Now().UTC()}
		if err := s.PutHold(r.Context(), hold); err != nil {
			return nil, err
		}
		return hold, s.Audit(r.Context(), store.AuditEvent{At: hold.CreatedAt, Principal: p.Name, Action: "case.hold", Target: "case:" + c.ID, Detail: "hold " + hold.ID})
	}))
	mux.Handle("GET /api/cases/{id}/export", h(func(r *http.Request) (any, error) { return exportCase(s, r, o) }))
}

func decodeStrict(r *http.Request, v any) error {
	d := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// caseFor reads the case named in the path; open requires it still open.
func caseFor(s Store, r *http.Request, open bool) (store.Case, error) {
	c, err := s.Case(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return c, &Error{Status: http.StatusNotFound, Message: "no such case"}
	}
	if err == nil && open && c.Status != store.CaseOpen {
		return c, &Error{Status: http.StatusConflict, Message: "the case is closed"}
	}
	return c, err
}

func caseSearch(s Store, r *http.Request, caseID, id string) (store.CaseSearch, error) {
	css, err := s.CaseSearches(r.Context(), caseID)
	if err != nil {
		return store.CaseSearch{}, err
	}
	for _, cs := range css {
		if cs.ID == id {
			return cs, nil
		}
	}
	return store.CaseSearch{}, &Error{Status: http.StatusNotFound, Message: "no such search in this case"}
}

// searchFilter is a saved search as an explorer filter, within what the
// principal reaches.
func searchFilter(cs store.CaseSearch, sealer *interaction.Sealer, p Principal) (interaction.Filter, error) {
	f := interaction.Filter{Application: cs.Application, User: cs.User, SensitiveType: cs.SensitiveType, Verdict: cs.Verdict, From: cs.From, To: cs.To}
	var err error
	if f.Subscriptions, err = reach(p, cs.Subscription); err != nil {
		return f, err
	}
	if cs.Text != "" {
		if sealer == nil {
			return f, &Error{Status: http.StatusBadRequest, Message: "no content keys are configured, so no content is kept: search by metadata only"}
		}
		tq, err := sealer.Query(cs.Text)
		if err != nil {
			return f, &Error{Status: http.StatusBadRequest, Message: "text: " + err.Error()}
		}
		f.Text = tq
	}
	return f, nil
}

func addSearch(s Store, r *http.Request, o Options) (any, error) {
	c, err := caseFor(s, r, true)
	if err != nil {
		return nil, err
	}
	var cs store.CaseSearch
	if err := decodeStrict(r, &cs); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: "body must be a search (text, subscription, application, user, sensitive_type, verdict, from, to): " + err.Error()}
	}
	p := principalOf(r.Context())
	cs.ID, cs.Case, cs.CreatedBy, cs.CreatedAt = uuid.NewString(), c.ID, p.Name, o.Now().UTC()
	if _, err := searchFilter(cs, o.Sealer, p); err != nil {
		return nil, err
	}
	detail, _ := json.Marshal(cs)
	if err := s.AddCaseSearch(r.Context(), cs, store.AuditEvent{At: cs.CreatedAt, Principal: p.Name, Action: "case.search", Target: "case:" + c.ID, Detail: string(detail)}); err != nil {
		return nil, err
	}
	return searchPage(s, r, cs, o.Sealer, "")
}

// searchPage runs a saved search: a page of records (metadata; content
// is in the export) and the cursor of the next.
func searchPage(s Store, r *http.Request, cs store.CaseSearch, sealer *interaction.Sealer, cursor string) (any, error) {
	f, err := searchFilter(cs, sealer, principalOf(r.Context()))
	if err != nil {
		return nil, err
	}
	f.Cursor = cursor
	f.Limit, _, err = paging(r.URL.Query().Get("limit"), "")
	if err != nil {
		return nil, err
	}
	rs, next, err := s.Interactions(r.Context(), f)
	if errors.Is(err, store.ErrInvalid) {
		return nil, &Error{Status: http.StatusBadRequest, Message: "cursor is not one this API returned"}
	}
	if rs == nil {
		rs = []interaction.Record{}
	}
	return map[string]any{"search": cs, "results": rs, "next": next}, err
}

// exportCase is the case's export: every interaction its searches find,
// and with ?content=1 (eDiscovery managers, saying why) their kept text,
// each reading recorded as a reveal. The manifest's digest is audited and
// sent in X-Manifest-SHA256.
func exportCase(s Store, r *http.Request, o Options) (any, error) {
	c, err := caseFor(s, r, false)
	if err != nil {
		return nil, err
	}
	p := principalOf(r.Context())
	withContent, _ := strconv.ParseBool(r.URL.Query().Get("content"))
	reason := r.URL.Query().Get("reason")
	if withContent {
		if p.Role != RoleEDiscoveryManager {
			return nil, &Error{Status: http.StatusForbidden, Message: "exporting content needs the ediscovery_manager role"}
		}
		if len(reason) < 8 {
			return nil, &Error{Status: http.StatusBadRequest, Message: "say why (?reason=, at least 8 characters): every reading of content is audited"}
		}
	}
	searches, err := s.CaseSearches(r.Context(), c.ID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var recs []interaction.Record
	for _, cs := range searches {
		f, err := searchFilter(cs, o.Sealer, p)
		if err != nil {
			return nil, err
		}
		rs, more, err := interaction.Collect(r.Context(), s.Interactions, f, maxExport)
		if err != nil {
			return nil, err
		}
		for _, x := range rs {
			if !seen[x.ID] {
				seen[x.ID] = true
				recs = append(recs, x)
			}
		}
		if more || len(recs) > maxExport {
			return nil, &Error{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("the case's searches find more than %d interactions: narrow them", maxExport)}
		}
	}
	slices.SortFunc(recs, func(a, b interaction.Record) int { return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID)) })
	var contents []ediscovery.ContentLine
	if withContent {
		contents = []ediscovery.ContentLine{}
		for _, x := range recs {
			if !x.HasContent || o.Sealer == nil {
				continue
			}
			content, err := openContent(s, withReason(r, "eDiscovery case "+c.Name+": "+reason), o.Sealer, x, o.Now())
			if errors.Is(err, errNoContent) {
				continue // deleted since it was listed
			}
			if err != nil {
				return nil, err
			}
			contents = append(contents, ediscovery.ContentLine{ID: x.ID, Content: content})
		}
	}
	sj, _ := json.Marshal(searches)
	now := o.Now().UTC()
	var b bytes.Buffer
	m, digest, err := ediscovery.Write(&b, ediscovery.Manifest{Case: c.ID, CaseName: c.Name, ExportedAt: now, ExportedBy: p.Name, Searches: sj}, recs, contents)
	if err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("manifest sha256 %s; %d interactions; content %v", digest, m.Files[0].Lines, withContent)
	if err := s.Audit(r.Context(), store.AuditEvent{At: now, Principal: p.Name, Action: "case.export", Target: "case:" + c.ID, Detail: detail}); err != nil {
		return nil, err
	}
	return download{name: "case-" + c.ID + ".zip", contentType: "application/zip", body: b.Bytes(),
		header: map[string]string{"X-Manifest-SHA256": digest}}, nil
}

// withReason is r with its ?reason= replaced, for openContent.
func withReason(r *http.Request, reason string) *http.Request {
	r2 := r.Clone(r.Context())
	q := r2.URL.Query()
	q.Set("reason", reason)
	r2.URL.RawQuery = q.Encode()
	return r2
}

// download is a result written as a file rather than JSON.
type download struct {
	name, contentType string
	body              []byte
	header            map[string]string
}
