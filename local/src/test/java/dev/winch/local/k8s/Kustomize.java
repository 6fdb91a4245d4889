package dev.winch.local.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Renders the kustomizations under {@code k8s/} the way an operator applies them, with {@code kubectl kustomize}:
 * what the tests check is what {@code kubectl apply -k} would send. No Java library renders kustomize, so the
 * tests need a kubectl: {@code WINCH_KUBECTL} names one, else the first on the {@code PATH}. Without one they fail
 * and say so (.ci/run installs Debian's kubernetes-client where none is found); they never skip.
 *
 * <p>The manifests use only what the kustomize of kubectl 1.14 and later understands (bases,
 * patchesStrategicMerge), so Debian's kubectl 1.20 renders them as a current one does.
 */
public final class Kustomize {

    /** The overlays an operator applies, under {@code k8s/overlays}. */
    public static final List<String> OVERLAYS = List.of("dev", "prod", "byo-kafka");
    /** Overlays whose Kafka is the Strimzi cluster of {@code k8s/strimzi}. */
    public static final List<String> STRIMZI_OVERLAYS = List.of("dev", "prod");
    /** Overlays with autoscaling, disruption budgets and monitoring ({@code k8s/production}). */
    public static final List<String> PRODUCTION_OVERLAYS = List.of("prod", "byo-kafka");

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Map<Path, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();

    private Kustomize() {
    }

    /** The repository's {@code k8s/} directory. */
    public static Path k8s() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("k8s"))) {
                return dir.resolve("k8s");
            }
        }
        throw new IllegalStateException("no k8s/ directory above " + Path.of("").toAbsolutePath());
    }

    /** The objects {@code kubectl kustomize k8s/overlays/<overlay>} renders. */
    public static List<JsonNode> overlay(String overlay) {
        return render(k8s().resolve("overlays").resolve(overlay));
    }

    /** The objects {@code kubectl kustomize <directory>} renders; each directory is rendered once per run. */
    public static List<JsonNode> render(Path directory) {
        return RENDERED.computeIfAbsent(directory.toAbsolutePath().normalize(), Kustomize::run);
    }

    private static List<JsonNode> run(Path directory) {
        String kubectl = kubectl();
        try {
            Path out = Files.createTempFile("kustomize", ".yaml");
            Path err = Files.createTempFile("kustomize", ".err");
            try {
                Process process = new ProcessBuilder(kubectl, "kustomize", directory.toString())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(kubectl + " kustomize " + directory + " did not finish in 60 s");
                }
                if (process.exitValue() != 0) {
                    throw new AssertionError(kubectl + " kustomize " + directory + " failed (exit " + process.exitValue()
                            + "): " + Files.readString(err, StandardCharsets.UTF_8).strip());
                }
                try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(out.toFile())) {
                    return values.readAll().stream().filter(d -> d != null && d.isObject()).toList();
                }
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("could not run " + kubectl + " kustomize " + directory + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while rendering " + directory, e);
        }
    }

    /** The kubectl to render with; an AssertionError naming what to install when there is none. */
    public static String kubectl() {
        String configured = System.getenv("WINCH_KUBECTL");
        if (configured != null && !configured.isBlank()) {
            if (!Files.isExecutable(Path.of(configured))) {
                throw new AssertionError("WINCH_KUBECTL=" + configured + " is not an executable file");
            }
            return configured;
        }
        Optional<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "kubectl"))
                .filter(Files::isExecutable)
                .findFirst();
        return onPath.map(Path::toString).orElseThrow(() -> new AssertionError(
                "kubectl not found on the PATH: the Kubernetes manifests are checked as `kubectl kustomize` renders"
                        + " them. Install it (Debian: apt-get install kubernetes-client; any kubectl 1.14 or later"
                        + " works) or set WINCH_KUBECTL to its path."));
    }
}
