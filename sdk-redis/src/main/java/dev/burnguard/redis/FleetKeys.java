package dev.burnguard.redis;

import java.util.Objects;

/**
 * The key schema of one service's fleet in Redis. Every key starts with
 * {@code burnguard:{service}:}; the braces are a Redis Cluster hash tag, so all of a service's keys
 * live in one slot and the Lua scripts that touch several of them run on one node.
 *
 * <pre>
 * burnguard:{svc}:flags                       set: flags with a state
 * burnguard:{svc}:state:&lt;flag&gt;                hash: version, state (JSON)
 * burnguard:{svc}:decisions:&lt;flag&gt;            stream, capped: version, decision (JSON with evidence)
 * burnguard:{svc}:changes                     pub/sub channel: "&lt;flag&gt;@&lt;version&gt;" per change
 * burnguard:{svc}:leader                      string: the decider's id, with a PX lease
 * burnguard:{svc}:replicas                    hash: replica id -&gt; last push (epoch ms), for dashboards
 * burnguard:{svc}:push:&lt;replica&gt;              string: the replica's last applied push sequence
 * burnguard:{svc}:series                      set: the 10-s ring key of every series pushed
 * burnguard:{svc}:evidence                    string: the guardian's sequential evidence (the decider's), as evidence.tsv
 * burnguard:{svc}:budget:&lt;slo key&gt;            hash: a journey SLO's fleet-wide counts, "&lt;hour&gt;:c" / "&lt;hour&gt;:b"
 * burnguard:{svc}:budget-push:&lt;replica&gt;       string: the replica's last applied budget push sequence
 * burnguard:{svc}:sums                        string: the decider's last read of the rings' recent slots, for
 *                                             the followers (expires a few ticks after the decider stops)
 * burnguard:{svc}:sli:&lt;r&gt;:&lt;n&gt;:&lt;flag&gt;:&lt;variant&gt; hash ring of resolution r (0..3); n = flag length
 * </pre>
 *
 * No targeting key, attribute or other user data appears in a key or a value: only flag keys,
 * variant names, counts, states and decisions.
 */
final class FleetKeys {
  /** Resolutions of the SLI rings, as in the local recorder: bucket width in seconds. */
  static final long[] WIDTHS = {10, 60, 600, 3600};

  private final String service;
  private final String prefix;

  FleetKeys(String service) {
    this.service = validService(service);
    this.prefix = "burnguard:{" + service + "}:";
  }

  static String validService(String service) {
    Objects.requireNonNull(service, "service");
    if (service.isEmpty() || service.length() > 200 || service.indexOf('{') >= 0 || service.indexOf('}') >= 0
        || service.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("service must be 1 to 200 printable ASCII characters without spaces, '{' "
          + "or '}' (it becomes the Redis Cluster hash tag of burnguard:{service}:...), got \"" + service + "\"");
    }
    return service;
  }

  String service() {
    return service;
  }

  String prefix() {
    return prefix;
  }

  String flags() {
    return prefix + "flags";
  }

  String state(String flagKey) {
    return prefix + "state:" + flagKey;
  }

  String decisions(String flagKey) {
    return prefix + "decisions:" + flagKey;
  }

  String changes() {
    return prefix + "changes";
  }

  String leader() {
    return prefix + "leader";
  }

  String replicas() {
    return prefix + "replicas";
  }

  String evidence() {
    return prefix + "evidence";
  }

  /** A journey SLO's fleet-wide hourly counts; {@code sloKey} is its name, journey and what makes a call bad. */
  String budget(String sloKey) {
    return prefix + "budget:" + sloKey;
  }

  String budgetSequence(String replica) {
    return prefix + "budget-push:" + replica;
  }

  String sums() {
    return prefix + "sums";
  }

  String series() {
    return prefix + "series";
  }

  String pushSequence(String replica) {
    return prefix + "push:" + replica;
  }

  /** The ring of resolution {@code r} of one series; the flag's length keeps flag and variant apart. */
  String ring(int r, String flagKey, String variant) {
    return prefix + "sli:" + r + ":" + flagKey.length() + ":" + flagKey + ":" + variant;
  }
}
