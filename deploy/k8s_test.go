package deploy_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/reportgen/reportgen/templates"
)

// objects is every object of a set of manifests, decoded strictly into
// its k8s.io/api type.
type objects struct {
	deployments []*appsv1.Deployment
	services    []*corev1.Service
	pdbs        []*policyv1.PodDisruptionBudget
	hpas        []*autoscalingv2.HorizontalPodAutoscaler
	secrets     []*corev1.Secret
	configMaps  []*corev1.ConfigMap
	jobs        []*batchv1.Job
	pvcs        []*corev1.PersistentVolumeClaim
	accounts    []*corev1.ServiceAccount
}

// decode reads a multi-document YAML stream strictly: an unknown or
// duplicated field, a kind this project does not use, or a value of the
// wrong type fails the test, naming the source.
func (o *objects) decode(t *testing.T, source string, stream []byte) {
	t.Helper()
	for _, err := range o.decodeAll(source, stream) {
		t.Error(err)
	}
}

// decodeAll is decode's work: every problem of the stream, each naming
// the source and the document.
func (o *objects) decodeAll(source string, stream []byte) []error {
	var errs []error
	for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(stream), -1) {
		if strings.TrimSpace(regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAllString(doc, "")) == "" {
			continue
		}
		var head struct{ APIVersion, Kind string }
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			errs = append(errs, fmt.Errorf("%s document %d: %w", source, i, err))
			continue
		}
		doc := []byte(doc)
		bad := func(err error) { errs = append(errs, fmt.Errorf("%s document %d (%s): %w", source, i, head.Kind, err)) }
		switch head.APIVersion + " " + head.Kind {
		case "apps/v1 Deployment":
			o.deployments = appendStrict(o.deployments, doc, bad)
		case "v1 Service":
			o.services = appendStrict(o.services, doc, bad)
		case "policy/v1 PodDisruptionBudget":
			o.pdbs = appendStrict(o.pdbs, doc, bad)
		case "autoscaling/v2 HorizontalPodAutoscaler":
			o.hpas = appendStrict(o.hpas, doc, bad)
		case "v1 Secret":
			o.secrets = appendStrict(o.secrets, doc, bad)
		case "v1 ConfigMap":
			o.configMaps = appendStrict(o.configMaps, doc, bad)
		case "batch/v1 Job":
			o.jobs = appendStrict(o.jobs, doc, bad)
		case "v1 PersistentVolumeClaim":
			o.pvcs = appendStrict(o.pvcs, doc, bad)
		case "v1 ServiceAccount":
			o.accounts = appendStrict(o.accounts, doc, bad)
		default:
			errs = append(errs, fmt.Errorf("%s document %d: unexpected %s %s", source, i, head.APIVersion, head.Kind))
		}
	}
	return errs
}

// TestDecodeIsStrict: what the manifest tests lean on, decoding that
// refuses what kubectl would silently drop or reject.
func TestDecodeIsStrict(t *testing.T) {
	for _, tt := range []struct{ name, doc, says string }{
		{"unknown field", "apiVersion: v1\nkind: Service\nspec:\n  prots: []\n", "prots"},
		{"duplicated field", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: x\ndata:\n  a: y\n", "data"},
		{"wrong type", "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: two\n", "replicas"},
		{"kind not used", "apiVersion: v1\nkind: Pod\n", "unexpected v1 Pod"},
		{"not YAML", "apiVersion: [\n", "document 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			errs := (&objects{}).decodeAll("test.yaml", []byte("# a comment\n---\n"+tt.doc))
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.says) || !strings.Contains(errs[0].Error(), "test.yaml") {
				t.Errorf("errors %v, want one naming test.yaml and %q", errs, tt.says)
			}
		})
	}
	if errs := (&objects{}).decodeAll("ok.yaml", []byte("apiVersion: v1\nkind: Service\nspec:\n  ports: []\n")); len(errs) != 0 {
		t.Errorf("a valid Service: %v", errs)
	}
}

// appendStrict decodes doc strictly into a new T and appends it; an
// unknown or duplicated field or a wrong type goes to bad.
func appendStrict[T any](list []*T, doc []byte, bad func(error)) []*T {
	v := new(T)
	if err := yaml.UnmarshalStrict(doc, v); err != nil {
		bad(err)
	}
	return append(list, v)
}

