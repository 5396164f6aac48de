// Package demo is `warden serve --demo`: a built-in mock LLM on a loopback
// port and a configuration that routes every API to it. It is the only
// package that may import mockllm (arch_test.go), so that the mock stays out
// of every path a configured gateway takes.
package demo

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/mockllm"
)

// StartMock runs the built-in mock LLM on a free loopback port.
func StartMock() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("start mock upstream: %w", err)
	}
	srv := &http.Server{Handler: &mockllm.Mock{}, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// Config routes every API style to the mock in one subscription.
func Config(mockURL string) *config.Config {
	c := config.Default()
	c.Upstreams = []config.Upstream{{Name: "mock", URL: mockURL}}
	c.Routes = nil
	for _, s := range []string{config.StyleOpenAI, config.StyleAzureOpenAI, config.StyleAzureInference, config.StyleAnthropic} {
		c.Routes = append(c.Routes, config.Route{Name: s, Style: s, Upstream: "mock", Subscription: "demo"})
	}
	c.Subscriptions = []config.Subscription{{ID: "demo", Name: "Demo", Plan: true, Mode: "block", DataSecurity: true}}
	c.Identity.Headers = config.IdentityHeader{EndUserID: "X-End-User-Id", ApplicationName: "X-Application-Name"}
	return c
}
