// Command podplay is "Kubernetes 101, live": a playground where a learner
// reads lessons and works a simulated cluster beside them.
//
// The simulated cluster (package engine) and its terminal language
// (engine/kubectl) are built; the web server and the lessons come next.
// Until then this command runs terminal scripts (`podplay run`) and shows
// the engine at work (`podplay demo`).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/kubectl"
	"github.com/podplay/podplay/lessons"
	"github.com/podplay/podplay/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, errFailed) {
			fmt.Fprintln(os.Stderr, "podplay:", err)
		}
		os.Exit(1)
	}
}

const usage = `podplay — Kubernetes 101, live

Usage:
  podplay [-addr HOST:PORT] [-db FILE]
                           serve the playground (default localhost:8080, data/podplay.db;
                           or PODPLAY_ADDR, PODPLAY_DB)
  podplay run [-strict] [-seed N] [-cluster NODES.yaml] FILE|-
                           run a script of terminal lines (kubectl …, sleep 30s)
                           on a fresh cluster of three nodes (or the manifest's)
                           and print the transcript
  podplay lessons [DIR]    check a folder of lessons (default: the built-in course):
                           load and validate them, and run every solution through
                           its goals
  podplay demo [-seed N]   run a short story on the simulated cluster and print it
  podplay version          print the version of Kubernetes the cluster simulates
  podplay healthcheck      ask the server at PODPLAY_ADDR for /healthz (for containers)

Open http://localhost:8080 once it serves: the lessons, and the sandbox.
`

// run is the whole program; main only wires it to the process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 || strings.HasPrefix(args[1], "-") {
		return serve(ctx, args[1:], getenv, stdout, stderr)
	}
	switch args[1] {
	case "demo":
		fs := flag.NewFlagSet("demo", flag.ContinueOnError)
		fs.SetOutput(stderr)
		seed := fs.Uint64("seed", 1, "random seed of the simulated cluster")
		if err := fs.Parse(args[2:]); err != nil {
			return err
		}
		return demo(ctx, *seed, stdout)
	case "run":
		return runScript(args[2:], stdin, stdout, stderr)
	case "lessons":
		return checkLessons(args[2:], stdout)
	case "healthcheck":
		return healthcheck(ctx, getenv, stdout)
	case "version":
		fmt.Fprintf(stdout, "podplay simulates Kubernetes %s\n", engine.KubernetesVersion)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[1])
}

// serve runs the HTTP server until ctx ends, then shuts down gracefully:
// /readyz fails, requests in flight finish, every session is saved.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("podplay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", orDefault(getenv("PODPLAY_ADDR"), "localhost:8080"), "address to serve on (env PODPLAY_ADDR)")
	dbPath := fs.String("db", orDefault(getenv("PODPLAY_DB"), filepath.Join("data", "podplay.db")), "SQLite database file (env PODPLAY_DB)")
	idle := fs.Duration("idle", 10*time.Minute, "unload sessions nobody has used for this long")
	noLimits := fs.Bool("no-rate-limits", false, "lift the per-address rate limits (for load tests only)")
	origins := fs.String("allow-origins", getenv("PODPLAY_ALLOW_ORIGINS"), "comma-separated host patterns of other sites allowed to open websockets, as in blog.example.com (env PODPLAY_ALLOW_ORIGINS)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	store, err := server.OpenStore(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	course, err := lessons.Builtin()
	if err != nil {
		return fmt.Errorf("the built-in lessons do not load: %w", err)
	}
	sessions := server.NewSessions(store, course, log, *idle)
	srv := server.New(store, sessions, log)
	if *origins != "" {
		srv.AllowOrigins(strings.Split(*origins, ",")...)
	}
	if *noLimits {
		srv.LiftLimits()
		log.Warn("rate limits lifted (-no-rate-limits): for load tests only")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "podplay serving on http://%s (data in %s)\n", ln.Addr(), *dbPath)
	reapCtx, stopReaping := context.WithCancel(context.Background())
	defer stopReaping()
	go sessions.Reap(reapCtx, 30*time.Second)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	srv.BeginShutdown()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdownCtx)
	sessions.Shutdown()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// healthcheck asks a running server for /healthz: the container image's
