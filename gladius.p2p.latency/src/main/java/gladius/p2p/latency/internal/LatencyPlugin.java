package gladius.p2p.latency.internal;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.Plugin;
import gladius.p2p.latency.Eviction;
import gladius.p2p.latency.LatencyAudit;
import gladius.p2p.latency.PeerLatency;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The latency plugin (see {@link LatencyAudit}). Rounds of probes ({@link Network#schedule}) and
 * answers run serially on the network's dispatcher; the lock is only for the audit's readers on
 * other threads. Peers leave the audit when they leave the route table, so its memory is bounded
 * by the table times the window.
 */
final class LatencyPlugin implements Plugin, LatencyAudit {

    private static final System.Logger LOG = System.getLogger(LatencyPlugin.class.getName());
    private static final byte VERSION = 1;
    private static final int BODY = 17;
    private static final int MAX_EVICTIONS = 64;

    private final LatencySettings settings;
    private final long timeoutNanos;
    private final AtomicLong rejected = new AtomicLong();

    // Guarded by this.
    private Network network;
    private boolean closed;
    private final Map<NodeAddress, ProbeWindow> windows = new HashMap<>();
    private final ArrayDeque<Eviction> evictions = new ArrayDeque<>();

    LatencyPlugin(LatencySettings settings) {
        this.settings = settings;
        this.timeoutNanos = settings.timeout().toNanos();
    }

    // ------------------------------------------------------------------ plugin callbacks

    @Override
    public void startup(Network network) {
        synchronized (this) {
            this.network = network;
        }
        scheduleRound(Duration.ofMillis(ThreadLocalRandom.current().nextLong(1 + settings.interval().toMillis() / 10)));
    }

    @Override
    public synchronized void nodeDeleted(NodeAddress node) {
        windows.remove(node);
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

    @Override
    public synchronized void close() {
        closed = true;
    }

    // ------------------------------------------------------------------ LatencyAudit

    @Override
    public synchronized Map<NodeAddress, PeerLatency> peers() {
        Map<NodeAddress, PeerLatency> all = new LinkedHashMap<>();
        windows.forEach((node, window) -> all.put(node, window.figures()));
        return Map.copyOf(all);
    }

    @Override
    public synchronized Optional<PeerLatency> peer(NodeAddress node) {
        return Optional.ofNullable(windows.get(node)).map(ProbeWindow::figures);
    }

    @Override
    public synchronized List<Eviction> evictions() {
        return List.copyOf(evictions);
    }

    @Override
    public long rejectedMessages() {
        return rejected.get();
    }

    // ------------------------------------------------------------------ probes

    private void answerPing(Message ping) {
        Network net = networkIfOpen();
        if (net != null) {
            net.broadcast(net.newMessage(PONG, ping.bodyBytes()), ping.sender());
        }
    }

    private void onPong(NodeAddress from, long sequence, long sentNanos) {
        long now = System.nanoTime();
        synchronized (this) {
            ProbeWindow window = windows.get(from);
            if (window == null || !window.answer(sequence, sentNanos, now, timeoutNanos)) {
                rejected.incrementAndGet();
                return;
            }
        }
        judge(from);
    }

    /** The next round, serial with the callbacks (Network#schedule); none once the network closes or drops this plugin. */
    private void scheduleRound(Duration delay) {
        Network net = networkIfOpen();
        if (net == null) {
            return;
        }
        try {
            net.schedule(this, delay, () -> {
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
        Network net;
        synchronized (this) {
            net = closed ? null : network;
        }
        if (net == null) {
            return;
        }
        try {
            Set<NodeAddress> routeTable = new HashSet<>();
            Set<NodeAddress> targets = new HashSet<>();
            for (PeerState peer : net.networkState().peers()) {
                if (peer.inRouteTable()) {
                    routeTable.add(peer.address());
                    if (peer.connected()) {
                        targets.add(peer.address());
                    }
                }
            }
            long now = System.nanoTime();
            Map<NodeAddress, Long> sequences = new HashMap<>();
            synchronized (this) {
                windows.keySet().retainAll(routeTable);
                for (ProbeWindow window : windows.values()) {
                    window.expire(now, timeoutNanos);
                }
                for (NodeAddress target : targets) {
                    sequences.put(target, windows.computeIfAbsent(target, node -> new ProbeWindow(node, settings.window())).send(now));
                }
            }
            for (Map.Entry<NodeAddress, Long> probe : sequences.entrySet()) {
                byte[] body = ByteBuffer.allocate(BODY).put(VERSION).putLong(probe.getValue()).putLong(now).array();
                net.broadcast(net.newMessage(PING, body), probe.getKey());
            }
            for (NodeAddress node : Set.copyOf(windows())) {
                judge(node);
            }
        } catch (IllegalStateException closing) {
            LOG.log(System.Logger.Level.DEBUG, "latency round skipped: {0}", closing.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "latency round failed", e);
        }
    }

    private synchronized Set<NodeAddress> windows() {
        return Set.copyOf(windows.keySet());
    }

    /** Deletes the peer if it has been probed enough and breaks max-rtt or max-loss. */
    private void judge(NodeAddress node) {
        if (settings.maxRtt().isEmpty() && settings.maxLoss().isEmpty()) {
            return;
        }
        Network net;
        Eviction eviction;
        synchronized (this) {
            ProbeWindow window = windows.get(node);
            net = closed ? null : network;
            if (net == null || window == null || window.decided() < settings.minSamples()) {
                return;
            }
            PeerLatency figures = window.figures();
            String reason = null;
            if (settings.maxLoss().isPresent() && figures.lossRatio() > settings.maxLoss().get()) {
                reason = String.format("loss ratio %.3f over latency.max-loss %s", figures.lossRatio(), settings.maxLoss().get());
            } else if (settings.maxRtt().isPresent() && figures.samples() >= settings.minSamples()
                    && figures.median().compareTo(settings.maxRtt().get()) > 0) {
                reason = "median round trip " + figures.median().toMillis() + " ms over latency.max-rtt "
                        + settings.maxRtt().get().toMillis() + " ms";
            }
            if (reason == null) {
                return;
            }
            windows.remove(node);
            eviction = new Eviction(node, Instant.now(), reason, figures);
        }
        // Deleted first, recorded after: whoever sees the eviction finds the node gone from the route table.
        net.delete(node);
        synchronized (this) {
            evictions.add(eviction);
            if (evictions.size() > MAX_EVICTIONS) {
                evictions.poll();
            }
        }
        LOG.log(System.Logger.Level.INFO, "latency deleted {0}: {1}", node, eviction.reason());
    }

    private synchronized Network networkIfOpen() {
        return closed ? null : network;
    }
}
