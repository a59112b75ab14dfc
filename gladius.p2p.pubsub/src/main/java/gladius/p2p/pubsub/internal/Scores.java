package gladius.p2p.pubsub.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * Gossipsub v1.1's peer scores (docs/PUBSUB.md, "Scores"), kept by the router: per peer and topic,
 * P1 time in the mesh, P2 first deliveries, P3 mesh delivery deficit, P3b mesh failures, P4
 * invalid messages; per peer, P6 IP colocation and P7 behaviour penalties. Counters decay every
 * {@link Params#decayMillis} towards zero, and a peer's entry goes once all of them have, so a
 * peer that reconnects keeps its penalties while they last and a silent one costs nothing.
 *
 * <p>One change from the spec (docs/PUBSUB.md, **Changed**): a mesh peer's delivery deficit is
 * measured against the topic's own traffic here (it must bring at least {@code meshShare} of the
 * messages this node got in the topic), not against a fixed threshold set for an expected
 * message rate, so a quiet topic penalises nobody and a busy one needs no retuning.
 *
 * @param <P> a peer's identity
 */
final class Scores<P> {

    /**
     * The weights, caps and thresholds. Defaults: docs/PUBSUB.md, chosen in the simulator's attack runs.
     *
     * @param timeInMeshWeight P1, per second in the mesh, up to {@code timeInMeshCapSeconds}
     * @param timeInMeshCapSeconds P1's cap
     * @param firstDeliveryWeight P2, per message first delivered by the peer (decaying), up to {@code firstDeliveryCap}
     * @param firstDeliveryCap P2's cap
     * @param meshDeliveryWeight P3, times the deficit squared (negative)
     * @param meshShare P3: the share of the topic's traffic a mesh peer must bring
     * @param meshActivationMillis P3 applies to a peer this long in the mesh
     * @param meshMinTraffic P3 applies once the topic brought this node this many messages (decaying)
     * @param meshWindowMillis a copy from a mesh peer this soon after the first counts as brought
     * @param meshFailureWeight P3b, times the deficit squared a peer had when it left the mesh (decaying; negative)
     * @param invalidWeight P4, times the invalid messages squared (decaying; negative)
     * @param colocationWeight P6, times the surplus squared (negative)
     * @param colocationThreshold P6: peers of one IP beyond this many are a surplus
     * @param behaviourWeight P7, times the penalties squared (decaying; negative)
     * @param decay each counter's factor per decay interval
     * @param invalidDecay P4's and P7's factor (slower: a bad peer stays suspect)
     * @param decayMillis the decay interval
     * @param gossipThreshold below this, no IHAVE or IWANT to or from the peer
     * @param publishThreshold below this, no flood publishing to the peer
     * @param graylistThreshold below this, everything from the peer is dropped unread
     */
    record Params(double timeInMeshWeight, double timeInMeshCapSeconds, double firstDeliveryWeight, double firstDeliveryCap,
                  double meshDeliveryWeight, double meshShare, long meshActivationMillis, double meshMinTraffic,
                  long meshWindowMillis, double meshFailureWeight, double invalidWeight, double colocationWeight,
                  int colocationThreshold, double behaviourWeight, double decay, double invalidDecay, long decayMillis,
                  double gossipThreshold, double publishThreshold, double graylistThreshold) {

        static Params defaults() {
            return new Params(0.01, 100, 0.1, 50, -10, 0.05, 5_000, 20, 2_000, -10, -10, -10, 3, -5, 0.9, 0.999, 1_000,
                    -10, -50, -80);
        }
    }

    /** One peer's standing in one topic. */
    private static final class TopicStats {
        long meshSince = -1;
        double firstDeliveries;
        double meshDeliveries;
        double meshFailures;
        double invalid;
    }

    /** Disconnected peers whose standings are kept at most (their penalties decay over an hour or more). */
    static final int MAX_RETAINED = 10_000;

    /** One peer's standing. */
    private static final class PeerStats {
        final Map<String, TopicStats> topics = new HashMap<>();
        double behaviour;
        boolean connected = true;
    }

