package gladius.p2p.latency.internal;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.Plugin;
import gladius.p2p.latency.Eviction;
import gladius.p2p.latency.LatencyAudit;
import gladius.p2p.latency.LatencyMXBean;
import gladius.p2p.latency.PeerLatency;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The latency plugin (see {@link LatencyAudit}). Its state is touched only by its callbacks and
 * its rounds of probes ({@link Network#schedule}), which the network runs one at a time, so it
 * needs no lock; the audit's readers on other threads see immutable figures published after each
 * change (a volatile map, updated one peer per answer). Peers leave the audit when they leave the
 * route table, so its memory is bounded by the table times the window.
 */
final class LatencyPlugin implements Plugin, LatencyAudit, LatencyMXBean {

    private static final System.Logger LOG = System.getLogger(LatencyPlugin.class.getName());
    private static final byte VERSION = 1;
    private static final int BODY = 17;
    private static final int MAX_EVICTIONS = 64;

    private final LatencySettings settings;
    private final long timeoutNanos;
    private final AtomicLong rejected = new AtomicLong();

    // Callbacks and rounds only (serial): no lock.
    private Network network;
    private final Map<NodeAddress, ProbeWindow> windows = new HashMap<>();
    private final ArrayDeque<Eviction> evictions = new ArrayDeque<>();

    // What the audit's readers see, published by the above.
    private volatile Map<NodeAddress, PeerLatency> figures = Map.of();
    private volatile List<Eviction> evicted = List.of();

    LatencyPlugin(LatencySettings settings) {
        this.settings = settings;
        this.timeoutNanos = settings.timeout().toNanos();
    }

    // ------------------------------------------------------------------ plugin callbacks

    /**
     * Its callbacks and rounds only count, answer and send (sends never block): they run on the
     * network's I/O thread, so a ping is answered, and a pong timed, without two thread handoffs
     * each on top of the round trip it measures.
     */
    @Override
    public boolean nonBlocking() {
        return true;
    }

    @Override
    public void startup(Network network) {
        this.network = network;
        scheduleRound(Duration.ofMillis(network.random().nextLong(1 + settings.interval().toMillis() / 10)));
    }

    @Override
    public void nodeDeleted(NodeAddress node) {
        if (windows.remove(node) != null) {
            publishAll();
        }
    }

    @Override
    public void newMessage(Message message) {
        if (!message.type().startsWith(TYPE_PREFIX)) {
            return;
        }
        ByteBuffer body = message.body();
        if (body.remaining() != BODY || body.get(body.position()) != VERSION) {
            rejected.incrementAndGet();
            return;
        }
        try {
            switch (message.type()) {
                case PING -> answerPing(message);
                case PONG -> onPong(message.sender(), body.getLong(body.position() + 1), body.getLong(body.position() + 9));
                default -> rejected.incrementAndGet();
            }
        } catch (IllegalStateException closing) {
            LOG.log(System.Logger.Level.DEBUG, "latency dropped {0}: {1}", message.type(), closing.getMessage());
        }
    }

    // ------------------------------------------------------------------ LatencyAudit

    // ---------------------------------------------------------------- LatencyMXBean

    @Override
    public Map<String, Double> getMedianMillis() {
        return byPeer(p -> p.median().toNanos() / 1e6);
    }

    @Override
    public Map<String, Double> getP90Millis() {
        return byPeer(p -> p.p90().toNanos() / 1e6);
    }

    @Override
    public Map<String, Double> getP99Millis() {
        return byPeer(p -> p.p99().toNanos() / 1e6);
    }

    @Override
    public Map<String, Double> getLossRatio() {
        Map<String, Double> out = new TreeMap<>();
        peers().forEach((peer, figures) -> out.put(peer.toString(), figures.lossRatio()));
        return out;
    }

    @Override
    public long getRejectedMessages() {
        return rejectedMessages();
    }

    @Override
    public int getEvictions() {
        return evictions().size();
    }

    /** A figure of every peer with samples, by address. */
    private Map<String, Double> byPeer(ToDoubleFunction<PeerLatency> figure) {
        Map<String, Double> out = new TreeMap<>();
        peers().forEach((peer, figures) -> {
            if (figures.samples() > 0) {
                out.put(peer.toString(), figure.applyAsDouble(figures));
            }
        });
        return out;
    }

    // ---------------------------------------------------------------- LatencyAudit

    @Override
    public Map<NodeAddress, PeerLatency> peers() {
        return figures;
    }

    @Override
    public Optional<PeerLatency> peer(NodeAddress node) {
        return Optional.ofNullable(figures.get(node));
    }

    @Override
    public List<Eviction> evictions() {
        return evicted;
    }

    @Override
    public long rejectedMessages() {
        return rejected.get();
    }

    // ------------------------------------------------------------------ probes

    private void answerPing(Message ping) {
        if (network != null) { // a network calls startup first; a plugin driven by hand may not have
            network.broadcast(network.newMessage(PONG, ping.bodyBytes()), ping.sender());
        }
    }

    private void onPong(NodeAddress from, long sequence, long sentNanos) {
        ProbeWindow window = windows.get(from);
        if (window == null || !window.answer(sequence, sentNanos, nowNanos(), timeoutNanos)) {
            rejected.incrementAndGet();
            return;
        }
        publish(from, window);
        judge(from);
    }

    /** The next round, serial with the callbacks (Network#schedule); none once the network closes or drops this plugin. */
    private void scheduleRound(Duration delay) {
        try {
            network.schedule(this, delay, () -> {
                try {
                    round();
                } finally {
                    scheduleRound(settings.interval());
                }
            });
        } catch (IllegalStateException | IllegalArgumentException ended) {
            LOG.log(System.Logger.Level.DEBUG, "latency rounds end: {0}", ended.getMessage());
        }
    }

    /** Expires late probes, forgets peers that left the table, and probes every connected route-table peer. */
    private void round() {
        try {
            Set<NodeAddress> routeTable = new HashSet<>();
            Set<NodeAddress> targets = new HashSet<>();
            for (PeerState peer : network.networkState().peers()) {
                if (peer.inRouteTable()) {
                    routeTable.add(peer.address());
                    if (peer.connected()) {
                        targets.add(peer.address());
                    }
                }
            }
            long now = nowNanos();
            windows.keySet().retainAll(routeTable);
            for (ProbeWindow window : windows.values()) {
                window.expire(now, timeoutNanos);
            }
            for (NodeAddress target : targets) {
                long sequence = windows.computeIfAbsent(target, node -> new ProbeWindow(node, settings.window())).send(now);
                byte[] body = ByteBuffer.allocate(BODY).put(VERSION).putLong(sequence).putLong(now).array();
                network.broadcast(network.newMessage(PING, body), target);
            }
            publishAll();
            for (NodeAddress node : Set.copyOf(windows.keySet())) {
                judge(node);
            }
        } catch (IllegalStateException closing) {
            LOG.log(System.Logger.Level.DEBUG, "latency round skipped: {0}", closing.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "latency round failed", e);
        }
    }

    /** Deletes the peer if it has been probed enough and breaks max-rtt or max-loss. */
    private void judge(NodeAddress node) {
        if (settings.maxRtt().isEmpty() && settings.maxLoss().isEmpty()) {
            return;
        }
        ProbeWindow window = windows.get(node);
        if (window == null || window.decided() < settings.minSamples()) {
            return;
        }
        PeerLatency measured = window.figures();
        String reason = null;
        if (settings.maxLoss().isPresent() && measured.lossRatio() > settings.maxLoss().get()) {
            reason = String.format("loss ratio %.3f over latency.max-loss %s", measured.lossRatio(), settings.maxLoss().get());
        } else if (settings.maxRtt().isPresent() && measured.samples() >= settings.minSamples()
                && measured.median().compareTo(settings.maxRtt().get()) > 0) {
            reason = "median round trip " + measured.median().toMillis() + " ms over latency.max-rtt "
                    + settings.maxRtt().get().toMillis() + " ms";
        }
        if (reason == null) {
            return;
        }
        windows.remove(node);
        Eviction eviction = new Eviction(node, clock().instant(), reason, measured);
        // Deleted first, published after: whoever sees the eviction finds the node gone from the route table.
        network.delete(node);
        evictions.add(eviction);
        if (evictions.size() > MAX_EVICTIONS) {
            evictions.poll();
        }
        evicted = List.copyOf(evictions);
        publishAll();
        LOG.log(System.Logger.Level.INFO, "latency deleted {0}: {1}", node, eviction.reason());
    }

    /** Publishes one peer's new figures (after an answer): the others are unchanged. */
    private void publish(NodeAddress node, ProbeWindow window) {
        Map<NodeAddress, PeerLatency> next = new LinkedHashMap<>(figures);
        next.put(node, window.figures());
        figures = Collections.unmodifiableMap(next);
    }

    /** Publishes every peer's figures (after a round expired probes, or a peer left). */
    private void publishAll() {
        Map<NodeAddress, PeerLatency> next = new LinkedHashMap<>();
        windows.forEach((node, window) -> next.put(node, window.figures()));
        figures = Collections.unmodifiableMap(next);
    }

    /** The network's clock (Network#clock); the system's for a plugin driven by hand, before any startup. */
    private InstantSource clock() {
        Network net = network;
        return net == null ? InstantSource.system() : net.clock();
    }

    /** Now on the network's clock, as nanoseconds since the epoch: probes are timed on it. */
    private long nowNanos() {
        Instant now = clock().instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
