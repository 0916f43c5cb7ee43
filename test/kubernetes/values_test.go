// Package kubernetes checks the Helm values in configs/kubernetes against the collector
// configurations they run, since the chart itself cannot be rendered here: ports, probes, the
// load balancers' resolver and its RBAC, autoscaling and disruption budgets, environment.
package kubernetes

import (
	"cmp"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const root = "../.."

type port struct {
	Enabled       bool `yaml:"enabled"`
	ContainerPort int  `yaml:"containerPort"`
}

type probe struct {
	HTTPGet struct {
		Port int    `yaml:"port"`
		Path string `yaml:"path"`
	} `yaml:"httpGet"`
	PeriodSeconds    int `yaml:"periodSeconds"`
	FailureThreshold int `yaml:"failureThreshold"`
}

// window is how long the probe lets the collector fail before Kubernetes acts, with the
// kubelet's defaults for what is unset.
func (p probe) window() time.Duration {
	period, threshold := cmp.Or(p.PeriodSeconds, 10), cmp.Or(p.FailureThreshold, 3)
	return time.Duration(period*threshold) * time.Second
}

// walReplayWindow is the startup time the gateway's probes must allow: a restart after a
// crash replays the write-ahead logs (up to 2 GiB each) before the health check answers, at
// about 55 MiB/s for slo_sampling's and 200 MiB/s for trace_decision's on 2 cores
// (BenchmarkReplayWAL, BenchmarkReplayHeldLogs): under a minute for both full, five with margin.
const walReplayWindow = 5 * time.Minute

type env struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
}

type values struct {
	FullnameOverride string `yaml:"fullnameOverride"`
	Mode             string `yaml:"mode"`
	Command          struct {
		Name string `yaml:"name"`
	} `yaml:"command"`
	ConfigMap struct {
		Create       bool   `yaml:"create"`
		ExistingName string `yaml:"existingName"`
	} `yaml:"configMap"`
	Autoscaling struct {
		Enabled     bool `yaml:"enabled"`
		MinReplicas int  `yaml:"minReplicas"`
	} `yaml:"autoscaling"`
	PodDisruptionBudget struct {
		Enabled        bool `yaml:"enabled"`
		MinAvailable   *int `yaml:"minAvailable"`
		MaxUnavailable *int `yaml:"maxUnavailable"`
	} `yaml:"podDisruptionBudget"`
	Service struct {
		ClusterIP string `yaml:"clusterIP"`
	} `yaml:"service"`
	Ports          map[string]port `yaml:"ports"`
	LivenessProbe  probe           `yaml:"livenessProbe"`
	ReadinessProbe probe           `yaml:"readinessProbe"`
	StartupProbe   *probe          `yaml:"startupProbe"`
	ClusterRole    struct {
		Create bool   `yaml:"create"`
		Rules  []rule `yaml:"rules"`
	} `yaml:"clusterRole"`
	ExtraEnvs         []env   `yaml:"extraEnvs"`
	ExtraVolumeMounts []mount `yaml:"extraVolumeMounts"`
}

type rule struct {
	APIGroups []string `yaml:"apiGroups"`
	Resources []string `yaml:"resources"`
	Verbs     []string `yaml:"verbs"`
}

type mount struct {
	Name      string `yaml:"name"`
	MountPath string `yaml:"mountPath"`
}

func (v *values) env(name string) (string, bool) {
	for _, e := range v.ExtraEnvs {
		if e.Name == name {
			return e.Value, true
		}
	}
	return "", false
}

func (v *values) enabledPorts() []int {
	var out []int
	for _, p := range v.Ports {
		if p.Enabled {
			out = append(out, p.ContainerPort)
		}
	}
	slices.Sort(out)
	return out
}

func load(t *testing.T, path string, out any) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, path))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

var envRef = regexp.MustCompile(`\$\{env:([A-Z0-9_]+)(:-([^}]*))?\}`)

