package server

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// These tests drive the playground in a real Chromium (Debian's package;
// .ci/run installs it). Without one they skip, except in CI, where a
// missing browser is a failure.

// browser starts a headless Chromium for one test and returns a tab.
func browser(t testing.TB) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("Chromium is needed for the browser tests in CI: apt-get install -y chromium")
		}
		t.Skip("no Chromium found (apt-get install -y chromium): the browser tests did not run")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1440, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// Fail rather than hang if the browser does.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel)
	err := chromedp.Do(ctx, js("1"))
	require.NoError(t, err)
	// A failed test leaves a picture of the page as it was.
	t.Cleanup(func() {
		if t.Failed() {
			_ = chromedp.Do(ctx, screenshot(t, "failed-"+strings.ReplaceAll(t.Name(), "/", "-")))
		}
	})
	return ctx
}

// screenshot saves the page as PODPLAY_SCREENSHOTS/NAME.png (a temporary
// folder unless set), for a person to look at; it is never committed.
func screenshot(t testing.TB, name string) step {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		dir := os.Getenv("PODPLAY_SCREENSHOTS")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "podplay-screenshots")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		png, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return err
		}
		file := filepath.Join(dir, name+".png")
		t.Logf("screenshot: %s", file)
		return os.WriteFile(file, png, 0o644)
	})
}

type step = chromedp.Action[chromedp.Void]

// into runs an action and keeps its value in *v, so that it can stand
// among the steps of one chromedp.Do.
func into[T any](v *T, a chromedp.Action[T]) step {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) (err error) {
		*v, err = a(ctx, t)
		return err
	})
}

// js runs a script for its effects.
func js(script string) step { return chromedp.Evaluate[chromedp.Void](script) }

// css names the first element a CSS selector matches.
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// waitJS polls a JavaScript condition until it holds.
func waitJS(cond string, timeout time.Duration) step {
	return chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(20*time.Millisecond))
}

// typeCommand types a command into the terminal and presses Enter.
func typeCommand(cmd string) step {
	return chromedp.Steps(
		chromedp.Focus(css(`[data-testid=terminal-input]`)),
		chromedp.SendKeys(css(`[data-testid=terminal-input]`), cmd+"\r"),
	)
}

// terminalShows waits until the terminal's output contains text.
func terminalShows(text string) step {
	return waitJS(fmt.Sprintf(`document.querySelector("[data-testid=terminal-output]").textContent.includes(%q)`, text), 20*time.Second)
}

const runningWebPods = `[...document.querySelectorAll('[data-testid^="pod-web-"]')].filter(p => p.dataset.status === "Running" && p.dataset.node)`

