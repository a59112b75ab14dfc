package gladius.p2p.kcp.internal;

import gladius.p2p.Contact;
import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import gladius.p2p.NodeRecord;
import gladius.p2p.PeerState;
import gladius.p2p.Plugin;
import gladius.p2p.kcp.internal.core.Frames;
import gladius.p2p.kcp.internal.core.KcpMessage;
import gladius.p2p.kcp.internal.core.KcpSettings;
import gladius.p2p.kcp.internal.core.NodeRecords;
import gladius.p2p.kcp.internal.core.Peer;
import gladius.p2p.kcp.internal.core.PeerTable;
import gladius.p2p.kcp.internal.core.SessionLayer;
import gladius.p2p.kcp.internal.dispatch.PluginDispatcher;
import gladius.p2p.kcp.internal.host.Host;
import gladius.p2p.kcp.internal.host.Hosting;
import gladius.p2p.kcp.internal.host.SharedResources;
import gladius.p2p.kcp.internal.host.SocketIo;
import gladius.p2p.kcp.internal.observe.Counters;
import gladius.p2p.kcp.internal.observe.NetworkBean;
import gladius.p2p.kcp.internal.observe.PluginBeans;
import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The {@link Network} a caller holds: checks arguments, runs the lifecycle, encodes each message
 * once and puts it into the peers' lock-free queues ({@link PeerTable}), then wakes the
 * {@link SessionLayer}. Owns the settings, counters, peers and plugin dispatcher, and hands them to
 * the layer when it listens; the layer never calls back. Safe to call from any thread; never
 * blocks on the network.
 */
public final class KcpNetwork implements Network {

    private enum Lifecycle { NEW, LISTENING, CLOSED }

    private final Map<String, String> settings;
    private final KcpSettings kcp;
    private final Counters counters = new Counters();
    private final Hosting hosting;
    private final PluginDispatcher dispatcher;
    private final PeerTable peers;
    private final Object lifecycleLock = new Object();
    /** Sends in progress; close waits for them. */
    private final AtomicInteger sending = new AtomicInteger();
    private volatile Lifecycle lifecycle = Lifecycle.NEW;
    private volatile Host layer;
    private volatile NodeAddress localAddress;
    private volatile InetSocketAddress localSocket;
    /** The network's MXBean while it listens (kcp.jmx); null if off or its name was taken. */
    private volatile NetworkBean bean;
    /** Its plugins' MXBeans while it listens (kcp.jmx); null if off. */
    private volatile PluginBeans pluginBeans;

    /** A network on sockets, on the threads every network in this JVM shares. */
    KcpNetwork(Map<String, String> settings, KcpSettings kcp) {
        this(settings, kcp, SharedResources.acquire(SocketIo.resolve(kcp.io()), kcp.eventLoopThreads()));
    }