    private final Params params;
    private final Function<P, String> ipOf;
    /** Every peer's standing, connected ones and those whose penalties are still decaying, in order of their last disconnection. */
    private final Map<P, PeerStats> peers = new java.util.LinkedHashMap<>();
    /** Entries of disconnected peers, of {@link #peers}. */
    private int retained;
    /** Per topic, the messages this node got first (decaying): what a mesh peer's deliveries are measured against. */
    private final Map<String, Double> traffic = new HashMap<>();
    /** Per IP, the connected peers there. */
    private final Map<String, Integer> perIp = new HashMap<>();
    /** The connected peers counted in {@link #perIp}. */
    private final Set<P> ipCounted = new HashSet<>();
    /** Whether a mesh peer is lazy in a topic (this node choked it): it owes no deliveries then. */
    private final BiPredicate<P, String> lazy;

    Scores(Params params, Function<P, String> ipOf, BiPredicate<P, String> lazy) {
        this.params = params;
        this.ipOf = ipOf;
        this.lazy = lazy;
    }

    Params params() {
        return params;
    }

    // ------------------------------------------------------------------ events

    void connected(P peer) {
        PeerStats stats = peers.computeIfAbsent(peer, p -> new PeerStats());
        if (!stats.connected) {
            retained--; // back while its penalties still count: they stay
        }
        stats.connected = true;
        if (ipCounted.add(peer)) {
            ip(peer).ifPresent(ip -> perIp.merge(ip, 1, Integer::sum));
        }
    }