func TestBrowserPlayground(t *testing.T) {
	ts := newTestServer(t)
	ctx := browser(t)

	var loc string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(css(`[data-testid=open-sandbox]`)),
		screenshot(t, "01-home"),
		chromedp.Click(css(`[data-testid=open-sandbox]`)),
		chromedp.WaitVisible(css(`[data-testid=playground]`)),
		waitJS(`document.querySelector("[data-testid=conn-status]").dataset.state === "up"`, 10*time.Second),
		waitJS(`document.querySelectorAll('[data-testid^="node-"]').length === 3`, 10*time.Second),
		into(&loc, chromedp.Location()),
	))
	require.Contains(t, loc, "/s/")

	// The learner types a command; three pods are drawn inside nodes
	// and, once the clock plays, run.
	require.NoError(t, chromedp.Do(ctx,
		typeCommand("kubectl create deployment web --image=nginx --replicas=3"),
		terminalShows("deployment.apps/web created"),
		waitJS(`document.querySelectorAll('[data-testid^="pod-web-"]').length === 3`, 10*time.Second),
		chromedp.SetValue(css(`[data-testid=clock-speed]`), "10"),
		chromedp.Click(css(`[data-testid=clock-play]`)),
		waitJS(runningWebPods+`.length === 3`, 30*time.Second),
		chromedp.Click(css(`[data-testid=clock-play]`)), // pause
		waitJS(`document.querySelector("[data-testid=clock-play]").getAttribute("aria-pressed") === "false"`, 5*time.Second),
		screenshot(t, "02-three-pods"),
	))

	// Every pod and node has an accessible name; events were narrated.
	var unnamed int
	require.NoError(t, chromedp.Do(ctx,
		into(&unnamed, chromedp.Evaluate[int](`[...document.querySelectorAll('svg [data-uid]')].filter(e => !e.getAttribute("aria-label")).length`)),
		waitJS(`document.querySelector("[data-testid=narration]").textContent.length > 0`, 5*time.Second),
	))
	require.Zero(t, unnamed, "every selectable element of the diagram has an accessible name")

	// Select a node that runs a web pod, from the keyboard, and kill it
	// with the chaos button: the terminal shows the command it ran.
	var victim string
	require.NoError(t, chromedp.Do(ctx,
		into(&victim, chromedp.Evaluate[string](runningWebPods+`[0].dataset.node`)),
	))
	require.NotEmpty(t, victim)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Focus(css(`[data-testid="node-`+victim+`"]`)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(css(`[data-testid=inspector]`)),
		waitJS(`document.querySelector("[data-testid=inspector-body]").textContent.includes("Name:")`, 10*time.Second),
		screenshot(t, "03-inspector"),
		chromedp.Click(css(`[data-testid=chaos-kill-node]`)),
		terminalShows("$ node kill "+victim),
		typeCommand("sleep 6m"),
		terminalShows("$ sleep 6m"),
		waitJS(fmt.Sprintf(`document.querySelector('[data-testid="node-%s"]').dataset.status !== "Ready"`, victim), 20*time.Second),
		waitJS(runningWebPods+fmt.Sprintf(`.filter(p => p.dataset.node !== %q).length === 3`, victim), 30*time.Second),
		screenshot(t, "04-node-killed"),
	))

	// A manifest with a mistake: the error shows with its line.
	bad := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: oops\nspec:\n  containers:\n  - name: a\n    image: nginx\n    replica: 3\n"
	var result string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(css(`[data-testid=tab-editor]`)),
		chromedp.WaitVisible(css(`[data-testid=editor]`)),
		chromedp.SetValue(css(`[data-testid=editor]`), bad),
		chromedp.Click(css(`[data-testid=editor-apply]`)),
		chromedp.WaitVisible(css(`[data-testid=editor-result]`)),
		into(&result, chromedp.Text(css(`[data-testid=editor-result]`))),
		screenshot(t, "05-yaml-error"),
	))
	require.Contains(t, result, "line 9")
	require.Contains(t, result, `unknown field "spec.containers[0].replica"`)
	var badLine string
	require.NoError(t, chromedp.Do(ctx, into(&badLine, chromedp.Text(css(`.gutter .bad`)))))
	require.Equal(t, "9", strings.TrimSpace(badLine))

	// From the keyboard: Enter on a pod opens it, the arrow keys move
	// between the inspector's tabs, Escape closes it and returns to the pod.
	var back, yamlShown bool
	require.NoError(t, chromedp.Do(ctx,
		js(`document.querySelector('[data-testid^="pod-web-"]').focus()`),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(css(`[data-testid=inspector]`)),
		js(`document.querySelector('[data-testid=inspector] [data-tab=describe]').focus()`),
		chromedp.KeyEvent(kb.ArrowRight),
		waitJS(`document.querySelector('[data-testid=inspector] [data-tab=yaml]').getAttribute("aria-selected") === "true"`, 5*time.Second),
		into(&yamlShown, chromedp.Evaluate[bool](`document.activeElement.dataset.tab === "yaml"`)),
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotVisible(css(`[data-testid=inspector]`)),
		into(&back, chromedp.Evaluate[bool](`document.activeElement.dataset.testid?.startsWith("pod-web-") === true`)),
	))
	require.True(t, yamlShown, "the arrow key moved to the YAML tab")
	require.True(t, back, "Escape returns the focus to the pod")

	// A reload shows the same cluster: state lives on the server.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Reload(),
		waitJS(`document.querySelector("[data-testid=conn-status]").dataset.state === "up"`, 10*time.Second),
		waitJS(runningWebPods+fmt.Sprintf(`.filter(p => p.dataset.node !== %q).length === 3`, victim), 10*time.Second),
	))
}

