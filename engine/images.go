package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// ImageReference is a parsed container image name, normalised the way
// containerd normalises it ("nginx" is "docker.io/library/nginx:latest").
type ImageReference struct {
	Domain string // e.g. "docker.io", "registry.k8s.io"
	Path   string // e.g. "library/nginx", "e2e-test-images/agnhost"
	Tag    string // "latest" when none was given
	Digest string // "sha256:…" when pinned
	// full and id cache String() and ImageID() once parsed.
	full, id string
}

var (
	pathComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	tagPattern    = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)
	digestPattern = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
)

// ParseImageReference parses an image name as a container runtime does.
// Its error text is the runtime's ("invalid reference format: …").
func ParseImageReference(s string) (ImageReference, error) {
	var ref ImageReference
	if s == "" {
		return ref, errors.New("invalid reference format")
	}
	rest := s
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		ref.Digest = rest[i+1:]
		rest = rest[:i]
		if !digestPattern.MatchString(ref.Digest) {
			return ref, errors.New("invalid reference format")
		}
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.Contains(rest[i+1:], "/") {
		ref.Tag = rest[i+1:]
		rest = rest[:i]
		if !tagPattern.MatchString(ref.Tag) {
			return ref, errors.New("invalid reference format")
		}
	}
	parts := strings.Split(rest, "/")
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost") {
		ref.Domain = parts[0]
		parts = parts[1:]
	} else {
		ref.Domain = "docker.io"
	}
	for _, p := range parts {
		if strings.ToLower(p) != p {
			return ref, errors.New("invalid reference format: repository name (" + strings.Join(parts, "/") + ") must be lowercase")
		}
		if !pathComponent.MatchString(p) {
			return ref, errors.New("invalid reference format")
		}
	}
	if ref.Domain == "docker.io" && len(parts) == 1 {
		parts = append([]string{"library"}, parts...)
	}
	ref.Path = strings.Join(parts, "/")
	if ref.Tag == "" && ref.Digest == "" {
		ref.Tag = "latest"
	}
	ref.full = ref.format()
	ref.id = imageID(ref)
	return ref, nil
}

// Repository returns domain/path, e.g. "docker.io/library/nginx".
func (r ImageReference) Repository() string { return r.Domain + "/" + r.Path }

// String returns the full normalised reference.
func (r ImageReference) String() string {
	if r.full != "" {
		return r.full
	}
	return r.format()
}

