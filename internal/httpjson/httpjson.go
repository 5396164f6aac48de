// Package httpjson posts a JSON body to a service Warden asks for a second
// opinion (a Prompt Shields endpoint, a guard model) and returns the answer:
// one timeout for the whole exchange, a bounded read, any status but 200
// an error. The callers decode the answer, each in its own format.
package httpjson

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// maxAnswer bounds what is read of an answer.
const maxAnswer = 1 << 20

// Post sends body as JSON to url with the headers given and returns the
// answer's bytes. A zero timeout means two seconds; a nil client the
// default one. what names the service in errors.
func Post(ctx context.Context, c *http.Client, url string, header http.Header, body any, timeout time.Duration, what string) ([]byte, error) {
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	if c == nil {
		c = http.DefaultClient
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("call %s: %w", what, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("read %s's answer: %w", what, err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %d", what, res.StatusCode)
	}
	return out, nil
}
