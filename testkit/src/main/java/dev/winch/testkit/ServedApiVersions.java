package dev.winch.testkit;

import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the sandbox answer like an API server of a given Kubernetes version for the API groups it is told about.
 * The mock server alone serves every version of every group; a real one serves only some (e.g. 1.20 serves
 * {@code autoscaling/v1} and {@code v2beta2}, not {@code v2}).
 *
 * <p>For a group it controls: {@code GET /apis/<group>} answers the discovery document listing the served versions
 * (404 when none is served), any path under a version it does not serve answers 404, as a real API server does.
 * Everything else goes to the CRUD dispatcher. The served versions can be changed while it runs (a cluster
 * upgrade), and discovery of a group can be made to fail with 503.
 */
public final class ServedApiVersions {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final Map<String, List<String>> served = new ConcurrentHashMap<>();
  private final Map<String, Boolean> failingDiscovery = new ConcurrentHashMap<>();
  private final AtomicInteger discoveries = new AtomicInteger();

  /** Serves {@code versions} of {@code group}, preferred first, e.g. {@code serve("autoscaling", "v2", "v1")}. */
  public ServedApiVersions serve(String group, String... versions) {
    served.put(group, List.of(versions));
    return this;
  }

  /** While {@code failing}, {@code GET /apis/<group>} answers 503. */
  public ServedApiVersions failDiscovery(String group, boolean failing) {
    failingDiscovery.put(group, failing);
    return this;
  }

  /** Discovery requests of controlled groups answered so far, failed ones included. */
  public int discoveries() {
    return discoveries.get();
  }

  Dispatcher around(Dispatcher crud) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        MockResponse answer = answer(request);
        return answer != null ? answer : crud.dispatch(request);
      }

      @Override
      public void shutdown() {
        crud.shutdown();
      }
    };
  }

  /** The answer for a controlled group, or null to leave the request to the CRUD dispatcher. */
  private MockResponse answer(RecordedRequest request) {
    String path = request.getPath();
    int query = path.indexOf('?');
    String[] segments = (query < 0 ? path : path.substring(0, query)).split("/");
    // "", "apis", group[, version, ...]
    if (segments.length < 3 || !segments[1].equals("apis") || !served.containsKey(segments[2])) {
      return null;
    }
    String group = segments[2];
    List<String> versions = served.get(group);
    if (segments.length == 3) {
      discoveries.incrementAndGet();
      if (failingDiscovery.getOrDefault(group, false)) {
        return status(503, "ServiceUnavailable", "discovery of " + group + " is failing");
      }
      if (versions.isEmpty()) {
        return notFound(path);
      }
      List<GroupVersionForDiscovery> listed = versions.stream()
          .map(v -> new GroupVersionForDiscovery(group + "/" + v, v))
          .toList();
      return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
          .setBody(JSON.asJson(new APIGroupBuilder().withName(group).withVersions(listed)
              .withPreferredVersion(listed.get(0)).build()));
    }
    return versions.contains(segments[3]) ? null : notFound(path);
  }

  private static MockResponse notFound(String path) {
    return status(404, "NotFound", "the server could not find the requested resource (" + path + ")");
  }

  private static MockResponse status(int code, String reason, String message) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(JSON.asJson(new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason)
            .withMessage(message).build()));
  }
}