    /** A network run where {@code hosting} says (a simulation's virtual time). */
    KcpNetwork(Map<String, String> settings, KcpSettings kcp, Hosting hosting) {
        this.settings = settings;
        this.kcp = kcp;
        this.hosting = hosting;
        this.dispatcher = new PluginDispatcher(this, hosting.pluginExecutor(), hosting.pluginTimer(), kcp.dispatchBytes(),
                hosting.waiter());
        this.peers = new PeerTable(kcp);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void listen(NodeAddress address) {
        Objects.requireNonNull(address, "address");
        CountDownLatch started;
        synchronized (lifecycleLock) {
            checkOpen();
            if (lifecycle == Lifecycle.LISTENING) {
                throw new IllegalStateException("already listening on " + localAddress);
            }
            InetSocketAddress socket = new InetSocketAddress(address.host(), address.port());
            if (socket.isUnresolved()) {
                throw new IllegalArgumentException("cannot resolve the host of address " + address);
            }
            Host bound = hosting.bind(socket, kcp, counters, dispatcher, peers);
            localSocket = bound.localSocket();
            localAddress = bound.localAddress();
            dispatcher.onRoom(bound::roomAgain);
            dispatcher.runOnLoop(bound.loop());
            layer = bound;
            lifecycle = Lifecycle.LISTENING;
            if (kcp.jmx()) {
                bean = NetworkBean.register(localAddress, this::networkState);
                pluginBeans = new PluginBeans(localAddress);
                dispatcher.plugins().forEach(pluginBeans::register);
            }
            started = dispatcher.startAll();
        }
        for (Peer peer : peers.routeTable()) {
            layer.markDirty(peer);
        }
        layer.wake();
        dispatcher.awaitDelivered(started);
    }

    @Override
    public NodeAddress localAddress() {
        NodeAddress local = localAddress;
        if (local == null || lifecycle == Lifecycle.CLOSED) {
            throw new IllegalStateException(lifecycle == Lifecycle.CLOSED ? "the network is closed" : "not listening yet");
        }
        return local;
    }

    @Override
    public void close() {
        synchronized (lifecycleLock) {
            if (lifecycle == Lifecycle.CLOSED) {
                return;
            }
            lifecycle = Lifecycle.CLOSED;
        }
        NetworkBean registered = bean;
        if (registered != null) {
            registered.unregister();
        }
        PluginBeans plugins = pluginBeans;
        if (plugins != null) {
            plugins.unregisterAll();
        }
        CountDownLatch pluginsClosed = dispatcher.close(10, TimeUnit.SECONDS);
        if (PluginDispatcher.deliveringOnLoop()) {
            // A non-blocking plugin's callback (of this network or another sharing the thread), on an
            // I/O thread: the plugins' close may need it once the callback returns, and the socket's
            // close waits for it. Both are another thread's to wait for.
            hosting.pluginExecutor().execute(() -> {
                dispatcher.awaitClosed(pluginsClosed, 10, TimeUnit.SECONDS);
                stop();
            });
        } else {
            stop();
        }
    }

    /** The rest of close, once the plugins are closed (or, from a callback, their close is queued). */
    private void stop() {
        // Sends that passed the state check before CLOSED finish first (they never block), so nothing
        // is queued behind the shutdown and the queues below have one consumer.
        while (sending.get() != 0) {
            Thread.onSpinWait();
        }
        Host bound = layer;
        if (bound != null) {
            bound.shutdown();
        }
        // The event loop has stopped serving this network: whatever a racing caller queued is ours to free.
        counters.messagesDropped.add(peers.clear());
        hosting.release();
    }

    // ---------------------------------------------------------------- messages

    @Override
    public Message newMessage(String type, byte[] body) {
        Objects.requireNonNull(body, "body");
        return KcpMessage.outgoing(localAddress(), type, body, kcp.maxMessageBytes());
    }

    @Override
    public int broadcast(Message message) {
        return withFrame(message, frame -> {
            int queued = 0;
            for (Peer peer : peers.all()) {
                if (peer.inRouteTable() && enqueue(peer.remote, frame, true)) {
                    queued++;
                }
            }
            return queued;
        });
    }

    @Override
    public int broadcast(Message message, NodeAddress... targets) {
        Objects.requireNonNull(targets, "peers");
        return broadcast(message, Arrays.asList(targets));
    }

    @Override
    public int broadcast(Message message, Collection<NodeAddress> targets) {
        Objects.requireNonNull(targets, "peers");
        List<InetSocketAddress> remotes = new ArrayList<>(targets.size());
        for (NodeAddress target : new LinkedHashSet<>(targets)) {
            remotes.add(resolve(Objects.requireNonNull(target, "peers holds null")));
        }
        // A peer whose queue is full refuses the message: counted now, and if every target refuses
        // (a sender outrunning the network), the message is neither encoded nor the loop woken.
        // Checked and converted once: withFrame's encode then takes this KcpMessage as it is.
        KcpMessage checked = KcpMessage.of(Objects.requireNonNull(message, "message"), kcp.maxMessageBytes());
        int frameBytes = Frames.encodedLength(checked);
        checkListening();
        remotes.removeIf(remote -> {
            boolean refused = isLocal(remote) || peers.refuses(remote, frameBytes);
            if (refused) {
                counters.messagesDropped.increment();
            }
            return refused;
        });
        if (remotes.isEmpty()) {
            return 0;
        }
        return withFrame(checked, frame -> {
            int queued = 0;
            for (InetSocketAddress remote : remotes) {
                if (enqueue(remote, frame, false)) {
                    queued++;
                }
            }
            return queued;
        });
    }

    @Override
    public List<NodeAddress> broadcastRandomly(Message message, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        return withFrame(message, frame -> {
            List<NodeAddress> chosen = new ArrayList<>(n);
            List<Peer> writable = peers.routeTable();
            RandomGenerator random = hosting.random();
            // A partial Fisher-Yates shuffle: the first n are a uniform choice without repeats.
            for (int i = 0; i < n && i < writable.size(); i++) {
                int j = i + random.nextInt(writable.size() - i);
                Peer pick = writable.get(j);
                writable.set(j, writable.get(i));
                if (enqueue(pick.remote, frame, true)) {
                    chosen.add(pick.address);
                }
            }
            return chosen;
        });
    }

    /** Encodes the message once, lets send queue views of it, then frees it. */
    private <T> T withFrame(Message message, Function<ByteBuf, T> send) {
        sending.incrementAndGet(); // before the state check, so close() can wait for us
        try {
            ByteBuf frame = encode(message);
            try {
                return send.apply(frame);
            } finally {
                frame.release();
            }
        } finally {
            sending.decrementAndGet();
        }
    }

    private ByteBuf encode(Message message) {
        Objects.requireNonNull(message, "message");
        checkListening();
        return Frames.encode(KcpMessage.of(message, kcp.maxMessageBytes()));
    }

    /**
     * Queues a view of the frame for one peer; a refusal is counted as dropped. Wakes the event
     * loop only if the peer went from idle to pending: one already pending has a wake on its way.
     */
    private boolean enqueue(InetSocketAddress remote, ByteBuf frame, boolean routeTableOnly) {
        Peer peer = peers.enqueue(remote, frame, routeTableOnly);
        if (peer == null) {
            counters.messagesDropped.increment();
            return false;
        }
        if (layer.markDirty(peer)) {
            layer.wake();
        }
        return true;
    }

    // ---------------------------------------------------------------- route table

    @Override
    public boolean add(NodeAddress node) {
        return add(Objects.requireNonNull(node, "node"), null);
    }

    @Override
    public boolean add(Contact contact) {
        Objects.requireNonNull(contact, "contact");
        if (!kcp.secure()) {
            throw new IllegalArgumentException("cannot pin the key of " + contact + ": plain sessions prove no keys "
                    + "(kcp.secure=false); add its address alone, or run with kcp.secure=true");
        }
        return add(contact.address(), contact.key());
    }

    private boolean add(NodeAddress node, NodeKey key) {
        InetSocketAddress remote = resolve(node);
        checkOpen();
        if (isLocal(remote)) {
            throw new IllegalArgumentException("node is this node's own address: " + node);
        }
        Peer added = peers.add(remote, key);
        Host bound = layer;
        if (key != null && bound != null) {
            bound.pinned(peers.get(remote));
        }
        if (added == null) {
            return false;
        }
        dispatcher.nodeAdded(added.address);
        if (bound != null) {
            bound.markDirty(added);
            bound.wake();
        }
        return true;
    }

    @Override
    public boolean delete(NodeAddress node) {
        InetSocketAddress remote = resolve(Objects.requireNonNull(node, "node"));
        checkOpen();
        Peer deleted = peers.delete(remote);
        if (deleted == null) {
            return false;
        }
        dispatcher.nodeDeleted(deleted.address);
        Host bound = layer;
        if (bound != null) {
            bound.deleted(deleted);
        } else {
            peers.forgetIfUnused(deleted);
        }
        return true;
    }

    // ---------------------------------------------------------------- records

    @Override
    public Optional<NodeRecord> localRecord() {
        Host bound = layer;
        return bound == null || lifecycle == Lifecycle.CLOSED ? Optional.empty() : Optional.ofNullable(bound.record());
    }

    @Override
    public Optional<NodeRecord> readRecord(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        return kcp.secure() ? NodeRecords.read(encoded).map(NodeRecord.class::cast) : Optional.empty();
    }

    // ---------------------------------------------------------------- state and plugins

    @Override
    public NetworkState networkState() {
        checkListening();
        return layer.snapshot();
    }

    @Override
    public Optional<PeerState> peerState(NodeAddress node) {
        InetSocketAddress remote = resolve(Objects.requireNonNull(node, "node"));
        checkListening();
        return Optional.ofNullable(layer.peerSnapshot(remote));
    }

    @Override
    public void registerPlugin(Plugin plugin) {
        Objects.requireNonNull(plugin, "plugin");
        CountDownLatch started;
        synchronized (lifecycleLock) {
            checkOpen();
            started = dispatcher.register(plugin, lifecycle == Lifecycle.LISTENING);
            if (pluginBeans != null) {
                pluginBeans.register(plugin);
            }
        }
        dispatcher.awaitDelivered(started);
    }

    @Override
    public boolean removePlugin(Plugin plugin) {
        Objects.requireNonNull(plugin, "plugin");
        CountDownLatch closed;
        synchronized (lifecycleLock) {
            checkOpen();
            closed = dispatcher.remove(plugin);
            if (closed != null && pluginBeans != null) {
                pluginBeans.unregister(plugin);
            }
        }
        dispatcher.awaitDelivered(closed);
        return closed != null;
    }

    @Override
    public Future<?> schedule(Plugin owner, Duration delay, Runnable task) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must be zero or more, not " + delay);
        }
        long nanos;
        try {
            nanos = delay.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE;
        }
        synchronized (lifecycleLock) {
            checkOpen();
            return dispatcher.schedule(owner, nanos, task);
        }
    }

    @Override
    public InstantSource clock() {
        return hosting.clock();
    }

    @Override
    public RandomGenerator random() {
        return hosting.random();
    }

    @Override
    public <T> Optional<T> plugin(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return dispatcher.plugins().stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    @Override
    public Map<String, String> settings() {
        return settings;
    }

    @Override
    public String toString() {
        return "KcpNetwork[" + (localAddress == null ? "not listening" : localAddress) + ", " + lifecycle + "]";
    }

    // ---------------------------------------------------------------- checks

    private void checkOpen() {
        if (lifecycle == Lifecycle.CLOSED) {
            throw new IllegalStateException("the network is closed");
        }
    }

    private void checkListening() {
        checkOpen();
        if (lifecycle != Lifecycle.LISTENING) {
            throw new IllegalStateException("not listening yet: call listen first");
        }
    }

    private static InetSocketAddress resolve(NodeAddress node) {
        if (node.port() == 0) {
            throw new IllegalArgumentException("port 0 is only for listen: " + node);
        }
        InetSocketAddress socket = new InetSocketAddress(node.host(), node.port());
        if (socket.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve the host of " + node);
        }
        return socket;
    }

    private boolean isLocal(InetSocketAddress remote) {
        InetSocketAddress local = localSocket;
        if (local == null || local.getPort() != remote.getPort()) {
            return false;
        }
        InetAddress bound = local.getAddress();
        return bound.equals(remote.getAddress()) || (bound.isAnyLocalAddress() && remote.getAddress().isLoopbackAddress());
    }
}
