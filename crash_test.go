package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// startChild runs this test binary as the podplay server (see TestMain)
// on db and returns its base URL and the process.
func startChild(t *testing.T, db string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-addr", "127.0.0.1:0", "-db", db)
	cmd.Env = append(os.Environ(), "PODPLAY_TEST_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	go io.Copy(io.Discard, stdout)
	base := regexp.MustCompile(`http://\S+`).FindString(line)
	require.NotEmpty(t, base, line)
	return base, cmd
}

func post(base, path string, body any) (int, map[string]any, error) {
	data, _ := json.Marshal(body)
	resp, err := http.Post(base+path, "application/json", bytes.NewReader(data))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, out, nil
}

// TestCrashDurability kills the server (SIGKILL) in the middle of traffic,
// restarts it on the same database, and checks that the database is sound
// and that every session and every command that was answered is back.
func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	db := filepath.Join(t.TempDir(), "podplay.db")
	base, cmd := startChild(t, db)

	type acked struct {
		id       string
		commands int // namespaces ns-1 … ns-N were created and answered
	}
	var mu sync.Mutex
	var sessions []*acked
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, out, err := post(base, "/api/sessions", map[string]any{})
			if err != nil || status != http.StatusCreated {
				return
			}
			a := &acked{id: out["id"].(string)}
			mu.Lock()
			sessions = append(sessions, a)
			mu.Unlock()
			for n := 1; ctx.Err() == nil; n++ {
				status, out, err := post(base, "/api/sessions/"+a.id+"/exec",
					map[string]string{"command": fmt.Sprintf("kubectl create namespace ns-%d", n)})
				if err != nil {
					return // the server died mid-request: not acknowledged
				}
				if status == http.StatusTooManyRequests {
					time.Sleep(50 * time.Millisecond)
					n--
					continue
				}
				if status != http.StatusOK || out["exitCode"] != float64(0) {
					t.Errorf("command %d on %s: %d %v", n, a.id, status, out)
					return
				}
				mu.Lock()
				a.commands = n
				mu.Unlock()
			}
		}()
	}
	time.Sleep(time.Second)
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	stop()
	wg.Wait()
	require.Len(t, sessions, 4)

	// The database is sound.
	conn, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	var check string
	require.NoError(t, conn.QueryRow("PRAGMA integrity_check").Scan(&check))
	require.Equal(t, "ok", check)
	require.NoError(t, conn.Close())

	base, _ = startChild(t, db)
	total := 0
	for _, a := range sessions {
		resp, err := http.Get(base + "/api/sessions/" + a.id + "/state")
		require.NoError(t, err)
		var state struct {
			Objects []struct {
				Kind     string
				Metadata struct{ Name string }
			}
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&state))
		resp.Body.Close()
		have := map[string]bool{}
		for _, o := range state.Objects {
			if o.Kind == "Namespace" {
				have[o.Metadata.Name] = true
			}
		}
		for n := 1; n <= a.commands; n++ {
			require.True(t, have[fmt.Sprintf("ns-%d", n)], "session %s lost answered command %d of %d", a.id, n, a.commands)
		}
		total += a.commands
	}
	require.Greater(t, total, 20, "enough traffic was answered before the kill to mean something")
	t.Logf("%d answered commands over %d sessions survived the kill", total, len(sessions))
}
