package cli

import (
	"context"
	"log/slog"
	"time"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/store"
)

// purge applies the configured retention now and every hour until ctx ends.
func purge(ctx context.Context, cfg *config.Config, st *store.Store, log *slog.Logger) {
	r := store.Retention{Alerts: cfg.Retention.Alerts, Audit: cfg.Retention.Audit, Outbox: cfg.Retention.Outbox}
	var sinks []string
	for _, k := range cfg.Export.Sinks {
		sinks = append(sinks, sinkPosition(k.Name))
	}
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		p, err := st.Purge(ctx, time.Now(), r, sinks)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("retention", "err", err)
		case p != (store.Purged{}):
			log.Info("retention", "alerts", p.Alerts, "incidents", p.Incidents, "settings_changes", p.Changes, "export_events", p.Events)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