// build runs kustomize (the library kubectl apply -k uses) on a
// kustomization folder and decodes what it makes.
func build(t *testing.T, dir string) *objects {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	res, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	y, err := res.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	o := &objects{}
	o.decode(t, "kustomize build "+dir, y)
	return o
}

// TestManifestFilesDecodeStrictly: every YAML file under deploy/k8s, as
// written, is made of k8s.io/api objects without unknown fields, and
// each kustomization lists every manifest beside it.
func TestManifestFilesDecodeStrictly(t *testing.T) {
	files, _ := filepath.Glob("k8s/*/*.yaml")
	if len(files) < 8 {
		t.Fatalf("only %d manifest files under deploy/k8s", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "kustomization.yaml" {
			var k struct {
				APIVersion         string `json:"apiVersion"`
				Kind               string `json:"kind"`
				Resources          []string
				Labels             []any
				Images             []any
				ConfigMapGenerator []any `json:"configMapGenerator"`
			}
			if err := yaml.UnmarshalStrict(b, &k); err != nil {
				t.Errorf("%s: %v", f, err)
			}
			// Every manifest beside it is a resource, but the verify Job,
			// which runs after the batch is complete.
			siblings, _ := filepath.Glob(filepath.Join(filepath.Dir(f), "*.yaml"))
			for _, s := range siblings {
				name := filepath.Base(s)
				if name != "kustomization.yaml" && name != "verify-job.yaml" && !slices.Contains(k.Resources, name) {
					t.Errorf("%s does not list %s", f, name)
				}
			}
			continue
		}
		(&objects{}).decode(t, f, b)
	}
}

// serveArg returns the value of --name=value in args.
func serveArg(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

func port(t *testing.T, addr string) int32 {
	t.Helper()
	var p int32
	if _, err := fmt.Sscanf(addr[strings.LastIndexByte(addr, ':')+1:], "%d", &p); err != nil {
		t.Fatalf("address %q has no port", addr)
	}
	return p
}

// checkSecurity: non-root as the image's user, no privilege escalation,
// read-only root, no capabilities, the runtime's seccomp profile, and
// requests and limits for CPU and memory.
func checkSecurity(t *testing.T, what string, pod corev1.PodSpec) {
	t.Helper()
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != 10001 ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: pod securityContext %+v", what, psc)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("%s: the service account token is mounted", what)
	}
	for _, c := range pod.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
			t.Errorf("%s %s: container securityContext %+v", what, c.Name, sc)
		}
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			req, lim := c.Resources.Requests[r], c.Resources.Limits[r]
			if req.IsZero() || lim.IsZero() || req.Cmp(lim) > 0 {
				t.Errorf("%s %s: %s request %v, limit %v", what, c.Name, r, req.String(), lim.String())
			}
		}
		if !strings.Contains(c.Image, ":") || strings.HasSuffix(c.Image, ":latest") {
			t.Errorf("%s %s: image %q has no pinned tag", what, c.Name, c.Image)
		}
	}
}