    void disconnected(P peer, long now) {
        PeerStats stats = peers.get(peer);
        if (stats == null) {
            return;
        }
        stats.connected = false;
        retained++;
        peers.remove(peer);
        peers.put(peer, stats); // the newest disconnection last: the first to go is the one longest gone
        while (retained > MAX_RETAINED) {
            // Identities are cheap: a peer that keeps coming back with new keys must not make this grow.
            Iterator<PeerStats> oldest = peers.values().iterator();
            while (oldest.hasNext()) {
                if (!oldest.next().connected) {
                    oldest.remove();
                    retained--;
                    break;
                }
            }
        }
        for (Map.Entry<String, TopicStats> topic : stats.topics.entrySet()) {
            leftMesh(peer, topic.getKey(), now);
        }
        if (ipCounted.remove(peer)) {
            ip(peer).ifPresent(ip -> perIp.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1));
        }
    }

    void joinedMesh(P peer, String topic, long now) {
        TopicStats t = topic(peer, topic);
        if (t.meshSince < 0) {
            t.meshSince = now;
            t.meshDeliveries = 0;
        }
    }

    /** A peer left a topic's mesh: a deficit it had then stays against it (P3b). */
    void leftMesh(P peer, String topic, long now) {
        PeerStats stats = peers.get(peer);
        TopicStats t = stats == null ? null : stats.topics.get(topic);
        if (t == null || t.meshSince < 0) {
            return;
        }
        double deficit = lazy.test(peer, topic) ? 0 : deficit(t, topic, now);
        t.meshFailures += deficit * deficit;
        t.meshSince = -1;
        t.meshDeliveries = 0;
    }

    /** The peer brought a message this node had not seen, and it was valid. */
    void firstDelivery(P peer, String topic, boolean inMesh) {
        TopicStats t = topic(peer, topic);
        t.firstDeliveries = Math.min(params.firstDeliveryCap(), t.firstDeliveries + 1);
        if (inMesh) {
            t.meshDeliveries++;
        }
        traffic.merge(topic, 1.0, Double::sum);
    }

    /** A mesh peer brought a copy of a message this node got {@code sinceFirst} ms before: in time, it counts as brought. */
    void lateDelivery(P peer, String topic, long sinceFirst) {
        if (sinceFirst <= params.meshWindowMillis()) {
            TopicStats t = topic(peer, topic);
            if (t.meshSince >= 0) {
                t.meshDeliveries++;
            }
        }
    }

    /** The peer sent a message the validator rejected. */
    void invalid(P peer, String topic) {
        topic(peer, topic).invalid++;
    }

    /** The peer misbehaved in the mesh's protocol (a GRAFT within its backoff). */
    void penalty(P peer) {
        peers.computeIfAbsent(peer, p -> new PeerStats()).behaviour++;
    }

    /** Every counter decays for {@code elapsedMillis}; entries of disconnected peers with nothing left go. */
    void decay(long elapsedMillis) {
        double intervals = (double) elapsedMillis / params.decayMillis();
        double decay = Math.pow(params.decay(), intervals);
        double slow = Math.pow(params.invalidDecay(), intervals);
        traffic.replaceAll((topic, n) -> n * decay);
        traffic.values().removeIf(n -> n < 0.01);
        for (Iterator<PeerStats> it = peers.values().iterator(); it.hasNext(); ) {
            PeerStats stats = it.next();
            stats.behaviour = zeroed(stats.behaviour * slow);
            for (Iterator<TopicStats> topics = stats.topics.values().iterator(); topics.hasNext(); ) {
                TopicStats t = topics.next();
                t.firstDeliveries = zeroed(t.firstDeliveries * decay);
                t.meshDeliveries = zeroed(t.meshDeliveries * decay);
                t.meshFailures = zeroed(t.meshFailures * decay);
                t.invalid = zeroed(t.invalid * slow);
                if (t.meshSince < 0 && t.firstDeliveries == 0 && t.meshFailures == 0 && t.invalid == 0) {
                    topics.remove();
                }
            }
            if (!stats.connected && stats.topics.isEmpty() && stats.behaviour == 0) {
                it.remove();
                retained--;
            }
        }
    }

    // ------------------------------------------------------------------ the score

    double score(P peer, long now) {
        PeerStats stats = peers.get(peer);
        double score = 0;
        if (stats != null) {
            for (Map.Entry<String, TopicStats> entry : stats.topics.entrySet()) {
                TopicStats t = entry.getValue();
                if (t.meshSince >= 0) {
                    score += params.timeInMeshWeight() * Math.min(params.timeInMeshCapSeconds(), (now - t.meshSince) / 1000.0);
                    double deficit = lazy.test(peer, entry.getKey()) ? 0 : deficit(t, entry.getKey(), now);
                    score += params.meshDeliveryWeight() * deficit * deficit;
                }
                score += params.firstDeliveryWeight() * t.firstDeliveries;
                score += params.meshFailureWeight() * t.meshFailures;
                score += params.invalidWeight() * t.invalid * t.invalid;
            }
            score += params.behaviourWeight() * stats.behaviour * stats.behaviour;
        }
        int surplus = ip(peer).map(ip -> perIp.getOrDefault(ip, 0) - params.colocationThreshold()).orElse(0);
        if (surplus > 0) {
            score += params.colocationWeight() * surplus * surplus;
        }
        return score;
    }

    /**
     * How far short of its share of the topic's traffic a mesh peer is, in messages (0 if it is
     * not, or too new, or the topic too quiet to tell).
     */
    private double deficit(TopicStats t, String topic, long now) {
        double topicTraffic = traffic.getOrDefault(topic, 0.0);
        if (t.meshSince < 0 || now - t.meshSince < params.meshActivationMillis() || topicTraffic < params.meshMinTraffic()) {
            return 0;
        }
        return Math.max(0, params.meshShare() * topicTraffic - t.meshDeliveries);
    }

    /** {@return how many peers' standings are kept: bounded by the peers met and decay, never by what a peer sends} */
    int size() {
        return peers.size();
    }

    private TopicStats topic(P peer, String topic) {
        return peers.computeIfAbsent(peer, p -> new PeerStats()).topics.computeIfAbsent(topic, t -> new TopicStats());
    }

    private Optional<String> ip(P peer) {
        return Optional.ofNullable(ipOf.apply(peer));
    }

    private static double zeroed(double value) {
        return Math.abs(value) < 0.01 ? 0 : value;
    }
}
