/**
 * Kubernetes events to {@code winch.k8s.events}: a leader-elected watcher ({@link
 * dev.winch.notifier.events.watch.EventsWatcher}) that resumes from what the topic holds.
 *
 * <p>Where each decision lives: {@code PublishedLedger} (no I/O) says whether an event is new, from the resume
 * points and the published uids and resourceVersions; {@code TopicTail} reads them back from the topic;
 * {@code EventsWatch} lists, watches and publishes one event at a time for one namespace (or the cluster);
 * {@code EventsWatcher} runs fabric8's {@code LeaderElector} on a Lease and starts and stops the watches.
 *
 * <p>Why a plain list-then-watch and not an informer: an informer relists on its own schedule and hands every
 * object to its handler again, with no say in what was already published; a plain watch from a known
 * resourceVersion, and a list only where the watcher decides, keeps "published up to here" exact. Why catching up
 * by a list rather than a watch from the last published resourceVersion: such a watch works only while the API
 * server's watch cache still holds that resourceVersion, and stand-in servers replay everything on a new watch; a
 * list answers the same everywhere. The README section "Kubernetes events: the watcher" states the assumptions.
 */
package dev.winch.notifier.events.watch;
