/**
 * Container image names and which pushed tags a receiver takes, without I/O: {@link dev.winch.common.image.ImageReference}
 * (parse, normalize and compare references the way Docker and Kubernetes resolve them) and
 * {@link dev.winch.common.image.TagPolicy} (exact, semver, glob and regexp update policies). Shared by the gateway,
 * which validates receivers and filters pushes with them, and the upgrader, which decides per workload.
 */
package dev.winch.common.image;
