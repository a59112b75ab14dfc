package gladius.p2p.kcp.internal;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The {@link Network} a caller holds: checks arguments, keeps the peers, encodes each message
 * once, and hands frames to the {@link SessionLayer} through the peers' lock-free queues. Safe to
 * call from any thread; never blocks on the network.
 */
final class KcpNetwork implements Network {

    private enum Lifecycle { NEW, LISTENING, CLOSED }

    private final Map<String, String> settings;
    private final KcpSettings kcp;
    private final Counters counters = new Counters();
    private final SharedResources resources;
    private final PluginDispatcher dispatcher;
    private final ConcurrentHashMap<InetSocketAddress, Peer> peers = new ConcurrentHashMap<>();
    private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private final Object lifecycleLock = new Object();
    /** Sends in progress; close waits for them. */
    private final AtomicInteger sending = new AtomicInteger();
    private volatile Lifecycle lifecycle = Lifecycle.NEW;
    private volatile SessionLayer layer;
    private volatile NodeAddress localAddress;
    private volatile InetSocketAddress localSocket;

    KcpNetwork(Map<String, String> settings, KcpSettings kcp) {
        this.settings = settings;
        this.kcp = kcp;
        this.resources = SharedResources.acquire(kcp.eventLoopThreads());
        this.dispatcher = new PluginDispatcher(this, resources.pluginExecutor, kcp.dispatchBytes(), this::onDispatchRoom);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void listen(NodeAddress address) {
        Objects.requireNonNull(address, "address");
        synchronized (lifecycleLock) {
            checkOpen();
            if (lifecycle == Lifecycle.LISTENING) {
                throw new IllegalStateException("already listening on " + localAddress);
            }
            InetSocketAddress socket = new InetSocketAddress(address.host(), address.port());
            if (socket.isUnresolved()) {
                throw new IllegalArgumentException("cannot resolve the host of address " + address);
            }
            SessionLayer bound = new SessionLayer(this);
            InetSocketAddress local = bound.bind(socket);
            localSocket = local;
            localAddress = new NodeAddress(canonicalHost(local.getAddress()), local.getPort());
            layer = bound;
            lifecycle = Lifecycle.LISTENING;
            dispatcher.startAll();
        }
        for (Peer peer : routeTable()) {
            layer.markDirty(peer);
        }
        layer.wake();
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
        dispatcher.close(10, TimeUnit.SECONDS);
        // Sends that passed the state check before CLOSED finish first (they never block), so nothing
        // is queued behind the shutdown and the queues below have one consumer.
        while (sending.get() != 0) {
            Thread.onSpinWait();
        }
        SessionLayer bound = layer;
        if (bound != null) {
            bound.shutdown();
        }
        // The event loop has stopped serving this network: whatever a racing caller queued is ours to free.
        dropQueued();
        peers.clear();
        resources.release();
    }

    private void dropQueued() {
        for (Peer peer : peers.values()) {
            counters.messagesDropped.add(peer.dropQueued());
        }
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
            for (Peer peer : peers.values()) {
                if (peer.inRouteTable && enqueue(peer.remote, frame, true)) {
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
        return withFrame(message, frame -> {
            int queued = 0;
            for (InetSocketAddress remote : remotes) {
                if (isLocal(remote)) {
                    counters.messagesDropped.increment();
                } else if (enqueue(remote, frame, false)) {
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
            List<Peer> writable = routeTable();
            ThreadLocalRandom random = ThreadLocalRandom.current();
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

    /** Encodes the message once, lets send queue views of it, then frees it and wakes the event loop once. */
    private <T> T withFrame(Message message, Function<ByteBuf, T> send) {
        sending.incrementAndGet(); // before the state check, so close() can wait for us
        try {
            ByteBuf frame = encode(message);
            try {
                return send.apply(frame);
            } finally {
                frame.release();
                layer.wake();
            }
        } finally {
            sending.decrementAndGet();
        }
    }

    private ByteBuf encode(Message message) {
        Objects.requireNonNull(message, "message");
        checkListening();
        return Frames.encode(allocator, KcpMessage.of(message, kcp.maxMessageBytes()));
    }

    /**
     * Puts a retained view of the frame into a peer's queue, creating the peer for a targeted send.
     * Runs inside the map's compute so the event loop cannot forget the peer meanwhile.
     */
    private boolean enqueue(InetSocketAddress remote, ByteBuf frame, boolean routeTableOnly) {
        boolean[] queued = new boolean[1];
        Peer peer = peers.compute(remote, (key, current) -> {
            Peer target = current;
            if (target == null) {
                if (routeTableOnly) {
                    return null;
                }
                target = newPeer(key);
            }
            if (!routeTableOnly || target.inRouteTable) {
                ByteBuf view = frame.retainedDuplicate();
                queued[0] = target.offer(view, kcp.maxQueuedBytes());
                if (!queued[0]) {
                    view.release();
                }
            }
            return target;
        });
        if (queued[0]) {
            layer.markDirty(peer);
        } else {
            counters.messagesDropped.increment();
        }
        return queued[0];
    }

    // ---------------------------------------------------------------- route table

    @Override
    public boolean add(NodeAddress node) {
        InetSocketAddress remote = resolve(Objects.requireNonNull(node, "node"));
        checkOpen();
        if (isLocal(remote)) {
            throw new IllegalArgumentException("node is this node's own address: " + node);
        }
        boolean[] added = new boolean[1];
        Peer peer = peers.compute(remote, (key, current) -> {
            Peer target = current != null ? current : newPeer(key);
            added[0] = !target.inRouteTable;
            target.inRouteTable = true;
            return target;
        });
        if (added[0]) {
            dispatcher.nodeAdded(peer.address);
            SessionLayer bound = layer;
            if (bound != null) {
                bound.markDirty(peer);
                bound.wake();
            }
        }
        return added[0];
    }

    @Override
    public boolean delete(NodeAddress node) {
        InetSocketAddress remote = resolve(Objects.requireNonNull(node, "node"));
        checkOpen();
        boolean[] deleted = new boolean[1];
        Peer peer = peers.computeIfPresent(remote, (key, current) -> {
            deleted[0] = current.inRouteTable;
            current.inRouteTable = false;
            return current;
        });
        if (deleted[0]) {
            dispatcher.nodeDeleted(peer.address);
            SessionLayer bound = layer;
            if (bound != null) {
                bound.execute(() -> bound.deleted(peer));
            } else {
                forgetIfUnused(peer);
            }
        }
        return deleted[0];
    }

    // ---------------------------------------------------------------- state and plugins

    @Override
    public NetworkState networkState() {
        checkListening();
        return layer.call(layer::snapshot);
    }

    @Override
    public void registerPlugin(Plugin plugin) {
        Objects.requireNonNull(plugin, "plugin");
        synchronized (lifecycleLock) {
            checkOpen();
            dispatcher.register(plugin, lifecycle == Lifecycle.LISTENING);
        }
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

    // ---------------------------------------------------------------- for the session layer

    KcpSettings kcpSettings() {
        return kcp;
    }

    Counters counters() {
        return counters;
    }

    SharedResources resources() {
        return resources;
    }

    PluginDispatcher dispatcher() {
        return dispatcher;
    }

    Collection<Peer> peers() {
        return peers.values();
    }

    /** The route-table peers now, in a new list. */
    List<Peer> routeTable() {
        List<Peer> table = new ArrayList<>();
        for (Peer peer : peers.values()) {
            if (peer.inRouteTable) {
                table.add(peer);
            }
        }
        return table;
    }

    /** The peer for a remote address, created if new (an inbound session). */
    Peer peerFor(InetSocketAddress remote) {
        return peers.computeIfAbsent(remote, this::newPeer);
    }

    private Peer newPeer(InetSocketAddress remote) {
        return new Peer(remote, kcp.queueCapacity());
    }

    /** Forgets a peer that has no route-table entry, no session and nothing queued. */
    void forgetIfUnused(Peer peer) {
        peers.computeIfPresent(peer.remote, (key, current) -> current == peer && peer.removable() ? null : current);
    }

    private void onDispatchRoom() {
        SessionLayer bound = layer;
        if (bound != null && lifecycle == Lifecycle.LISTENING) {
            bound.execute(bound::resumePaused);
        }
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

    private static String canonicalHost(InetAddress address) {
        return address.getHostAddress();
    }
}