// resolve expands ${env:NAME:-default} with the values' environment, then the default.
func resolve(s string, v *values) string {
	return envRef.ReplaceAllStringFunc(s, func(m string) string {
		g := envRef.FindStringSubmatch(m)
		if val, ok := v.env(g[1]); ok {
			return val
		}
		return g[3]
	})
}

// listeningPorts are the ports the collector configuration listens on: receiver endpoints,
// the health check, the prometheus exporter and its own telemetry.
func listeningPorts(t *testing.T, config []byte, v *values) (all []int, health int) {
	t.Helper()
	var cfg struct {
		Extensions map[string]any `yaml:"extensions"`
		Receivers  map[string]struct {
			Protocols map[string]struct {
				Endpoint string `yaml:"endpoint"`
			} `yaml:"protocols"`
		} `yaml:"receivers"`
		Exporters map[string]map[string]any `yaml:"exporters"`
		Service   struct {
			Telemetry struct {
				Metrics struct {
					Readers []struct {
						Pull struct {
							Exporter struct {
								Prometheus struct {
									Port string `yaml:"port"`
								} `yaml:"prometheus"`
							} `yaml:"exporter"`
						} `yaml:"pull"`
					} `yaml:"readers"`
				} `yaml:"metrics"`
			} `yaml:"telemetry"`
		} `yaml:"service"`
	}
	if err := yaml.Unmarshal(config, &cfg); err != nil {
		t.Fatal(err)
	}
	portOf := func(endpoint string) int {
		_, p, err := net.SplitHostPort(resolve(endpoint, v))
		if err != nil {
			t.Fatalf("endpoint %q: %v", endpoint, err)
		}
		n, _ := strconv.Atoi(p)
		return n
	}
	for _, r := range cfg.Receivers {
		for _, p := range r.Protocols {
			all = append(all, portOf(p.Endpoint))
		}
	}
	if hc, ok := cfg.Extensions["health_check"].(map[string]any); ok {
		health = portOf(hc["endpoint"].(string))
	}
	if pe, ok := cfg.Exporters["prometheus"]; ok {
		all = append(all, portOf(pe["endpoint"].(string)))
	}
	for _, r := range cfg.Service.Telemetry.Metrics.Readers {
		if p := resolve(r.Pull.Exporter.Prometheus.Port, v); p != "" {
			n, _ := strconv.Atoi(p)
			all = append(all, n)
		}
	}
	slices.Sort(all)
	return all, health
}

func checkCommon(t *testing.T, name string, v *values, config []byte) {
	t.Helper()
	if v.Command.Name != "tailwise" || v.ConfigMap.Create || v.ConfigMap.ExistingName == "" {
		t.Errorf("%s: must run tailwise on the configuration mounted from an existing ConfigMap", name)
	}
	ports, health := listeningPorts(t, config, v)
	if got := v.enabledPorts(); !slices.Equal(got, ports) {
		t.Errorf("%s: enabled container ports %v, the configuration listens on %v", name, got, ports)
	}
	probes := []probe{v.LivenessProbe, v.ReadinessProbe}
	if v.StartupProbe != nil {
		probes = append(probes, *v.StartupProbe)
	}
	for _, p := range probes {
		if p.HTTPGet.Port != health || p.HTTPGet.Path != "/" {
			t.Errorf("%s: probe on %d%s, the health check listens on %d/", name, p.HTTPGet.Port, p.HTTPGet.Path, health)
		}
	}
	for _, m := range envRef.FindAllStringSubmatch(string(config), -1) {
		if m[2] == "" {
			if _, ok := v.env(m[1]); !ok {
				t.Errorf("%s: the configuration needs %s, which extraEnvs does not set", name, m[1])
			}
		}
	}
	for _, e := range v.ExtraEnvs {
		if !strings.HasSuffix(e.Name, "_FILE") && !strings.HasSuffix(e.Name, "_DIR") {
			continue
		}
		mounted := slices.ContainsFunc(v.ExtraVolumeMounts, func(m mount) bool {
			return e.Value == m.MountPath || strings.HasPrefix(e.Value, m.MountPath+"/")
		})
		if !mounted {
			t.Errorf("%s: %s=%s is on no mounted volume", name, e.Name, e.Value)
		}
	}
	if !v.Autoscaling.Enabled || v.Autoscaling.MinReplicas < 2 {
		t.Errorf("%s: autoscaling must be on with at least 2 replicas", name)
	}
	pdb := v.PodDisruptionBudget
	switch {
	case !pdb.Enabled:
		t.Errorf("%s: no PodDisruptionBudget", name)
	case pdb.MinAvailable != nil && *pdb.MinAvailable >= v.Autoscaling.MinReplicas,
		pdb.MaxUnavailable != nil && *pdb.MaxUnavailable < 1:
		t.Errorf("%s: the PodDisruptionBudget blocks every voluntary disruption", name)
	}
}