func (r ImageReference) format() string {
	s := r.Repository()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// ImageBehavior says what an image's default process does.
type ImageBehavior int

// The behaviours of catalogued images.
const (
	// BehaviorServer runs until stopped (web servers, databases).
	BehaviorServer ImageBehavior = iota
	// BehaviorShell runs a shell, which exits at once with no terminal
	// (busybox, alpine, ubuntu): a pod of it alone crash-loops.
	BehaviorShell
	// BehaviorCrash starts, logs, and exits with an error after a while.
	BehaviorCrash
)

// Image describes an image the simulated registry knows.
type Image struct {
	// Repository is the normalised repository, "docker.io/library/nginx".
	Repository string
	// Tags lists the tags that exist.
	Tags      []string
	SizeBytes int64
	// Entrypoint and Cmd are the image's defaults, as in its config.
	Entrypoint []string
	Cmd        []string
	// Binaries are the programs on the image's PATH that podplay
	// understands beyond the shell built-ins (their base names).
	Binaries []string
	// Shell reports whether the image has /bin/sh.
	Shell    bool
	Behavior ImageBehavior
	// Ports are the ports the default process listens on.
	Ports []int32
	// StartupLogs are logged when the default process starts; "%t" is
	// replaced by the time in TimeFormat.
	StartupLogs []string
	// TimeFormat is the Go layout of the time in the image's log lines
	// (default "2006/01/02 15:04:05", nginx's).
	TimeFormat string
	// RequiredEnv: the default process exits 1 with FailLogs unless one
	// of these variables is set.
	RequiredEnv []string
	FailLogs    []string
	// HandlesSIGTERM: the default process exits promptly on SIGTERM
	// instead of waiting out the grace period.
	HandlesSIGTERM bool
	// Response is what the default process answers to an HTTP request;
	// "%h" is replaced by the pod's hostname.
	Response string
	// CrashAfter is how long a BehaviorCrash image runs before it exits 1.
	CrashAfter time.Duration
	// Generic is set on the stand-in for images the catalogue does not
	// know: they run as a long-lived process with no logs.
	Generic bool

	// programs caches the default program, without and with the required
	// environment set.
	programs [2][]instr
}

// PullTime is how long pulling the image takes on a fresh node.
func (im *Image) PullTime() time.Duration {
	// A registry round trip plus about 40 MB/s.
	ms := 400 + im.SizeBytes/(40*1000)
	return time.Duration(ms) * time.Millisecond
}

// HasTag reports whether tag exists for the image.
func (im *Image) HasTag(tag string) bool {
	for _, t := range im.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// ImageID returns a stable content digest reference for ref, as the
// runtime reports in containerStatuses[].imageID.
func ImageID(ref ImageReference) string {
	if ref.id != "" {
		return ref.id
	}
	return imageID(ref)
}

func imageID(ref ImageReference) string {
	if ref.Digest != "" {
		return ref.Repository() + "@" + ref.Digest
	}
	sum := sha256.Sum256([]byte(ref.String()))
	return ref.Repository() + "@sha256:" + hex.EncodeToString(sum[:])
}

// ImageCatalog is the simulated registry.
type ImageCatalog struct {
	images map[string]*Image // by repository
	// generic caches the stand-ins made for unknown images.
	generic map[string]*Image
	// resolved caches Lookup by image name: a cluster asks about the same
	// few names over and over.
	resolved map[string]resolvedImage
}

type resolvedImage struct {
	image *Image
	ref   *ImageReference
	err   error
}

// PullError is why an image cannot be pulled, in containerd's words.
type PullError struct {
	Ref     ImageReference
	Message string
}

func (e *PullError) Error() string { return e.Message }

// Lookup resolves an image name. It returns the catalogued image (or a
// generic stand-in for one the catalogue does not know) and the parsed
// reference, or an error: a malformed name, an unknown tag of a catalogued
// image, or a near-miss of a catalogued name (a typo such as "ngnix").
func (cat *ImageCatalog) Lookup(name string) (*Image, ImageReference, error) {
	im, ref, err := cat.resolve(name)
	return im, *ref, err
}

// resolve is Lookup with the reference shared from the cache.
func (cat *ImageCatalog) resolve(name string) (*Image, *ImageReference, error) {
	if r, ok := cat.resolved[name]; ok {
		return r.image, r.ref, r.err
	}
	im, ref, err := cat.lookup(name)
	if len(cat.resolved) >= 4096 {
		clear(cat.resolved)
	}
	cat.resolved[name] = resolvedImage{image: im, ref: &ref, err: err}
	return im, &ref, err
}

func (cat *ImageCatalog) lookup(name string) (*Image, ImageReference, error) {
	ref, err := ParseImageReference(name)
	if err != nil {
		return nil, ref, fmt.Errorf("couldn't parse image name %q: %w", name, err)
	}
	if im, ok := cat.images[ref.Repository()]; ok {
		if ref.Digest == "" && !im.HasTag(ref.Tag) {
			return nil, ref, &PullError{Ref: ref, Message: fmt.Sprintf(
				"failed to pull and unpack image %q: failed to resolve reference %q: %s: not found",
				ref.String(), ref.String(), ref.String())}
		}
		return im, ref, nil
	}
	if near := cat.nearMiss(ref); near != "" {
		return nil, ref, &PullError{Ref: ref, Message: fmt.Sprintf(
			"failed to pull and unpack image %q: failed to resolve reference %q: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed",
			ref.String(), ref.String())}
	}
	if im, ok := cat.generic[ref.String()]; ok {
		return im, ref, nil
	}
	im := &Image{
		Repository:     ref.Repository(),
		Tags:           []string{ref.Tag},
		SizeBytes:      50_000_000,
		Behavior:       BehaviorServer,
		HandlesSIGTERM: true,
		Generic:        true,
	}
	cat.generic[ref.String()] = im
	return im, ref, nil
}

// nearMiss returns the catalogued repository that ref is a typo of, or "".
func (cat *ImageCatalog) nearMiss(ref ImageReference) string {
	for _, repo := range sortedMapKeys(cat.images) {
		if repo == ref.Repository() {
			continue
		}
		known, _ := ParseImageReference(repo)
		if known.Domain != ref.Domain {
			continue
		}
		a, b := lastPathPart(known.Path), lastPathPart(ref.Path)
		if d := editDistance(a, b); d > 0 && d <= 2 && len(b) >= 4 {
			return repo
		}
	}
	return ""
}

func lastPathPart(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

// editDistance is the Damerau–Levenshtein (optimal string alignment)
// distance, so a swap of two letters ("ngnix") counts as one edit.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// Images returns the catalogued images, sorted by repository.
func (cat *ImageCatalog) Images() []*Image {
	out := make([]*Image, 0, len(cat.images))
	for _, k := range sortedMapKeys(cat.images) {
		out = append(out, cat.images[k])
	}
	return out
}

func withSuffixes(tags []string, suffixes ...string) []string {
	out := append([]string(nil), tags...)
	for _, t := range tags {
		for _, s := range suffixes {
			out = append(out, t+s)
		}
	}
	return out
}

// DefaultImages returns the catalogue of images used by the Kubernetes
// documentation and tutorials, plus podplay's own teaching images.
func DefaultImages() *ImageCatalog {
	nginxLogs := []string{
		"/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
		"/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
		"/docker-entrypoint.sh: Configuration complete; ready for start up",
		"%t [notice] 1#1: using the \"epoll\" event method",
		"%t [notice] 1#1: start worker processes",
	}
	list := []*Image{
		{Repository: "docker.io/library/nginx", SizeBytes: 72_000_000,
			Tags: withSuffixes([]string{"latest", "stable", "mainline", "1.14.2", "1.16.1", "1.19", "1.20", "1.21", "1.22", "1.23",
				"1.24", "1.25", "1.26", "1.27", "1.28", "1.29"}, "-alpine"),
			Entrypoint: []string{"/docker-entrypoint.sh"}, Cmd: []string{"nginx", "-g", "daemon off;"},
			Binaries: []string{"nginx"}, Shell: true, Ports: []int32{80}, StartupLogs: nginxLogs, HandlesSIGTERM: true,
			Response: "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n</body>\n</html>\n"},
		{Repository: "docker.io/library/httpd", SizeBytes: 58_000_000,
			Tags:     withSuffixes([]string{"latest", "2", "2.4"}, "-alpine"),
			Cmd:      []string{"httpd-foreground"},
			Binaries: []string{"httpd-foreground", "httpd"}, Shell: true, Ports: []int32{80}, HandlesSIGTERM: true,
			StartupLogs: []string{
				"AH00558: httpd: Could not reliably determine the server's fully qualified domain name. Set the 'ServerName' directive globally to suppress this message",
				"%t [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations",
			},
			Response: "<html><body><h1>It works!</h1></body></html>\n"},
		{Repository: "docker.io/library/busybox", SizeBytes: 2_200_000,
			Tags: []string{"latest", "stable", "musl", "glibc", "1.28", "1.31", "1.34", "1.35", "1.36", "1.36.1", "1.37"},
			Cmd:  []string{"sh"}, Shell: true, Behavior: BehaviorShell},
		{Repository: "docker.io/library/alpine", SizeBytes: 3_600_000,
			Tags: []string{"latest", "edge", "3", "3.18", "3.19", "3.20", "3.21", "3.22"},
			Cmd:  []string{"/bin/sh"}, Shell: true, Behavior: BehaviorShell},
		{Repository: "docker.io/library/ubuntu", SizeBytes: 29_000_000,
			Tags: []string{"latest", "rolling", "20.04", "22.04", "24.04", "focal", "jammy", "noble"},
			Cmd:  []string{"/bin/bash"}, Shell: true, Behavior: BehaviorShell},
		{Repository: "docker.io/library/debian", SizeBytes: 48_000_000,
			Tags: withSuffixes([]string{"latest", "bookworm", "trixie", "12", "13"}, "-slim"),
			Cmd:  []string{"bash"}, Shell: true, Behavior: BehaviorShell},
		{Repository: "docker.io/library/redis", SizeBytes: 45_000_000,
			Tags:       withSuffixes([]string{"latest", "6", "6.2", "7", "7.0", "7.2", "7.4", "8", "8.0"}, "-alpine"),
			Entrypoint: []string{"docker-entrypoint.sh"}, Cmd: []string{"redis-server"},
			Binaries: []string{"redis-server", "redis-cli"}, Shell: true, Ports: []int32{6379}, HandlesSIGTERM: true,
			TimeFormat: "02 Jan 2006 15:04:05.000",
			StartupLogs: []string{
				"1:C %t # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
				"1:M %t * Running mode=standalone, port=6379.",
				"1:M %t * Server initialized",
				"1:M %t * Ready to accept connections tcp",
			}},
		{Repository: "docker.io/library/mysql", SizeBytes: 600_000_000,
			Tags:       []string{"latest", "5.7", "8", "8.0", "8.4", "9", "lts"},
			Entrypoint: []string{"docker-entrypoint.sh"}, Cmd: []string{"mysqld"},
			Binaries: []string{"mysqld", "mysql"}, Shell: true, Ports: []int32{3306}, HandlesSIGTERM: true,
			TimeFormat:  "2006-01-02 15:04:05",
			RequiredEnv: []string{"MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD"},
			FailLogs: []string{
				"%t+00:00 [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified",
				"    You need to specify one of the following as an environment variable:",
				"    - MYSQL_ROOT_PASSWORD",
				"    - MYSQL_ALLOW_EMPTY_PASSWORD",
				"    - MYSQL_RANDOM_ROOT_PASSWORD",
			},
			StartupLogs: []string{
				"%t+00:00 [Note] [Entrypoint]: Entrypoint script for MySQL Server started.",
				"%t 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.4.3'  port: 3306  MySQL Community Server - GPL.",
			}},
		{Repository: "docker.io/library/postgres", SizeBytes: 160_000_000,
			Tags:       withSuffixes([]string{"latest", "13", "14", "15", "16", "17", "18"}, "-alpine"),
			Entrypoint: []string{"docker-entrypoint.sh"}, Cmd: []string{"postgres"},
			Binaries: []string{"postgres", "psql"}, Shell: true, Ports: []int32{5432}, HandlesSIGTERM: true,
			TimeFormat:  "2006-01-02 15:04:05.000",
			RequiredEnv: []string{"POSTGRES_PASSWORD"},
			FailLogs: []string{
				"Error: Database is uninitialized and superuser password is not specified.",
				"       You must specify POSTGRES_PASSWORD to a non-empty value for the",
				"       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".",
			},
			StartupLogs: []string{
				"%t UTC [1] LOG:  starting PostgreSQL 17.2 on x86_64-pc-linux-gnu",
				"%t UTC [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432",
				"%t UTC [1] LOG:  database system is ready to accept connections",
			}},
		{Repository: "gcr.io/google-samples/hello-app", SizeBytes: 11_000_000,
			Tags: []string{"1.0", "2.0"}, Cmd: []string{"/hello-app"}, Binaries: []string{"hello-app"},
			Ports: []int32{8080}, HandlesSIGTERM: true,
			StartupLogs: []string{"%t Server listening on port 8080"},
			Response:    "Hello, world!\nVersion: 1.0.0\nHostname: %h\n"},
		{Repository: "us-docker.pkg.dev/google-samples/containers/gke/hello-app", SizeBytes: 11_000_000,
			Tags: []string{"1.0", "2.0"}, Cmd: []string{"/hello-app"}, Binaries: []string{"hello-app"},
			Ports: []int32{8080}, HandlesSIGTERM: true,
			StartupLogs: []string{"%t Server listening on port 8080"},
			Response:    "Hello, world!\nVersion: 1.0.0\nHostname: %h\n"},
		{Repository: "registry.k8s.io/echoserver", SizeBytes: 46_000_000,
			Tags: []string{"1.4", "1.10"}, Cmd: []string{"nginx", "-g", "daemon off;"}, Binaries: []string{"nginx"},
			Shell: true, Ports: []int32{8080}, HandlesSIGTERM: true,
			Response: "CLIENT VALUES:\nclient_address=10.244.0.1\ncommand=GET\nreal path=/\n\nSERVER VALUES:\nserver_version=nginx: 1.10.0 - lua: 10001\n\nHOSTNAME: %h\n"},
		{Repository: "registry.k8s.io/e2e-test-images/agnhost", SizeBytes: 50_000_000,
			Tags:       []string{"2.39", "2.40", "2.43", "2.45", "2.47", "2.48", "2.50", "2.52", "2.53"},
			Entrypoint: []string{"/agnhost"}, Cmd: []string{"netexec", "--http-port=8080"}, Binaries: []string{"agnhost"},
			Shell: true, Ports: []int32{8080}, HandlesSIGTERM: true,
			StartupLogs: []string{"%t Started HTTP server on port 8080"},
			Response:    "NOW: %t\n"},
		{Repository: "docker.io/kicbase/echo-server", SizeBytes: 2_700_000,
			Tags: []string{"1.0", "latest"}, Cmd: []string{"/echo-server"}, Binaries: []string{"echo-server"},
			Ports: []int32{8080}, HandlesSIGTERM: true,
			StartupLogs: []string{"Echo server listening on port 8080."},
			Response:    "Request served by %h\n\nHTTP/1.1 GET /\n"},
		{Repository: "docker.io/hashicorp/http-echo", SizeBytes: 3_500_000,
			Tags: []string{"latest", "1.0", "1.0.0", "0.2.3"}, Entrypoint: []string{"/http-echo"}, Binaries: []string{"http-echo"},
			Ports: []int32{5678}, HandlesSIGTERM: true,
			StartupLogs: []string{"%t [INFO] server is listening on :5678"},
			Response:    "hello-world\n"},
		{Repository: "docker.io/podplay/hello", SizeBytes: 6_000_000,
			Tags: []string{"latest", "1.0", "2.0", "3.0"}, Cmd: []string{"/hello"}, Binaries: []string{"hello"},
			Shell: true, Ports: []int32{8080}, HandlesSIGTERM: true,
			StartupLogs: []string{"%t hello: listening on :8080"},
			Response:    "Hello from %h\n"},
		{Repository: "docker.io/podplay/crasher", SizeBytes: 5_000_000,
			Tags: []string{"latest", "1.0"}, Cmd: []string{"/crasher"}, Binaries: []string{"crasher"},
			Shell: true, Behavior: BehaviorCrash, CrashAfter: 3 * time.Second,
			StartupLogs: []string{"%t crasher: starting up", "%t crasher: loading configuration"},
			FailLogs:    []string{"%t crasher: panic: configuration value \"DATABASE_URL\" is empty", "%t crasher: exiting with status 1"}},
	}
	cat := &ImageCatalog{images: map[string]*Image{}, generic: map[string]*Image{}, resolved: map[string]resolvedImage{}}
	for _, im := range list {
		cat.images[im.Repository] = im
	}
	return cat
}
