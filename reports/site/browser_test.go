package site

import (
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

var screenshots = flag.Bool("screenshots", false, "save the browser test's screenshots under docs/ instead of a temporary directory")

// chromium finds a Chromium or Chrome binary: $PARITY_CHROMIUM, else the
// usual names on PATH.
func chromium() string {
	if p := os.Getenv("PARITY_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a headless Chromium with a fresh profile and no network
// chatter of its own. dialogs collects the messages of any dialog a page
// opens, which is what an injected alert() would do.
func browser(t *testing.T) (ctx context.Context, dialogs func() []string) {
	t.Helper()
	bin := chromium()
	if bin == "" {
		t.Skip("browser test skipped: no Chromium found (install Debian's chromium package, or set PARITY_CHROMIUM to a Chrome binary)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	var mu sync.Mutex
	var seen []string
	require.NoError(t, chromedp.Listen(bctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			mu.Lock()
			seen = append(seen, string(d.Type)+": "+d.Message)
			mu.Unlock()
		}
	}), "start Chromium")
	// One deadline for the test's steps, derived after the browser started
	// so it does not stop the browser itself.
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	t.Cleanup(cancel)
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// visibleSamples lists the outcome class of every sample the reader can
// see on the page.
const visibleSamples = `Array.from(document.querySelectorAll('.samples .s')).filter(e => e.offsetParent !== null).map(e => e.className)`

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	require.NoError(t, err, expr)
	return v
}

// checkRunPage clicks the "wrong" filter of a run page and checks that only
// wrong samples stay visible, and that a hostile answer is text.
func checkRunPage(t *testing.T, ctx context.Context, wantWrong int) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`label[for="f-wrong"]`))))
	before := eval[[]string](t, ctx, visibleSamples)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`label[for="f-wrong"]`))))
	after := eval[[]string](t, ctx, visibleSamples)
	assert.Greater(t, len(before), len(after), "the filter hides samples")
	require.Len(t, after, wantWrong)
	for _, c := range after {
		assert.Contains(t, c, "o-wrong")
	}

	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`label[for="f-all"]`))))
	eval[chromedp.Void](t, ctx, `document.querySelectorAll('details.s').forEach(d => d.open = true)`)
	text := eval[string](t, ctx, `Array.from(document.querySelectorAll('details.s pre')).map(p => p.textContent).join('\n')`)
	assert.Contains(t, text, `<script>alert("x")</script><img src=x onerror=alert(1)>`, "the answer is shown as the text it is")
	assert.Zero(t, eval[int](t, ctx, `document.querySelectorAll('script').length`), "no script element on the page")
	assert.Zero(t, eval[int](t, ctx, `document.querySelectorAll('img, iframe, object').length`), "the answer's <img> did not become an element")
}

func screenshotPath(t *testing.T, name string) string {
	if *screenshots {
		return filepath.Join("..", "..", "docs", name)
	}
	return filepath.Join(t.TempDir(), name)
}

func TestBrowserSnapshot(t *testing.T) {
	ctx, dialogs := browser(t)
	src := hostileSource()
	lb, _, err := src.Leaderboard(context.Background())
	require.NoError(t, err)
	var runs []SnapshotRun
	for _, r := range src.runs {
		id := r.ID
		runs = append(runs, SnapshotRun{Run: r, Each: func(ctx context.Context, fn func(s parity.Sample) error) error {
			return src.Samples(ctx, id, SampleQuery{}, fn)
		}})
	}
	dir := filepath.Join(t.TempDir(), "snap")
	_, err = WriteSnapshot(context.Background(), dir, lb, runs, snapOptions())
	require.NoError(t, err)
	index := "file://" + filepath.ToSlash(filepath.Join(dir, "index.html"))

	// The leaderboard's run table links each row to its run page.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(index),
		chromedp.WaitVisible(chromedp.CSS(`h1`)),
		chromedp.Click(chromedp.CSS(`tr#run-2 a`)),
		chromedp.WaitVisible(chromedp.CSS(`label[for="f-wrong"]`)),
	))
	url, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(url, "/runs/2.html"), url)
	checkRunPage(t, ctx, 2)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`label[for="f-wrong"]`))))
	eval[chromedp.Void](t, ctx, `document.querySelector('.samples .o-wrong').open = true`)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(screenshotPath(t, "snapshot-run-wrong.png"), png, 0o644))

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(index), chromedp.WaitVisible(chromedp.CSS(`svg`))))
	png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(screenshotPath(t, "snapshot-leaderboard.png"), png, 0o644))
	assert.Empty(t, dialogs(), "no page opened a dialog")
}

func TestBrowserServe(t *testing.T) {
	ctx, dialogs := browser(t)
	srv := httptest.NewServer(NewServer(hostileSource(), ServerOptions{}))
	defer srv.Close()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`form.search`)),
		chromedp.Click(chromedp.CSS(`tr#run-2 a`)),
		chromedp.WaitVisible(chromedp.CSS(`label[for="f-wrong"]`)),
	))
	url, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/runs/2", url)
	checkRunPage(t, ctx, 2)

	// The search form submits to the server, which the pages' policy allows.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`form.search input[name="q"]`)),
		chromedp.SendKeys(chromedp.CSS(`form.search input[name="q"]`), "onerror"),
		chromedp.Submit(chromedp.CSS(`form.search`)),
		chromedp.WaitVisible(chromedp.CSS(`p.hit`)),
	))
	found, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`body`)))
	require.NoError(t, err)
	assert.Contains(t, found, "1 sample(s) found")
	eval[chromedp.Void](t, ctx, `document.querySelectorAll('details.s').forEach(d => d.open = true)`)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(screenshotPath(t, "serve-search.png"), png, 0o644))
	assert.Empty(t, dialogs(), "no page opened a dialog")
}
