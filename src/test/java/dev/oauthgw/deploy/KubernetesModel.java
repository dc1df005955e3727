package dev.oauthgw.deploy;

import java.beans.IntrospectionException;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;

/**
 * Strict parsing of Kubernetes YAML into the fabric8 model: only the kinds the deployment uses (anything else is
 * an error), duplicate keys refused, and no field the model does not know (fabric8 keeps unknown fields in
 * additionalProperties instead of failing: every object in the tree is checked for them).
 */
final class KubernetesModel {

    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class));

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private KubernetesModel() {
    }

    /** The documents of a (multi-document) YAML text as trees; empty documents are skipped. */
    static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    /** One document as its fabric8 class, strictly (see the class comment). */
    static HasMetadata parse(JsonNode doc, String where) {
        String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        Class<? extends HasMetadata> type = KINDS.get(key);
        if (type == null) {
            throw new AssertionError(where + ": a kind the deployment does not use (or a wrong apiVersion): " + key);
        }
        HasMetadata resource;
        try {
            resource = YAML.treeToValue(doc, type);
        } catch (IOException | IllegalArgumentException e) {
            throw new AssertionError(where + ": " + key + " does not parse into " + type.getName() + ": " + e.getMessage(), e);
        }
        List<String> unknown = new ArrayList<>();
        unknownFields(resource, key + " " + resource.getMetadata().getName(), unknown, new IdentityHashMap<>());
        if (!unknown.isEmpty()) {
            throw new AssertionError(where + ": fields the Kubernetes model does not know: " + unknown);
        }
        return resource;
    }

    /** Collects, into {@code out}, the paths of fields that went to additionalProperties anywhere below {@code o}. */
    private static void unknownFields(Object o, String path, List<String> out, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + i++ + "]", out, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, out, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        try {
            for (PropertyDescriptor p : Introspector.getBeanInfo(o.getClass()).getPropertyDescriptors()) {
                if (p.getReadMethod() == null || p.getName().equals("class")) {
                    continue;
                }
                Object value = p.getReadMethod().invoke(o);
                if (p.getName().equals("additionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        extra.keySet().forEach(k -> out.add(path + "." + k));
                    }
                } else {
                    unknownFields(value, path + "." + p.getName(), out, seen);
                }
            }
        } catch (IntrospectionException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(path, e);
        }
    }
}
