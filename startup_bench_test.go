package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkStartupToReady measures a start on an existing database, from
// run() to the first 200 from /readyz (target: 300 ms), in-process, as
// "go run ." does after the build.
func BenchmarkStartupToReady(b *testing.B) {
	db := filepath.Join(b.TempDir(), "podplay.db")
	// First start creates and migrates the database; it is not measured.
	startAndStop(b, db)
	var total time.Duration
	for b.Loop() {
		total += startAndStop(b, db)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms-to-ready")
}

func startAndStop(b *testing.B, db string) time.Duration {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		done <- run(ctx, []string{"podplay", "-addr", "127.0.0.1:0", "-db", db}, func(string) string { return "" }, nil, pw, io.Discard)
		pw.Close()
	}()
	buf := make([]byte, 256)
	n, err := pr.Read(buf)
	if err != nil {
		b.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	base := serverURL.FindString(string(buf[:n]))
	var took time.Duration
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				took = time.Since(start)
				break
			}
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	return took
}
