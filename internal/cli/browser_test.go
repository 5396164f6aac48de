package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// attackPage is what a web page on another origin tries against a
// tokenless Warden on the same machine: a text/plain fetch and a form
// (neither needs a preflight), a JSON fetch with the CSRF header (which
// does), and reading the alerts. It sets the title when all have settled.
const attackPage = `<!doctype html><html><body>
<iframe name="sink" style="display:none"></iframe>
<form id="f" method="POST" target="sink" enctype="text/plain" action="WARDEN/api/suppressions">
<input name='{"type":"Warden.AI.Jailbreak.Blocked","user":"alice","reason":"x","junk":"' value='"}'>
</form>
<script>
const w = "WARDEN";
const rule = JSON.stringify({type: "Warden.AI.Jailbreak.Blocked", subscription: "demo", user: "alice", reason: "form"});
let read = "no";
Promise.allSettled([
  fetch(w + "/api/suppressions", {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body: rule}),
  fetch(w + "/api/subscriptions/demo", {method: "PATCH", headers: {"Content-Type": "application/json", "X-Warden-Request": "1"}, body: '{"mode":"detect"}'}),
  fetch(w + "/api/subscriptions/demo", {method: "PATCH", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body: '{"plan":false}'}),
  fetch(w + "/api/alerts").then((r) => r.text()).then(() => { read = "yes"; }),
  new Promise((ok) => { document.getElementById("f").submit(); setTimeout(ok, 500); }),
]).then(() => { document.title = "done read=" + read; });
</script></body></html>`

// TestBrowserCannotDriveTokenlessAPI runs headless Chromium against
// `warden serve --demo` (no tokens): a page of another origin, and a page
// reached through a rebound name (evil.test resolving to 127.0.0.1),
// change nothing and read nothing; the portal's own page, as a control,
// can make a change.
func TestBrowserCannotDriveTokenlessAPI(t *testing.T) {
	browser := chromium(t)
	addr := freePort(t)
	_, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--demo", "--listen", addr, "--data-dir", t.TempDir()}, nil, &stdout, &stderr)
	}()
	base := "http://" + addr
	waitUp(t, base+"/healthz", done)

	evil := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, strings.ReplaceAll(attackPage, "WARDEN", base))
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go evil.Serve(ln)
	defer evil.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser),
		chromedp.Flag("host-resolver-rules", "MAP evil.test 127.0.0.1"), chromedp.NoSandbox)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	bctx, tcancel := context.WithTimeout(bctx, 60*time.Second)
	defer tcancel()

	// Another origin on the same machine.
	if err := chromedp.Do(bctx, chromedp.Navigate("http://"+ln.Addr().String()+"/")); err != nil {
		t.Fatalf("attack page: %v", err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`document.title.startsWith("done")`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("attack page never finished: %v", err)
	}
	title, err := chromedp.Run(bctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if title != "done read=no" {
		t.Errorf("attack page title %q: the cross-origin page read the alerts", title)
	}

	// DNS rebinding: the attacker's name now points at Warden, so the
	// page is same-origin with it; the Host check refuses it.
	status, err := patchFrom(bctx, "http://evil.test:"+port+"/portal/", `{"prompt_evidence":true}`)
	if err != nil {
		t.Fatalf("rebinding page: %v", err)
	}
	if status != http.StatusForbidden {
		t.Errorf("PATCH through a rebound name = %d, want 403", status)
	}

	sub := demoSubscription(t, base)
	if sub["mode"] != "block" || sub["plan"] != true || sub["prompt_evidence"] == true {
		t.Errorf("after the attacks the demo subscription is %v, want it unchanged (plan on, block, no evidence)", sub)
	}
	var rules struct {
		Suppressions []map[string]any `json:"suppressions"`
	}
	getJSON(t, base+"/api/suppressions", &rules)
	if len(rules.Suppressions) != 0 {
		t.Errorf("suppressions after the attacks: %v, want none", rules.Suppressions)
	}

	// Control: the portal's own page can change the same setting, so the
	// refusals above are the guard's doing, not a broken browser.
	if status, err = patchFrom(bctx, base+"/portal/", `{"sensitivity":"high"}`); err != nil {
		t.Fatalf("portal page: %v", err)
	}
	if sub := demoSubscription(t, base); status != http.StatusOK || sub["sensitivity"] != "high" {
		t.Errorf("same-origin PATCH from the portal = %d, subscription %v; want 200 and sensitivity high", status, sub)
	}

	// The portal's settings form sets what is redacted.
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/portal/#subscriptions")); err != nil {
		t.Fatalf("subscriptions page: %v", err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`!!document.querySelector('input[name="redact"]')`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("no redact field on the subscriptions page: %v", err)
	}
	const fill = `(() => { const i = document.querySelector('input[name="redact"]'); i.value = "credentials, email_address";
		[...i.closest("tr").querySelectorAll("button")].find((b) => b.textContent === "Save").click(); return true; })()`
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](fill)); err != nil {
		t.Fatalf("filling the redact field: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := fmt.Sprint(demoSubscription(t, base)["redact"])
		if got == "[credentials email_address]" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("redact after saving the form = %s, want [credentials email_address]", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// patchFrom opens page and, from it, PATCHes the demo subscription as the
// portal would (JSON and the CSRF header), returning the status.
func patchFrom(ctx context.Context, page, body string) (int, error) {
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		return 0, err
	}
	js := `fetch("/api/subscriptions/demo", {method: "PATCH", headers: {"Content-Type": "application/json", "X-Warden-Request": "1"}, body: '` + body + `'}).then((r) => r.status)`
	return chromedp.Run(ctx, chromedp.Evaluate[int](js, chromedp.EvalAwaitPromise))
}

func demoSubscription(t *testing.T, base string) map[string]any {
	t.Helper()
	var sub map[string]any
	getJSON(t, base+"/api/subscriptions/demo", &sub)
	return sub
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// chromium is the browser the portal tests drive: Debian's package, which
// CI installs; elsewhere the tests skip without it.
func chromium(t *testing.T) string {
	t.Helper()
	browser, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but chromium is not installed (.ci/run installs Debian's package)")
		}
		t.Skip("chromium not installed (apt-get install chromium): the browser test needs it")
	}
	return browser
}
