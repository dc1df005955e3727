package dev.oauthgw.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;

import dev.oauthgw.prod.ProdSettings;
import dev.oauthgw.testing.DeployManifestsTier;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;

/**
 * The Kubernetes deployment (deploy/kubernetes): the base and every overlay render with {@code kubectl kustomize},
 * every rendered document parses strictly into the fabric8 model, and what the guide promises holds: probes on the
 * management port, limits, the pod security settings, every prod setting provided (secrets by secretKeyRef only),
 * the alert rules the same as deploy/prometheus/alerts.yml. Needs kubectl: the build installs Debian's
 * kubernetes-client where it may (src/test/tools/ensure-debian-tools.sh, as root with apt-get); without kubectl on
 * the PATH every test here is skipped with the reason, and bash .ci/run fails a run in which they were.
 */
@DeployManifestsTier
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeployManifestsTest {

    static final Path KUBERNETES = Path.of("deploy", "kubernetes");
    static final String SECRET = "pax8-oauth-gateway-secrets";
    static final String GATEWAY = "pax8-oauth-gateway";
    static final Set<String> TARGETS = Set.of("base", "overlays/dev", "overlays/prod");

    private final Map<String, List<HasMetadata>> rendered = new LinkedHashMap<>();

    /** kubectl from the PATH, null when it is not there. */
    private final String kubectl = kubectlOnPath();

    @BeforeAll
    void render() throws Exception {
        if (kubectl == null) {
            return; // each test is skipped, saying why (a skip in here would report no test at all)
        }
        for (String target : new TreeSet<>(TARGETS)) {
            String yaml = run(kubectl, "kustomize", KUBERNETES.resolve(target).toString());
            List<HasMetadata> resources = new ArrayList<>();
            for (JsonNode doc : KubernetesModel.documents(yaml)) {
                resources.add(KubernetesModel.parse(doc, target));
            }
            assertFalse(resources.isEmpty(), target + " rendered nothing");
            rendered.put(target, resources);
        }
    }

    @Test
    void everyOverlayIsCheckedAndRenders() throws IOException {
        try (var dirs = Files.list(KUBERNETES.resolve("overlays"))) {
            Set<String> overlays = dirs.filter(Files::isDirectory).map(d -> "overlays/" + d.getFileName())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(Set.of("overlays/dev", "overlays/prod"), overlays, "an overlay this test does not render");
        }
        assertEquals(TARGETS, rendered.keySet());
    }

    @Test
    void everyContainerHasProbesLimitsAndTheSecurityContext() {
        rendered.forEach((target, resources) -> {
            for (HasMetadata r : resources) {
                PodSpec pod = podSpec(r);
                if (pod == null) {
                    continue;
                }
                String where = target + " " + r.getKind() + " " + r.getMetadata().getName();
                PodSecurityContext psc = pod.getSecurityContext();
                assertNotNull(psc, where + ": pod securityContext");
                assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), where + ": automountServiceAccountToken");
                assertNotNull(pod.getTerminationGracePeriodSeconds(), where + ": terminationGracePeriodSeconds");
                for (Container c : pod.getContainers()) {
                    String cw = where + " container " + c.getName();
                    for (Probe p : new Probe[] { c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe() }) {
                        assertNotNull(p, cw + ": startup, readiness and liveness probes");
                    }
                    assertNotNull(c.getResources(), cw + ": resources");
                    for (String res : List.of("cpu", "memory")) {
                        assertNotNull(c.getResources().getRequests().get(res), cw + ": request " + res);
                        assertNotNull(c.getResources().getLimits().get(res), cw + ": limit " + res);
                    }
                    SecurityContext sc = c.getSecurityContext();
                    assertNotNull(sc, cw + ": securityContext");
                    assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), cw + ": allowPrivilegeEscalation");
                    assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), cw + ": readOnlyRootFilesystem");
                    assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), cw + ": capabilities drop ALL");
                    assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(), cw + ": no capability added");
                    assertEquals(Boolean.TRUE, Objects.requireNonNullElse(sc.getRunAsNonRoot(), psc.getRunAsNonRoot()), cw + ": runAsNonRoot");
                    String seccomp = sc.getSeccompProfile() != null ? sc.getSeccompProfile().getType()
                            : psc.getSeccompProfile() == null ? null : psc.getSeccompProfile().getType();
                    assertEquals("RuntimeDefault", seccomp, cw + ": seccompProfile");
                    // a read-only root file system: /tmp is an emptyDir
                    String tmp = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).map(m -> m.getName())
                            .findFirst().orElseThrow(() -> new AssertionError(cw + ": no writable /tmp"));
                    Volume v = pod.getVolumes().stream().filter(vol -> vol.getName().equals(tmp)).findFirst().orElseThrow();
                    assertNotNull(v.getEmptyDir(), cw + ": /tmp is an emptyDir");
                }
            }
        });
    }

    @Test
    void theGatewayRollsWithoutLosingAReplicaAndProbesTheManagementPort() {
        Map<String, Integer> replicas = Map.of("base", 2, "overlays/dev", 2, "overlays/prod", 3);
        rendered.forEach((target, resources) -> {
            Deployment d = the(resources, Deployment.class, GATEWAY);
            assertEquals(replicas.get(target), d.getSpec().getReplicas(), target + ": replicas");
            assertEquals("RollingUpdate", d.getSpec().getStrategy().getType());
            assertEquals(0, d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal(), target + ": maxUnavailable");
            assertEquals(1, d.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal(), target + ": maxSurge");
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertEquals(185L, pod.getSecurityContext().getRunAsUser(), target + ": the image's uid");
            assertTrue(pod.getTopologySpreadConstraints().size() >= 1, target + ": topologySpreadConstraints");
            Container c = gateway(d);
            assertTrue(c.getImage().contains("/") && c.getImage().contains(":"), target + ": image set in kustomization: " + c.getImage());
            Map<String, Integer> ports = c.getPorts().stream().collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
            assertEquals(Map.of("http", 8080, "management", 9000), ports, target + ": container ports");
            Map<String, Probe> probes = Map.of("/q/health/started", c.getStartupProbe(), "/q/health/ready", c.getReadinessProbe(),
                    "/q/health/live", c.getLivenessProbe());
            probes.forEach((path, probe) -> {
                HTTPGetAction get = probe.getHttpGet();
                assertNotNull(get, target + ": " + path + " is an HTTP probe");
                assertEquals(path, get.getPath(), target);
                assertTrue("management".equals(get.getPort().getStrVal()) || Integer.valueOf(9000).equals(get.getPort().getIntVal()),
                        target + ": " + path + " on the management port");
            });
            // the grace period covers Quarkus' shutdown timeout
            assertTrue(pod.getTerminationGracePeriodSeconds() > 20, target + ": terminationGracePeriodSeconds");
        });
        TopologySpreadConstraint node = the(rendered.get("overlays/prod"), Deployment.class, GATEWAY).getSpec().getTemplate().getSpec()
                .getTopologySpreadConstraints().stream().filter(t -> t.getTopologyKey().equals("kubernetes.io/hostname"))
                .reduce((a, b) -> fail("prod: two node spread constraints")).orElseThrow();
        assertEquals("DoNotSchedule", node.getWhenUnsatisfiable(), "prod: replicas on distinct nodes");
    }

    @Test
    void everyProdSettingIsProvidedAndSecretsOnlyByReference() throws IOException {
        Set<String> secretKeys = new TreeSet<>();
        rendered.forEach((target, resources) -> {
            assertTrue(resources.stream().noneMatch(r -> r.getKind().equals("Secret")), target + ": a Secret rendered (values committed?)");
            Deployment d = the(resources, Deployment.class, GATEWAY);
            Container c = gateway(d);
            Set<String> provided = new TreeSet<>();
            for (EnvVar e : c.getEnv()) {
                assertTrue(provided.add(e.getName()), target + ": " + e.getName() + " twice");
                if (ProdSettings.isSecret(e.getName()) || e.getName().contains("SECRET") || e.getName().contains("PASSWORD")) {
                    assertTrue(e.getValue() == null, target + ": " + e.getName() + " has a value in the manifest");
                    SecretKeySelector ref = e.getValueFrom() == null ? null : e.getValueFrom().getSecretKeyRef();
                    assertNotNull(ref, target + ": " + e.getName() + " must come from a secretKeyRef");
                    assertEquals(SECRET, ref.getName(), target + ": " + e.getName());
                    assertEquals(e.getName(), ref.getKey(), target + ": the key is the variable's name");
                    if (ProdSettings.isSecret(e.getName())) {
                        assertTrue(ref.getOptional() == null || !ref.getOptional(), target + ": " + e.getName() + " is required, not optional");
                    }
                }
                if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                    assertEquals(SECRET, e.getValueFrom().getSecretKeyRef().getName(), target + ": " + e.getName());
                    secretKeys.add(e.getValueFrom().getSecretKeyRef().getKey());
                }
            }
            for (EnvFromSource from : c.getEnvFrom()) {
                assertNull(from.getSecretRef(), target + ": secrets by secretKeyRef, one by one");
                ConfigMap cm = the(resources, ConfigMap.class, from.getConfigMapRef().getName());
                for (String key : cm.getData().keySet()) {
                    assertFalse(ProdSettings.isSecret(key), target + ": the secret " + key + " in the ConfigMap");
                    provided.add(key);
                }
            }
            assertEquals(List.of(), ProdSettings.missing(provided), target + ": prod settings the gateway does not get");
            // https, or the prod profile refuses to start
            ConfigMap cm = the(resources, ConfigMap.class, c.getEnvFrom().get(0).getConfigMapRef().getName());
            for (String key : List.of("GATEWAY_ONBOARDING_PUBLIC_URL", "GATEWAY_JWT_PUBLIC_KEY_LOCATION")) {
                assertTrue(cm.getData().get(key).startsWith("https://"), target + ": " + key + " is https");
            }
        });
        // secret.example.yaml: exactly the keys the Deployment reads, not part of any kustomization
        Path example = KUBERNETES.resolve("base/secret.example.yaml");
        List<JsonNode> docs = KubernetesModel.documents(Files.readString(example));
        assertEquals(1, docs.size());
        io.fabric8.kubernetes.api.model.Secret secret = (io.fabric8.kubernetes.api.model.Secret) KubernetesModel.parse(docs.get(0), example.toString());
        assertEquals(SECRET, secret.getMetadata().getName());
        assertEquals(secretKeys, new TreeSet<>(secret.getStringData().keySet()), "secret.example.yaml's keys");
        secret.getStringData().forEach((k, v) -> assertTrue(v.contains("<"), "secret.example.yaml: " + k + " is not a <placeholder>"));
        for (String target : TARGETS) {
            JsonNode k = KubernetesModel.YAML.readTree(Files.readString(KUBERNETES.resolve(target).resolve("kustomization.yaml")));
            for (String field : List.of("resources", "bases", "patchesStrategicMerge")) {
                k.path(field).forEach(r -> assertFalse(r.asText().contains("secret"), target + " includes " + r.asText()));
            }
        }
    }

    @Test
    void servicesSplitThePublicAndTheManagementPort() {
        rendered.forEach((target, resources) -> {
            Service pub = the(resources, Service.class, GATEWAY);
            assertEquals(List.of(8080), pub.getSpec().getPorts().stream().map(ServicePort::getPort).toList(), target + ": public Service");
            Service mgmt = the(resources, Service.class, GATEWAY + "-management");
            assertEquals(List.of(9000), mgmt.getSpec().getPorts().stream().map(ServicePort::getPort).toList(), target + ": management Service");
            Ingress ingress = the(resources, Ingress.class, GATEWAY);
            assertFalse(ingress.getSpec().getTls().isEmpty(), target + ": Ingress with TLS");
            ingress.getSpec().getRules().forEach(rule -> {
                assertTrue(ingress.getSpec().getTls().get(0).getHosts().contains(rule.getHost()), target + ": TLS for " + rule.getHost());
                rule.getHttp().getPaths().forEach(p -> assertEquals(GATEWAY, p.getBackend().getService().getName(), target + ": Ingress to the public Service"));
            });
            ServiceMonitor sm = the(resources, ServiceMonitor.class, GATEWAY);
            assertEquals(mgmt.getMetadata().getLabels().entrySet().containsAll(sm.getSpec().getSelector().getMatchLabels().entrySet()), true,
                    target + ": the ServiceMonitor selects the management Service");
            assertFalse(pub.getMetadata().getLabels().entrySet().containsAll(sm.getSpec().getSelector().getMatchLabels().entrySet()),
                    target + ": the ServiceMonitor must not select the public Service");
            sm.getSpec().getEndpoints().forEach(e -> {
                assertEquals("management", e.getPort(), target);
                assertEquals("/q/metrics", e.getPath(), target);
            });
            PodDisruptionBudget pdb = the(resources, PodDisruptionBudget.class, GATEWAY);
            Deployment d = the(resources, Deployment.class, GATEWAY);
            assertEquals(d.getSpec().getSelector(), pdb.getSpec().getSelector(), target + ": PDB selects the gateway");
            assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal(), target + ": PDB");
        });
    }

    @Test
    void networkPolicyAdmitsTheIngressControllerAndMonitoringOnlyAndEgressIsListed() {
        rendered.forEach((target, resources) -> {
            NetworkPolicy np = the(resources, NetworkPolicy.class, GATEWAY);
            assertEquals(List.of("Ingress", "Egress"), np.getSpec().getPolicyTypes(), target);
            Map<Integer, String> fromNamespace = new HashMap<>();
            for (NetworkPolicyIngressRule rule : np.getSpec().getIngress()) {
                assertFalse(rule.getFrom() == null || rule.getFrom().isEmpty(), target + ": an ingress rule from everywhere");
                for (NetworkPolicyPort port : rule.getPorts()) {
                    for (NetworkPolicyPeer peer : rule.getFrom()) {
                        assertNotNull(peer.getNamespaceSelector(), target + ": ingress from a namespace");
                        String ns = peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name");
                        assertNull(fromNamespace.put(port.getPort().getIntVal(), ns), target + ": one namespace per port");
                    }
                }
            }
            assertEquals(Map.of(8080, "ingress-nginx", 9000, "monitoring"), fromNamespace, target + ": who reaches which port");
            Set<Integer> egressPorts = np.getSpec().getEgress().stream().flatMap(r -> r.getPorts().stream())
                    .map(p -> p.getPort().getIntVal()).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(Set.of(53, 443, 5432), egressPorts, target + ": egress: DNS, the provider over https, PostgreSQL");
        });
        // prod: PostgreSQL egress to the database's range only
        NetworkPolicy prod = the(rendered.get("overlays/prod"), NetworkPolicy.class, GATEWAY);
        assertTrue(prod.getSpec().getEgress().stream()
                .filter(r -> r.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == 5432))
                .allMatch(r -> r.getTo() != null && !r.getTo().isEmpty() && r.getTo().stream().allMatch(t -> t.getIpBlock() != null)),
                "prod: PostgreSQL egress narrowed to an address range");
    }

    @Test
    void overlays() {
        List<HasMetadata> dev = rendered.get("overlays/dev");
        StatefulSet pg = the(dev, StatefulSet.class, GATEWAY + "-postgres");
        the(dev, Service.class, GATEWAY + "-postgres");
        the(dev, NetworkPolicy.class, GATEWAY + "-postgres");
        Container pgc = pg.getSpec().getTemplate().getSpec().getContainers().get(0);
        for (EnvVar e : pgc.getEnv()) {
            if (e.getName().equals("POSTGRES_PASSWORD")) {
                assertEquals(SECRET, e.getValueFrom().getSecretKeyRef().getName(), "dev: the database password from the Secret");
            }
        }
        List<HasMetadata> prod = rendered.get("overlays/prod");
        assertTrue(prod.stream().noneMatch(r -> r instanceof StatefulSet), "prod: an external PostgreSQL, none in the cluster");
        HorizontalPodAutoscaler hpa = the(prod, HorizontalPodAutoscaler.class, GATEWAY);
        assertEquals(GATEWAY, hpa.getSpec().getScaleTargetRef().getName());
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals(3, hpa.getSpec().getMinReplicas(), "prod: HPA never below 3");
        assertTrue(hpa.getSpec().getMaxReplicas() > 3);
        assertEquals("cpu", hpa.getSpec().getMetrics().get(0).getResource().getName(), "prod: HPA on CPU");
        for (String overlay : List.of("overlays/dev", "overlays/prod")) {
            rendered.get(overlay).forEach(r -> assertNotNull(r.getMetadata().getNamespace(), overlay + ": " + r.getKind() + " without a namespace"));
        }
    }

    @Test
    void thePrometheusRuleIsAlertsYml() throws IOException {
        JsonNode alerts = KubernetesModel.YAML.readTree(Files.readString(Path.of("deploy", "prometheus", "alerts.yml")));
        JsonNode rule = KubernetesModel.documents(Files.readString(KUBERNETES.resolve("base/prometheusrule.yaml"))).get(0);
        assertEquals(alerts.get("groups"), rule.path("spec").get("groups"),
                "base/prometheusrule.yaml must carry deploy/prometheus/alerts.yml's groups unchanged");
        rendered.forEach((target, resources) -> {
            PrometheusRule pr = the(resources, PrometheusRule.class, GATEWAY);
            List<String> names = pr.getSpec().getGroups().stream().flatMap(g -> g.getRules().stream()).map(r -> r.getAlert()).toList();
            List<String> expected = new ArrayList<>();
            alerts.get("groups").forEach(g -> g.get("rules").forEach(r -> expected.add(r.get("alert").asText())));
            assertEquals(expected, names, target + ": the alerts");
        });
    }

    @Test
    void theReadmeTableAgreesWithTheRequiredSettings() throws IOException {
        List<String> rows = readmeConfigurationRows();
        Set<String> named = new TreeSet<>();
        Pattern var = Pattern.compile("`((?:GATEWAY|QUARKUS)_[A-Z0-9_<>]+)`");
        for (String row : rows) {
            Matcher m = var.matcher(row.split("\\|")[1]);
            List<String> inRow = new ArrayList<>();
            while (m.find()) {
                inRow.add(m.group(1));
            }
            named.addAll(inRow);
            String meaning = row.split("\\|")[2];
            // a row that says "required" (not "required with ...", not a default) names required settings only
            if (meaning.matches(".*\\brequired\\b.*") && !meaning.contains("required with") && !meaning.contains("default")
                    && !meaning.contains("at least one required")) {
                for (String v : inRow) {
                    assertTrue(ProdSettings.REQUIRED.contains(v), "README says " + v + " is required; ProdSettings.REQUIRED lacks it");
                }
            }
        }
        for (String v : ProdSettings.REQUIRED) {
            assertTrue(named.contains(v), "README's Configuration table does not name the required " + v);
        }
        assertTrue(named.contains("GATEWAY_OPS_USERS_<NAME>_PASSWORD_HASH"), "README: the dashboard accounts");
    }

    static List<String> readmeConfigurationRows() throws IOException {
        List<String> rows = new ArrayList<>();
        boolean in = false;
        for (String line : Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) {
                in = line.equals("## Configuration");
            } else if (in && line.startsWith("| `")) {
                rows.add(line.replace("\\|", "/"));
            }
        }
        assertFalse(rows.isEmpty(), "README: no Configuration table");
        return rows;
    }

    private static void assertNull(Object o, String message) {
        assertTrue(o == null, message);
    }

    private static PodSpec podSpec(HasMetadata r) {
        if (r instanceof Deployment d) {
            return d.getSpec().getTemplate().getSpec();
        }
        if (r instanceof StatefulSet s) {
            return s.getSpec().getTemplate().getSpec();
        }
        return null;
    }

    private static Container gateway(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> c.getName().equals("gateway")).findFirst()
                .orElseThrow(() -> new AssertionError("no container gateway"));
    }

    private static <T extends HasMetadata> T the(List<HasMetadata> resources, Class<T> type, String name) {
        List<T> found = resources.stream().filter(type::isInstance).map(type::cast).filter(r -> r.getMetadata().getName().equals(name)).toList();
        assertEquals(1, found.size(), "one " + type.getSimpleName() + " " + name);
        return found.get(0);
    }

    /** What the tests say when they are skipped for want of kubectl. */
    static final String NO_KUBECTL = "kubectl is not on the PATH, so the Kubernetes manifests cannot be rendered: "
            + "install Debian's kubernetes-client (sudo apt-get install -y kubernetes-client; the build does it itself "
            + "when it runs as root with apt-get, and bash .ci/run refuses a run without these tests), or leave this tier "
            + "out with -DexcludedGroups=deploy";

    @BeforeEach
    void needsKubectl() {
        Assumptions.assumeTrue(kubectl != null, NO_KUBECTL);
    }

    /** kubectl from the PATH, or null: then every test is skipped with {@link #NO_KUBECTL}. */
    static String kubectlOnPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path k = Path.of(dir, "kubectl");
            if (Files.isExecutable(k)) {
                return k.toString();
            }
        }
        return null;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Path err = Files.createTempFile("kubectl", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed:\n" + Files.readString(err));
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
