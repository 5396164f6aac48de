package export

import (
	"context"
	"fmt"
	"net/url"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// MonitorScope is the scope of the Logs Ingestion API.
const MonitorScope = "https://monitor.azure.com/.default"

// EntraToken returns a token function for a Microsoft Entra application
// (client credentials): tokens are fetched on first use, cached and renewed
// shortly before they expire, so a sink never posts with a stale one.
// tokenURL overrides the tenant's endpoint (sovereign clouds, tests).
func EntraToken(tenant, clientID, secret, tokenURL string) func(ctx context.Context) (string, error) {
	if tokenURL == "" {
		tokenURL = fmt.Sprintf("https://login.microsoftonline.com/%s/oauth2/v2.0/token", url.PathEscape(tenant))
	}
	cfg := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: tokenURL,
		Scopes: []string{MonitorScope}, AuthStyle: oauth2.AuthStyleInParams}
	var mu sync.Mutex
	var cached *oauth2.Token
	return func(ctx context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if cached.Valid() {
			return cached.AccessToken, nil
		}
		// A new token is fetched with the context of the Send that needs it.
		t, err := cfg.Token(ctx)
		if err != nil {
			return "", fmt.Errorf("entra token: %w", err)
		}
		cached = t
		return t.AccessToken, nil
	}
}