func TestBrowserPhoneAndDarkTheme(t *testing.T) {
	ts := newTestServer(t)
	id := ts.create(t, `{"script": "kubectl create deployment web --image=nginx --replicas=4\nsleep 1m"}`)
	ctx := browser(t)
	var overflow bool
	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulateMobile),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
			return err
		}),
		chromedp.Navigate(ts.URL+"/s/"+id),
		waitJS(runningWebPods+`.length === 4`, 10*time.Second),
		into(&overflow, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)),
		screenshot(t, "06-phone-dark"),
	))
	require.False(t, overflow, "the page fits a phone's width (panels stack)")
}

// BenchmarkBrowserCommandToDiagram measures, in Chromium on loopback, how
// long after a command's output reaches the terminal its effect is drawn
// in the diagram (the budget is 100 ms), and from Enter to drawn.
func BenchmarkBrowserCommandToDiagram(b *testing.B) {
	ts := newTestServer(b)
	ts.unlimited()
	id := ts.create(b, "{}")
	ctx := browser(b)
	require.NoError(b, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/s/"+id),
		waitJS(`document.querySelector("[data-testid=conn-status]").dataset.state === "up"`, 10*time.Second),
	))
	var afterOutput, afterEnter []float64
	i := 0
	for b.Loop() {
		i++
		name := fmt.Sprintf("p%d", i)
		// Observers note when the output is printed and when the pod is
		// drawn; the command is typed as a learner would.
		var res []float64
		require.NoError(b, chromedp.Do(ctx,
			js(fmt.Sprintf(`window.__t = {}; (() => {
				const out = document.querySelector("[data-testid=terminal-output]");
				const svg = document.querySelector("svg.diagram");
				new MutationObserver((_, o) => { if (out.textContent.includes("pod/%[1]s created")) { __t.out = performance.now(); o.disconnect(); } }).observe(out, {childList: true, subtree: true, characterData: true});
				new MutationObserver((_, o) => { if (svg.querySelector('[data-testid="pod-%[1]s"]')) { __t.drawn = performance.now(); o.disconnect(); } }).observe(svg, {childList: true, subtree: true});
				document.querySelector("[data-testid=terminal-input]").addEventListener("keydown", e => { if (e.key === "Enter" && !__t.enter) __t.enter = performance.now(); });
			})()`, name)),
			typeCommand("kubectl run "+name+" --image=nginx"),
			waitJS(`__t.out && __t.drawn`, 10*time.Second),
			into(&res, chromedp.Evaluate[[]float64](`[__t.drawn - __t.out, __t.drawn - __t.enter]`)),
		))
		afterOutput = append(afterOutput, res[0])
		afterEnter = append(afterEnter, res[1])
	}
	b.ReportMetric(worst(afterOutput), "max-ms-after-output")
	b.ReportMetric(worst(afterEnter), "max-ms-after-enter")
}

// BenchmarkBrowser200Pods scales a Deployment to 200 pods over ten nodes
// with the clock playing and measures what the diagram costs the page:
// the longest task (the budget: none over 50 ms) and the frames.
func BenchmarkBrowser200Pods(b *testing.B) {
	ts := newTestServer(b)
	ts.unlimited()
	script := []string{}
	for i := 4; i <= 10; i++ {
		script = append(script, fmt.Sprintf("node add node-%d", i))
	}
	script = append(script, "sleep 1m")
	id := ts.create(b, fmt.Sprintf(`{"script": %q}`, strings.Join(script, "\n")))
	ctx := browser(b)
	require.NoError(b, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/s/"+id),
		waitJS(`document.querySelectorAll('[data-testid^="node-"]').length === 10`, 10*time.Second),
	))
	var longest, p95, over50 float64
	for b.Loop() {
		var res []float64
		ts.exec(b, id, "kubectl delete deployment web --ignore-not-found")
		require.NoError(b, chromedp.Do(ctx,
			js(`window.__perf = {long: [], frames: []}; (() => {
				new PerformanceObserver(l => { for (const e of l.getEntries()) __perf.long.push(e.duration); }).observe({type: "longtask"});
				let last = performance.now();
				const frame = (now) => { __perf.frames.push(now - last); last = now; if (!__perf.stop) requestAnimationFrame(frame); };
				requestAnimationFrame(frame);
			})()`),
			typeCommand("kubectl create deployment web --image=nginx --replicas=200"),
			chromedp.SetValue(css(`[data-testid=clock-speed]`), "5"),
			chromedp.Click(css(`[data-testid=clock-play]`)),
			waitJS(runningWebPods+`.length === 200`, 60*time.Second),
			chromedp.Click(css(`[data-testid=clock-play]`)),
			chromedp.Sleep(500*time.Millisecond), // let the last transitions end
			into(&res, chromedp.Evaluate[[]float64](`__perf.stop = true; (() => {
				const f = __perf.frames.slice(1).sort((a, b) => a - b);
				return [Math.max(0, ...__perf.long), f[Math.floor(f.length * 0.95)] || 0, __perf.long.filter(d => d > 50).length];
			})()`)),
		))
		longest, p95, over50 = max(longest, res[0]), max(p95, res[1]), max(over50, res[2])
	}
	b.ReportMetric(longest, "longest-task-ms")
	b.ReportMetric(p95, "p95-frame-ms")
	b.ReportMetric(over50, "tasks-over-50ms")
}