func TestHelmValuesMatchTheConfigurations(t *testing.T) {
	var gw, lb values
	load(t, "configs/kubernetes/gateway-values.yaml", &gw)
	load(t, "configs/kubernetes/loadbalancer-values.yaml", &lb)
	gwConfig := load(t, "configs/gateway.yaml", &map[string]any{})
	lbConfig := load(t, "configs/loadbalancer.yaml", &map[string]any{})
	checkCommon(t, "gateway", &gw, gwConfig)
	checkCommon(t, "load balancer", &lb, lbConfig)

	if gw.StartupProbe == nil || gw.StartupProbe.window() < walReplayWindow {
		t.Errorf("gateway: a startup probe must allow %v for the write-ahead logs' replay after a crash, or the liveness probe kills the gateway while it replays", walReplayWindow)
	}
	if gw.Service.ClusterIP != "None" {
		t.Error("gateway: the service must be headless so that every pod is resolvable")
	}
	var resolver struct {
		K8s struct {
			Service string `yaml:"service"`
			Ports   []int  `yaml:"ports"`
		} `yaml:"k8s"`
	}
	raw, _ := lb.env("TAILWISE_GATEWAY_RESOLVER")
	if err := yaml.Unmarshal([]byte(raw), &resolver); err != nil {
		t.Fatalf("TAILWISE_GATEWAY_RESOLVER %q: %v", raw, err)
	}
	if svc, _, _ := strings.Cut(resolver.K8s.Service, "."); svc != gw.FullnameOverride {
		t.Errorf("load balancer resolves service %q, the gateways' service is %q", resolver.K8s.Service, gw.FullnameOverride)
	}
	if !slices.Equal(resolver.K8s.Ports, []int{gw.Ports["otlp"].ContainerPort}) {
		t.Errorf("load balancer sends to ports %v, the gateways' OTLP/gRPC port is %d", resolver.K8s.Ports, gw.Ports["otlp"].ContainerPort)
	}
	watches := slices.ContainsFunc(lb.ClusterRole.Rules, func(r rule) bool {
		return slices.Contains(r.APIGroups, "discovery.k8s.io") && slices.Contains(r.Resources, "endpointslices") &&
			slices.Contains(r.Verbs, "get") && slices.Contains(r.Verbs, "list") && slices.Contains(r.Verbs, "watch")
	})
	if !lb.ClusterRole.Create || !watches {
		t.Error("load balancer: the k8s resolver needs get, list and watch on discovery.k8s.io endpointslices")
	}
	lbCredentials, _ := lb.env("TAILWISE_TENANT_CREDENTIALS_FILE")
	gwCredentials, _ := gw.env("TAILWISE_TENANT_CREDENTIALS_FILE")
	if lbCredentials == "" || lbCredentials != gwCredentials {
		t.Errorf("the load balancer checks credentials from %q, the gateways from %q: both tiers need the same file", lbCredentials, gwCredentials)
	}
	fleet, _ := gw.env("TAILWISE_FLEET")
	if want := resolver.K8s.Service + ".svc.cluster.local"; !strings.Contains(fleet, "hostname: "+want) {
		t.Errorf("gateways count their fleet from %q; want the DNS name of the service the load balancer resolves, %s", fleet, want)
	}
}
