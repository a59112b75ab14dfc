package acme.heartbeat.internal;

import acme.heartbeat.Heartbeats;
import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The plugin. Its callbacks and its scheduled beats run one at a time (Network.schedule), so
 * the fields only they touch need no lock; what {@link Heartbeats} readers see on other threads
 * is kept in concurrent types.
 */
final class HeartbeatPlugin implements Plugin, Heartbeats {

    private static final System.Logger LOG = System.getLogger(HeartbeatPlugin.class.getName());

    private final Duration interval;
    private final Map<NodeAddress, Long> heard = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private Network network; // set at startup; read by callbacks and beats only

    HeartbeatPlugin(Duration interval) {
        this.interval = interval;
    }

    @Override
    public void startup(Network network) {
        this.network = network;
        LOG.log(System.Logger.Level.DEBUG, "heartbeat: every {0} ms", interval.toMillis());
        network.schedule(this, interval, this::beat);
    }

    /** One beat to every route-table peer, then the next one planned: periodic work plans itself. */
    private void beat() {
        long count = sent.incrementAndGet();
        network.broadcast(network.newMessage(TYPE, ByteBuffer.allocate(Long.BYTES).putLong(count).array()));
        network.schedule(this, interval, this::beat);
    }

    @Override
    public void newMessage(Message message) {
        if (!message.type().equals(TYPE)) {
            return; // every plugin sees every message: take only your own types
        }
        if (message.body().remaining() != Long.BYTES) {
            LOG.log(System.Logger.Level.DEBUG, "heartbeat: a malformed beat from {0}", message.sender());
            return; // garbage from the network is dropped, never thrown
        }
        heard.merge(message.sender(), 1L, Long::sum);
    }

    @Override
    public void close() {
        LOG.log(System.Logger.Level.DEBUG, "heartbeat: closed after {0} beats", sent.get());
        // Nothing to stop: scheduled beats end with the plugin by themselves.
    }

    @Override
    public Map<NodeAddress, Long> heard() {
        return Map.copyOf(heard);
    }

    @Override
    public long sent() {
        return sent.get();
    }
}
