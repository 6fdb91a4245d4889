package dev.winch.bench;

import java.nio.charset.StandardCharsets;

/**
 * The load: the seed 001 Docker Hub push sample (local/src/test/resources/payloads/dockerhub-seed001.json), one
 * repository per connection so the records spread over the partitions as real pushes of many images do (the
 * gateway keys image-pushed events by repository), with {@code repository.description} padded so every body has
 * exactly the requested size.
 */
public final class DockerHubPush {

    /** The sample with an empty description and a long repository name is below this. */
    public static final int MIN_BYTES = 900;

    private static final String SAMPLE = """
            {
                "push_data": {
                    "pushed_at": 1552553567,
                    "images": [],
                    "tag": "latest",
                    "pusher": "hongxiaolu"
                },
                "callback_url": "",
                "repository": {
                    "status": "Active",
                    "description": "%s",
                    "is_trusted": true,
                    "full_description": "# iperf3\\niperf3\\n",
                    "repo_url": "",
                    "owner": "hongxiaolu",
                    "is_official": false,
                    "is_private": false,
                    "name": "%s",
                    "namespace": "hongxiaolu",
                    "star_count": 0,
                    "comment_count": 0,
                    "date_created": 1540013520,
                    "dockerfile": "# ",
                    "repo_name": "hongxiaolu/%s"
                }
            }
            """;

    private DockerHubPush() {
    }

    /** The sample as Docker Hub sends it for a push of {@code hongxiaolu/<name>:<tag>}. */
    public static String push(String name, String tag) {
        return SAMPLE.formatted("iperf3", name, name).replace("\"tag\": \"latest\"", "\"tag\": \"" + tag + "\"");
    }

    /** The repository pushed by connection {@code connection}; the record key on both servers. */
    public static String repository(int connection) {
        return "hongxiaolu/" + name(connection);
    }

    /** The body connection {@code connection} sends, exactly {@code bytes} long (ASCII). */
    public static byte[] body(int connection, int bytes) {
        String name = name(connection);
        int unpadded = SAMPLE.formatted("", name, name).getBytes(StandardCharsets.UTF_8).length;
        if (unpadded > bytes) {
            throw new IllegalArgumentException("a Docker Hub push body needs at least " + unpadded + " bytes");
        }
        String description = "iperf3 " + "x".repeat(Math.max(0, bytes - unpadded - 7));
        byte[] body = SAMPLE.formatted(description.substring(0, bytes - unpadded), name, name)
                .getBytes(StandardCharsets.UTF_8);
        if (body.length != bytes) {
            throw new IllegalStateException("body is " + body.length + " bytes, wanted " + bytes);
        }
        return body;
    }

    private static String name(int connection) {
        return "iperf3-" + connection;
    }
}
