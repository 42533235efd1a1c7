package kubectl

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/podplay/podplay/engine"
)

// apiResources is kubectl api-resources, for the kinds podplay simulates.
func apiResources(words []string) (string, error) {
	f, err := parseFlags(words, known("-o", "--output", "--namespaced"))
	if err != nil {
		return "", err
	}
	rs := slices.Clone(resources)
	slices.SortFunc(rs, func(a, b resource) int {
		if a.group != b.group {
			return strings.Compare(a.group, b.group)
		}
		return strings.Compare(a.plural, b.plural)
	})
	var b strings.Builder
	if f.output == "name" {
		for _, r := range rs {
			if r.group == "" {
				fmt.Fprintln(&b, r.plural)
			} else {
				fmt.Fprintln(&b, r.plural+"."+r.group)
			}
		}
		return b.String(), nil
	}
	if f.output != "" {
		return "", fmt.Errorf("--output %s is not available in kubectl api-resources (use name)", f.output)
	}
	only, filtered := f.value("--namespaced")
	w := tabwriter.NewWriter(&b, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND")
	for _, r := range rs {
		ns := fmt.Sprint(r.kind.Namespaced())
		if filtered && ns != only {
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.plural, strings.Join(r.short, ","), apiVersion(r), ns, r.kind)
	}
	w.Flush()
	return b.String(), nil
}

func apiVersion(r resource) string {
	if r.group == "" {
		return "v1"
	}
	return r.group + "/v1"
}

// clusterInfo is kubectl cluster-info: where the (simulated) control plane is.
func clusterInfo(c *engine.Cluster) string {
	ready := 0
	nodes := c.Nodes()
	for _, n := range nodes {
		if engine.NodeStatusWord(n) == "Ready" {
			ready++
		}
	}
	return fmt.Sprintf("Kubernetes control plane is running at https://podplay.local:6443 (simulated in this page, Kubernetes %s)\n"+
		"Nodes: %d, of which %d Ready\n\n"+
		"To further debug and diagnose cluster problems, use 'kubectl get events -A' and 'kubectl describe'.\n",
		engine.KubernetesVersion, len(nodes), ready)
}