func worst(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// TestBrowserLesson walks lesson 2 (The Cluster) as a learner would: the
// goals tick as commands are typed, the next step opens, and the
// progress survives a reload.
func TestBrowserLesson(t *testing.T) {
	ts := newTestServer(t)
	ts.unlimited()
	ctx := browser(t)
	cmds := solutionSteps(t, "cluster")
	goalDone := func(step int) string {
		return fmt.Sprintf(`(() => { const s = document.querySelectorAll("li.step")[%d]; return s && !s.hidden && s.classList.contains("done") && [...s.querySelectorAll("[data-goal]")].every(g => g.getAttribute("aria-checked") === "true"); })()`, step)
	}
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.Click(css(`[data-testid=lesson-cluster] a`)),
		chromedp.WaitVisible(css(`[data-testid=steps]`)),
		waitJS(`document.querySelector("[data-testid=conn-status]").dataset.state === "up"`, 10*time.Second),
		waitJS(`document.querySelectorAll("li.step:not([hidden])").length === 1`, 5*time.Second),
	))
	// A command in the lesson goes into the terminal with a click.
	var pasted bool
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(css(`li.step .body code.run`)),
		into(&pasted, chromedp.Evaluate[bool](`document.querySelector("[data-testid=terminal-input]").value === document.querySelector("li.step .body code.run").textContent`)),
		js(`document.querySelector("[data-testid=terminal-input]").value = ""`),
	))
	require.True(t, pasted, "clicking a command puts it in the terminal")

	// The first two commands finish step 1 (six pods on three nodes).
	require.NoError(t, chromedp.Do(ctx,
		typeCommand(cmds[0]),
		terminalShows("deployment.apps/web created"),
		typeCommand(cmds[1]),
		waitJS(goalDone(0), 10*time.Second),
		waitJS(`!document.querySelectorAll("li.step")[1].hidden`, 5*time.Second),
		screenshot(t, "07-lesson-step-1-done"),
	))
	// A reload keeps the progress: step 1 done, step 2 current.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Reload(),
		waitJS(`document.querySelector("[data-testid=conn-status]").dataset.state === "up"`, 10*time.Second),
		waitJS(goalDone(0), 5*time.Second),
		waitJS(`document.querySelectorAll("li.step")[1].classList.contains("current")`, 5*time.Second),
	))
	// The rest of the solution completes the lesson.
	for _, cmd := range cmds[2:] {
		require.NoError(t, chromedp.Do(ctx, typeCommand(cmd), terminalShows("$ "+strings.SplitN(cmd, "\n", 2)[0])))
	}
	require.NoError(t, chromedp.Do(ctx,
		waitJS(`!document.querySelector("[data-testid=lesson-complete]").hidden`, 20*time.Second),
		screenshot(t, "08-lesson-complete"),
	))
	// And the home page says so.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(css(`[data-testid=lesson-cluster] [data-testid=lesson-done]`)),
		screenshot(t, "09-home-progress"),
	))
}