// TestServiceBase checks what kustomize builds from deploy/k8s/base.
func TestServiceBase(t *testing.T) {
	o := build(t, "k8s/base")
	if len(o.deployments) != 1 || len(o.services) != 1 || len(o.pdbs) != 1 || len(o.hpas) != 1 || len(o.secrets) != 2 || len(o.configMaps) != 1 {
		t.Fatalf("base: %d deployments, %d services, %d PDBs, %d HPAs, %d secrets, %d config maps",
			len(o.deployments), len(o.services), len(o.pdbs), len(o.hpas), len(o.secrets), len(o.configMaps))
	}
	d := o.deployments[0]
	pod := d.Spec.Template.Spec
	checkSecurity(t, "Deployment", pod)
	c := pod.Containers[0]
	if c.Image != "registry.example.org/reportgen:v0.1.0" {
		t.Errorf("image %q: the kustomization's images entry did not apply", c.Image)
	}
	if len(c.Args) == 0 || c.Args[0] != "serve" {
		t.Fatalf("args %v", c.Args)
	}

	// Native gRPC probes on grpc.health.v1, on the port --health-listen
	// serves (plaintext: the kubelet's probe cannot do TLS).
	healthPort := port(t, serveArg(c.Args, "health-listen"))
	for name, p := range map[string]*corev1.Probe{"startup": c.StartupProbe, "readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		if p == nil || p.GRPC == nil || p.GRPC.Port != healthPort {
			t.Errorf("%s probe %+v: want a gRPC probe on port %d", name, p, healthPort)
		}
	}
	if c.ReadinessProbe != nil && c.ReadinessProbe.GRPC != nil && (c.ReadinessProbe.GRPC.Service == nil || *c.ReadinessProbe.GRPC.Service != "reportgen.v1.ReportService") {
		t.Errorf("readiness probe asks about %v, want reportgen.v1.ReportService", c.ReadinessProbe.GRPC.Service)
	}

	// Graceful termination: the kubelet waits longer than --shutdown-grace,
	// and the liveness probe does not kill a draining pod sooner.
	grace, err := time.ParseDuration(serveArg(c.Args, "shutdown-grace"))
	if err != nil {
		t.Fatalf("--shutdown-grace: %v", err)
	}
	tgp := time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second
	if tgp <= grace || tgp > grace+15*time.Second {
		t.Errorf("terminationGracePeriodSeconds %v for --shutdown-grace %v: want a few seconds more", tgp, grace)
	}
	if lp := c.LivenessProbe; lp != nil && time.Duration(lp.PeriodSeconds*lp.FailureThreshold)*time.Second <= tgp {
		t.Errorf("liveness gives up after %d s, within the termination grace period %v", lp.PeriodSeconds*lp.FailureThreshold, tgp)
	}

	// Every listen flag has its container port; TLS and tokens come from
	// the Secrets, the templates from the ConfigMap.
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	for name, flag := range map[string]string{"grpc": "listen", "http": "http-listen", "health": "health-listen", "metrics": "metrics-listen"} {
		if ports[name] != port(t, serveArg(c.Args, flag)) {
			t.Errorf("container port %s %d does not match --%s %s", name, ports[name], flag, serveArg(c.Args, flag))
		}
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	secrets := map[string]*corev1.Secret{}
	for _, s := range o.secrets {
		secrets[s.Name] = s
	}
	fileFrom := func(flag, volume, key string) {
		t.Helper()
		v, ok := volumes[volume]
		if !ok || serveArg(c.Args, flag) != mounts[volume]+"/"+key {
			t.Errorf("--%s %s is not %s/%s of volume %s", flag, serveArg(c.Args, flag), mounts[volume], key, volume)
			return
		}
		if v.Secret != nil {
			if s := secrets[v.Secret.SecretName]; s == nil {
				t.Errorf("volume %s: no Secret %s", volume, v.Secret.SecretName)
			} else if _, ok := s.Data[key]; !ok {
				t.Errorf("Secret %s has no key %s", s.Name, key)
			}
		}
	}
	fileFrom("tls-cert", "tls", "tls.crt")
	fileFrom("tls-key", "tls", "tls.key")
	fileFrom("auth-token-file", "tokens", "tokens")
	if secrets["reportgen-tls"] == nil || secrets["reportgen-tls"].Type != corev1.SecretTypeTLS {
		t.Error("the TLS Secret is not of type kubernetes.io/tls")
	}
	cm := o.configMaps[0]
	if volumes["templates"].ConfigMap == nil || volumes["templates"].ConfigMap.Name != cm.Name || serveArg(c.Args, "templates") != mounts["templates"] {
		t.Errorf("--templates %s is not the ConfigMap %s", serveArg(c.Args, "templates"), cm.Name)
	}
	// The templates in the ConfigMap load as the server loads them.
	dir := t.TempDir()
	for name, src := range cm.Data {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := templates.Load(dir); err != nil {
		t.Errorf("the templates ConfigMap does not load: %v", err)
	} else if r.Len() <= 7 {
		t.Errorf("the ConfigMap adds no template (%d loaded)", r.Len())
	}

	// Headless Service over the pods; PDB and HPA on the Deployment.
	labels := d.Spec.Template.Labels
	svc := o.services[0]
	if svc.Spec.ClusterIP != corev1.ClusterIPNone || !selects(svc.Spec.Selector, labels) {
		t.Errorf("Service %s: clusterIP %q, selector %v", svc.Name, svc.Spec.ClusterIP, svc.Spec.Selector)
	}
	for _, p := range svc.Spec.Ports {
		if _, ok := ports[p.TargetPort.StrVal]; !ok {
			t.Errorf("Service port %s targets %q, not a container port", p.Name, p.TargetPort.String())
		}
	}
	pdb := o.pdbs[0]
	if pdb.Spec.Selector == nil || !selects(pdb.Spec.Selector.MatchLabels, labels) || pdb.Spec.MaxUnavailable == nil {
		t.Errorf("PDB %+v", pdb.Spec)
	}
	hpa := o.hpas[0]
	if hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != d.Name || hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 ||
		len(hpa.Spec.Metrics) != 1 || hpa.Spec.Metrics[0].Resource == nil || hpa.Spec.Metrics[0].Resource.Name != corev1.ResourceCPU {
		t.Errorf("HPA %+v", hpa.Spec)
	}
}

// TestBatchJob checks the Indexed Job of deploy/k8s/batch against the
// service base it renders through.
func TestBatchJob(t *testing.T) {
	o := build(t, "k8s/batch")
	base := build(t, "k8s/base")
	if len(o.jobs) != 1 || len(o.pvcs) != 1 {
		t.Fatalf("%d jobs, %d PVCs", len(o.jobs), len(o.pvcs))
	}
	j := o.jobs[0]
	pod := j.Spec.Template.Spec
	checkSecurity(t, "Job", pod)
	c := pod.Containers[0]
	if j.Spec.CompletionMode == nil || *j.Spec.CompletionMode != batchv1.IndexedCompletion || pod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("Job: completion mode %v, restart policy %v", j.Spec.CompletionMode, pod.RestartPolicy)
	}
	// One index per shard; the index comes from JOB_COMPLETION_INDEX.
	if want := fmt.Sprint(*j.Spec.Completions); c.Args[0] != "batch" || serveArg(c.Args, "shard-count") != want || serveArg(c.Args, "shard-index") != "" {
		t.Errorf("args %v: want batch --shard-count=%s and the index from the Job", c.Args, want)
	}
	if j.Spec.BackoffLimitPerIndex == nil || *j.Spec.BackoffLimitPerIndex < 1 {
		t.Error("a failed shard is not retried (backoffLimitPerIndex)")
	}
	// Through the headless Service of the base, with its CA and a token.
	svc := base.services[0]
	if want := fmt.Sprintf("dns:///%s:%d", svc.Name, svc.Spec.Ports[0].Port); serveArg(c.Args, "server") != want {
		t.Errorf("--server %s, want %s", serveArg(c.Args, "server"), want)
	}
	keys := map[string]bool{}
	for _, s := range base.secrets {
		for k := range s.Data {
			keys[s.Name+"/"+k] = true
		}
	}
	for _, v := range pod.Volumes {
		if v.Secret == nil {
			continue
		}
		for _, it := range v.Secret.Items {
			if !keys[v.Secret.SecretName+"/"+it.Key] {
				t.Errorf("volume %s: Secret %s of the base has no key %s", v.Name, v.Secret.SecretName, it.Key)
			}
		}
	}
	if serveArg(c.Args, "invalid-exit-code") != "0" {
		t.Error("a shard with invalid inputs would fail its pod and be retried for nothing")
	}

	// The verify Job reads the same input and output.
	b, err := os.ReadFile("k8s/batch/verify-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v := &objects{}
	v.decode(t, "verify-job.yaml", b)
	if len(v.jobs) != 1 {
		t.Fatal("verify-job.yaml holds no Job")
	}
	checkSecurity(t, "verify Job", v.jobs[0].Spec.Template.Spec)
	va := v.jobs[0].Spec.Template.Spec.Containers[0].Args
	if !bytes.Equal([]byte(strings.Join(va[:2], " ")), []byte("batch verify")) || serveArg(va, "in") != serveArg(c.Args, "in") || serveArg(va, "out") != serveArg(c.Args, "out") {
		t.Errorf("verify Job args %v do not match the batch Job's --in and --out", va)
	}
}

func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}