// health check, which has no curl.
func healthcheck(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	addr := orDefault(getenv("PODPLAY_ADDR"), "localhost:8080")
	if host, port, err := net.SplitHostPort(addr); err == nil && (host == "" || host == "0.0.0.0" || host == "::") {
		addr = net.JoinHostPort("localhost", port)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz: %s", resp.Status)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// errFailed is a script's failure under -strict: the transcript already
// says what failed.
var errFailed = errors.New("the script stopped at a failing command")

// runScript is "podplay run": a script of terminal lines on a fresh
// default cluster, printed as a transcript.
func runScript(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	strict := fs.Bool("strict", false, "stop at the first failing command, with exit code 1")
	seed := fs.Uint64("seed", 1, "random seed of the simulated cluster")
	clusterFile := fs.String("cluster", "", "a manifest of the nodes (and any objects) to start with, instead of three nodes of 4 CPU / 8Gi")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("run takes one script: a file, or - for standard input")
	}
	var data []byte
	var err error
	if name := fs.Arg(0); name == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, maxScript+1))
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return err
	}
	if len(data) > maxScript {
		return fmt.Errorf("the script is over %d MiB", maxScript>>20)
	}
	steps, err := kubectl.ParseScript(string(data))
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	c, err := kubectl.DefaultCluster(*seed)
	if *clusterFile != "" {
		data, rerr := os.ReadFile(*clusterFile)
		if rerr != nil {
			return rerr
		}
		c, err = kubectl.ClusterFrom(*seed, data)
		if err != nil {
			return fmt.Errorf("%s: %w", *clusterFile, err)
		}
	}
	if err != nil {
		return err
	}
	out, err := kubectl.RunScript(c, steps, *strict)
	fmt.Fprint(stdout, out)
	if err != nil {
		fmt.Fprintf(stderr, "podplay: %s: %v\n", fs.Arg(0), err)
		return errFailed
	}
	return nil
}

// maxScript bounds a script, as the API server bounds a request.
const maxScript = 3 << 20

// demo tells the article's story in brief: three nodes pool their CPU and
// memory, a ReplicaSet's pods spread over them, a node dies, its pods are
// evicted and replaced on the others.
func demo(ctx context.Context, seed uint64, w io.Writer) error {
	c := engine.New(engine.Config{Seed: seed, Limits: engine.LearnerLimits()})
	say := func(format string, args ...any) {
		fmt.Fprintf(w, "[%s] %s\n", c.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	for _, name := range []string{"node-1", "node-2", "node-3"} {
		if _, err := c.AddNode(engine.NodeOptions{Name: name}); err != nil {
			return err
		}
	}
	say("added three nodes of 2 CPU / 4Gi each")
	if err := c.Advance(5 * time.Second); err != nil {
		return err
	}
	rs := &engine.ReplicaSet{ObjectMeta: engine.ObjectMeta{Name: "web"}}
	rs.Spec.Replicas = engine.Ptr(int32(6))
	rs.Spec.Selector = &engine.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	rs.Spec.Template.Labels = map[string]string{"app": "web"}
	rs.Spec.Template.Spec.Containers = []engine.Container{{Name: "nginx", Image: "nginx:1.27"}}
	if _, err := c.Create(rs); err != nil {
		return err
	}
	say("created a ReplicaSet of six nginx pods")
	if err := c.Advance(10 * time.Second); err != nil {
		return err
	}
	printPods(c, w)
	if err := c.KillNode("node-2"); err != nil {
		return err
	}
	say("powered off node-2")
	for _, d := range []time.Duration{45 * time.Second, 5 * time.Minute} {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := c.Advance(d); err != nil {
			return err
		}
		say("%s later:", d)
		printNodes(c, w)
		printPods(c, w)
	}
	return nil
}

func printPods(c *engine.Cluster, w io.Writer) {
	for _, p := range c.Pods("", nil) {
		s := engine.SummarizePod(p)
		fmt.Fprintf(w, "  %-8s %-4s %-12s %s\n", p.Name, s.Ready, s.Status, p.Spec.NodeName)
	}
}

func printNodes(c *engine.Cluster, w io.Writer) {
	var parts []string
	for _, n := range c.Nodes() {
		parts = append(parts, n.Name+"="+engine.NodeStatusWord(n))
	}
	fmt.Fprintf(w, "  nodes: %s\n", strings.Join(parts, " "))
}

// checkLessons is "podplay lessons [DIR]", for instructors: the lessons
// in DIR (or the built-in course) load and validate, with every problem
// given as FILE:LINE: reason, and each solution completes its lesson.
func checkLessons(args []string, stdout io.Writer) error {
	if len(args) > 1 {
		return errors.New("usage: podplay lessons [DIR]")
	}
	var cat *lessons.Catalog
	var err error
	if len(args) == 1 {
		if fi, statErr := os.Stat(args[0]); statErr != nil || !fi.IsDir() {
			return fmt.Errorf("%s is not a folder of lessons", args[0])
		}
		cat, err = lessons.Load(os.DirFS(args[0]))
	} else {
		cat, err = lessons.Builtin()
	}
	if err != nil {
		return err
	}
	if len(cat.Lessons()) == 0 {
		return errors.New("no lessons found: each lives in a folder named ORDER-ID with a lesson.md (see lessons/README.md)")
	}
	var failed []error
	for _, l := range cat.Lessons() {
		if err := lessons.Check(l, nil); err != nil {
			failed = append(failed, err)
			fmt.Fprintf(stdout, "FAIL %s\n", l.Dir)
			continue
		}
		fmt.Fprintf(stdout, "ok   %s: %s, %d steps, solution completes it\n", l.Dir, l.Title.In("en"), len(l.Steps))
	}
	for _, p := range cat.Presets() {
		fmt.Fprintf(stdout, "ok   %s: sandbox preset %s\n", p.Dir, p.Title.In("en"))
	}
	return errors.Join(failed...)
}
