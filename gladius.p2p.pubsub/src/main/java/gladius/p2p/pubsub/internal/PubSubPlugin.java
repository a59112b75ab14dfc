package gladius.p2p.pubsub.internal;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import gladius.p2p.PeerState;
import gladius.p2p.Plugin;
import gladius.p2p.pubsub.Delivery;
import gladius.p2p.pubsub.PubSub;
import gladius.p2p.pubsub.PubSubMXBean;
import gladius.p2p.pubsub.PubSubStats;
import gladius.p2p.pubsub.Validator;
import gladius.p2p.spi.DeadlineTimer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The pubsub plugin: a {@link Router} run on the network's plugin thread. A peer is its identity:
 * in a network with keys the {@link NodeKey} its session proved (so its place in a mesh follows
 * the key across addresses), else its address. Messages of type {@value PubSub#TYPE} go to the
 * router; what it sends goes out with {@link Network#broadcast(Message, NodeAddress...)} to the
 * peer's latest address. Peers are met when this node adds them ({@code nodeAdded}), when they
 * send pubsub messages, and each heartbeat for connected sessions not yet met (a session that
 * came back, or one the other end opened); they are forgotten when their session is gone. The
 * application's calls hop onto the plugin thread; the router's timers are one scheduled task at
 * its next deadline.
 */
final class PubSubPlugin implements Plugin, PubSub, PubSubMXBean {

    private static final System.Logger LOG = System.getLogger(PubSubPlugin.class.getName());
    private static final PubSubStats NOTHING = new PubSubStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private final PubSubSettings settings;
    private final Map<String, Validator> validators = new ConcurrentHashMap<>();
    /** The application's calls not yet answered: failed when the network closes, never left waiting. */
    private final Set<CompletableFuture<?>> outstanding = ConcurrentHashMap.newKeySet();
    private volatile Network network;
    private volatile PubSubStats published = NOTHING;
    /** The router's topics, copied when a subscription changes them (only this plugin subscribes its router), not after every message. */
    private volatile Set<String> topics = Set.of();
    private volatile boolean closed;
    /** Subscriptions made before the network started (their hops onto the plugin thread), run at startup; null after. */
    private List<Runnable> beforeStart = new ArrayList<>();
    // Plugin thread only.
    private Router<Object> router;
    private NodeAddress self;
    private boolean keyed;
    private byte[] author = new byte[0];
    private long sequence;
    private final Map<String, List<Handle>> handlers = new HashMap<>();
    private final Map<Object, NodeAddress> addressOf = new HashMap<>();
    /** The peer whose message the router is reading now: whom a delivery came from (null: this node's own). */
    private NodeAddress receivingFrom;
    private long malformed;
    private long handlerFailures;
    private DeadlineTimer timer;

    PubSubPlugin(PubSubSettings settings) {
        this.settings = settings;
    }

    /** A topic as the wire takes it, or an IllegalArgumentException naming what is wrong. */
    static String checkTopic(String topic) {
        Objects.requireNonNull(topic, "topic");
        int bytes = topic.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > Wire.MAX_TOPIC_BYTES) {
            throw new IllegalArgumentException("topic must be 1 to " + Wire.MAX_TOPIC_BYTES + " bytes of UTF-8, not " + bytes);
        }
        return topic;
    }

    // ------------------------------------------------------------------ plugin callbacks

    @Override
    public void startup(Network network) {
        this.network = network;
        self = network.localAddress();
        Optional<NodeKey> key = network.networkState().key();
        keyed = key.isPresent();
        author = key.map(NodeKey::bytes).orElse(new byte[0]);
        // Sequence numbers start at the clock's milliseconds, so a restarted node does not reuse the
        // numbers (nor, with author-sequence IDs, the IDs) its peers still remember as seen.
        sequence = network.clock().millis();
        // network.random() is for the calling thread, at once: asked afresh at every draw, on the plugin thread.
        RandomGenerator random = () -> network.random().nextLong();
        router = new Router<>(settings.core(), new Io(), random);
        timer = new DeadlineTimer(network, this, this::onTimer);
        long now = now();
        router.firstHeartbeatAt(now + random.nextLong(settings.core().heartbeatMillis()));
        settings.topics().forEach(topic -> router.subscribe(topic, now));
        List<Runnable> early;
        synchronized (this) {
            early = beforeStart;
            beforeStart = null;
        }
        early.forEach(Runnable::run);
        topics = router.topics();
        meetConnectedPeers();
        network.schedule(this, Duration.ofMillis(settings.core().heartbeatMillis()), this::sweep);
        after();
    }

    @Override
    public void nodeAdded(NodeAddress node) {
        if (router == null) {
            return;
        }
        try {
            added(node);
        } catch (IllegalStateException closing) {
            closing(closing);
        }
    }

    private void added(NodeAddress node) {
        Optional<Object> identity = identity(node);
        if (identity.isPresent()) {
            meet(identity.get(), node);
        } else {
            // A key not proven yet: a HELLO that asks for its topics; its answer comes with the key.
            send(node, Wire.encode(List.of(new Wire.Hello(true))));
        }
        after();
    }

    @Override
    public void nodeDeleted(NodeAddress node) {
        if (router == null) {
            return;
        }
        try {
            identity(node).filter(id -> node.equals(addressOf.get(id))).ifPresent(this::forget);
        } catch (IllegalStateException closing) {
            closing(closing);
            return;
        }
        after();
    }

    @Override
    public void newMessage(Message message) {
        if (!TYPE.equals(message.type()) || router == null) {
            return;
        }
        try {
            received(message);
        } catch (IllegalStateException closing) {
            closing(closing);
        }
    }

    /**
     * The network's calls throw IllegalStateException once it is closing, which it is before its
     * plugins are closed: an event that arrives then is dropped, not a plugin failure. The router
     * throws none of its own.
     */
    private void closing(IllegalStateException e) {
        LOG.log(System.Logger.Level.DEBUG, "pubsub: an event as the network closed: {0}", e.getMessage());
    }

    private void received(Message message) {
        NodeAddress from = message.sender();
        Optional<Object> identity = identity(from);
        if (identity.isEmpty()) {
            malformed++; // a session that proved no key in a network with keys: none should
            after();
            return;
        }
        addressOf.put(identity.get(), from);
        receivingFrom = from;
        try {
            router.receive(identity.get(), message.bodyBytes(), now());
        } finally {
            receivingFrom = null;
        }
        after();
    }

    @Override
    public void close() {
        closed = true;
        router = null;
        for (CompletableFuture<?> waiting : outstanding) {
            waiting.completeExceptionally(new IllegalStateException("the network closed"));
        }
    }

    // ------------------------------------------------------------------ PubSub

    @Override
    public Subscription subscribe(String topic, Consumer<Delivery> handler) {
        checkTopic(topic);
        Objects.requireNonNull(handler, "handler");
        Handle handle = new Handle(topic, handler);
        Runnable join = () -> {
            if (!handle.closed) {
                handlers.computeIfAbsent(topic, t -> new ArrayList<>()).add(handle);
                router.subscribe(topic, now());
                topics = router.topics();
            }
        };
        synchronized (this) {
            if (beforeStart != null && !closed) {
                beforeStart.add(join); // the network is not listening yet: joined at startup
                return handle;
            }
        }
        onPluginThread(null, join);
        return handle;
    }

    @Override
    public CompletableFuture<Published> publish(String topic, byte[] data) {
        checkTopic(topic);
        Objects.requireNonNull(data, "data");
        if (data.length > settings.core().maxDataBytes()) {
            throw new IllegalArgumentException("data is " + data.length + " bytes, over pubsub.max-message-bytes ("
                    + settings.core().maxDataBytes() + ")");
        }
        CompletableFuture<Published> result = new CompletableFuture<>();
        onPluginThread(result, () -> {
            Router.Sent sent = router.publish(topic, author, ++sequence, data, now());
            result.complete(new Published(sent.id(), sent.peers()));
        });
        return result;
    }

    @Override
    public void validator(String topic, Validator validator) {
        checkTopic(topic);
        if (validator == null) {
            validators.remove(topic);
        } else {
            validators.put(topic, validator);
        }
    }

    @Override
    public Set<String> topics() {
        return topics;
    }

    @Override
    public CompletableFuture<List<NodeAddress>> subscribers(String topic) {
        checkTopic(topic);
        CompletableFuture<List<NodeAddress>> result = new CompletableFuture<>();
        onPluginThread(result, () -> result.complete(addresses(router.subscribers(topic))));
        return result;
    }

    @Override
    public CompletableFuture<List<NodeAddress>> mesh(String topic) {
        checkTopic(topic);
        CompletableFuture<List<NodeAddress>> result = new CompletableFuture<>();
        onPluginThread(result, () -> result.complete(addresses(router.mesh(topic))));
        return result;
    }

    @Override
    public PubSubStats stats() {
        return published;
    }

    /** A handler's subscription: closing it leaves the topic once no handler and no {@code pubsub.topics} entry holds it. */
    private final class Handle implements Subscription {
        private final String topic;
        private final Consumer<Delivery> handler;
        /** Written on the plugin thread, and by close on any: read only on the plugin thread after a hop. */
        private volatile boolean closed;

        Handle(String topic, Consumer<Delivery> handler) {
            this.topic = topic;
            this.handler = handler;
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (PubSubPlugin.this) {
                if (beforeStart != null) {
                    return; // not joined yet: its join sees it closed
                }
            }
            try {
                onPluginThread(null, () -> {
                    List<Handle> ofTopic = handlers.getOrDefault(topic, List.of());
                    if (ofTopic.remove(this) && ofTopic.isEmpty()) {
                        handlers.remove(topic);
                        if (!settings.topics().contains(topic)) {
                            router.unsubscribe(topic, now());
                            topics = router.topics();
                        }
                    }
                });
            } catch (IllegalStateException closedNetwork) {
                // Nothing left to leave.
            }
        }
    }

    // ------------------------------------------------------------------ PubSubMXBean

    @Override
    public int getTopics() {
        return published.topics();
    }

    @Override
    public int getPeers() {
        return published.peers();
    }

    @Override
    public int getMeshPeers() {
        return published.meshPeers();
    }

    @Override
    public long getPublished() {
        return published.published();
    }

    @Override
    public long getDelivered() {
        return published.delivered();
    }

    @Override
    public long getForwarded() {
        return published.forwarded();
    }

    @Override
    public long getDuplicates() {
        return published.duplicates();
    }

    @Override
    public long getMalformedMessages() {
        return published.malformed();
    }

    @Override
    public long getRejected() {
        return published.rejected();
    }

    @Override
    public long getIgnored() {
        return published.ignored();
    }

    @Override
    public long getRefused() {
        return published.refused();
    }

    @Override
    public long getGraylisted() {
        return published.graylisted();
    }

    @Override
    public long getGrafts() {
        return published.grafts();
    }

    @Override
    public long getPrunes() {
        return published.prunes();
    }

    @Override
    public long getIhaveSent() {
        return published.ihaveSent();
    }

    @Override
    public long getIwantSent() {
        return published.iwantSent();
    }

    @Override
    public long getServedFromCache() {
        return published.servedFromCache();
    }

    @Override
    public long getHandlerFailures() {
        return published.handlerFailures();
    }

    // ------------------------------------------------------------------ the router's surroundings

    private final class Io implements Router.Io<Object> {
        @Override
        public String ipOf(Object peer) {
            NodeAddress address = addressOf.get(peer);
            if (address == null) {
                return null;
            }
            // A cluster on one machine shares its loopback address: no colocation penalty there.
            boolean loopback = address.host().equals("localhost") || address.host().startsWith("127.") || address.host().equals("::1");
            return loopback ? null : address.host();
        }

        @Override
        public double rttMillis(Object peer) {
            NodeAddress address = addressOf.get(peer);
            Optional<PeerState> state = address == null ? Optional.empty() : network.peerState(address);
            return state.filter(PeerState::connected).map(p -> (double) p.smoothedRtt().toNanos() / 1e6).orElse(-1.0);
        }

        @Override
        public void send(Object peer, byte[] message) {
            NodeAddress to = addressOf.get(peer);
            if (to != null) {
                PubSubPlugin.this.send(to, message);
            }
        }

        @Override
        public void deliver(Router.Message message) {
            NodeAddress from = receivingFrom != null ? receivingFrom : self;
            for (Handle handle : List.copyOf(handlers.getOrDefault(message.topic(), List.of()))) {
                if (handle.closed) {
                    continue;
                }
                try {
                    handle.handler.accept(new Delivery(message.topic(), message.data().clone(), message.id().clone(), from));
                } catch (RuntimeException | Error e) {
                    failed("a handler of topic " + message.topic(), e);
                }
            }
        }

        @Override
        public Router.Validation validate(Router.Message message) {
            Validator validator = validators.get(message.topic());
            if (validator == null) {
                return Router.Validation.ACCEPT;
            }
            try {
                Validator.Verdict verdict = validator.check(new Delivery(message.topic(), message.data().clone(),
                        message.id().clone(), receivingFrom));
                return switch (Objects.requireNonNull(verdict, "verdict")) {
                    case ACCEPT -> Router.Validation.ACCEPT;
                    case IGNORE -> Router.Validation.IGNORE;
                    case REJECT -> Router.Validation.REJECT;
                };
            } catch (RuntimeException | Error e) {
                failed("the validator of topic " + message.topic(), e);
                return Router.Validation.IGNORE;
            }
        }
    }

    private void failed(String what, Throwable e) {
        handlerFailures++;
        LOG.log(System.Logger.Level.WARNING, "pubsub: " + what + " threw", e);
    }

    private void send(NodeAddress to, byte[] body) {
        try {
            network.broadcast(network.newMessage(TYPE, body), to);
        } catch (IllegalStateException closed) {
            LOG.log(System.Logger.Level.DEBUG, "pubsub dropped a message to {0}: {1}", to, closed.getMessage());
        }
    }

    /** Who a peer at this address is: its proven key in a network with keys (empty before it proved one), else its address. */
    private Optional<Object> identity(NodeAddress address) {
        if (!keyed) {
            return Optional.of(address);
        }
        return network.peerState(address).flatMap(PeerState::key).map(key -> key);
    }

    private void meet(Object identity, NodeAddress address) {
        addressOf.put(identity, address);
        router.addPeer(identity, now());
    }

    private void forget(Object identity) {
        router.removePeer(identity, now());
        addressOf.remove(identity);
    }

    /** Meets every connected peer not met yet: sessions that came back, and those the other end opened. */
    private void meetConnectedPeers() {
        for (PeerState peer : network.networkState().peers()) {
            if (peer.connected()) {
                identity(peer.address()).filter(id -> !router.knows(id)).ifPresent(id -> meet(id, peer.address()));
            }
        }
    }

    /** Each heartbeat: peers whose session is gone are forgotten (met again if it comes back), connected ones not met are met. */
    private void sweep() {
        if (router == null) {
            return;
        }
        try {
            forgetGoneAndMeetNew();
        } catch (IllegalStateException closing) {
            closing(closing);
            return;
        }
        after();
        network.schedule(this, Duration.ofMillis(settings.core().heartbeatMillis()), this::sweep);
    }

    private void forgetGoneAndMeetNew() {
        for (Object peer : router.peers()) {
            NodeAddress address = addressOf.get(peer);
            if (address == null || !network.peerState(address).map(PeerState::connected).orElse(false)) {
                forget(peer);
            }
        }
        meetConnectedPeers();
    }

    private List<NodeAddress> addresses(java.util.Collection<Object> peers) {
        List<NodeAddress> out = new ArrayList<>();
        for (Object peer : peers) {
            Optional.ofNullable(addressOf.get(peer)).ifPresent(out::add);
        }
        return out;
    }

    /**
     * Runs an application's call on the plugin thread; fails its future (if any) when the network
     * is closed or not started, or closes before the call's work ends.
     */
    private void onPluginThread(CompletableFuture<?> result, Runnable task) {
        Network net = network;
        if (net == null) {
            throw new IllegalStateException("pubsub has not started: the network is not listening");
        }
        if (closed) {
            if (result == null) {
                throw new IllegalStateException("the network closed");
            }
            result.completeExceptionally(new IllegalStateException("the network closed"));
            return;
        }
        if (result != null) {
            outstanding.add(result);
            result.whenComplete((done, failed) -> outstanding.remove(result));
        }
        try {
            net.schedule(this, Duration.ZERO, () -> {
                if (router == null) {
                    if (result != null) {
                        result.completeExceptionally(new IllegalStateException("the network closed"));
                    }
                } else {
                    task.run();
                    after();
                }
            });
        } catch (IllegalStateException | IllegalArgumentException closed) {
            if (result == null) {
                throw new IllegalStateException("the network closed", closed);
            }
            result.completeExceptionally(new IllegalStateException("the network closed", closed));
        }
    }

    /** After the router ran: publish the figures, and set the timer to its next deadline. */
    private void after() {
        Router<Object> r = router;
        if (r == null) {
            return;
        }
        Router.Counters c = r.counters();
        published = new PubSubStats(topics.size(), r.peerCount(), r.meshPlaces(), c.published, c.delivered, c.forwarded,
                c.duplicates, c.malformed + malformed, c.rejected, c.ignored, c.refused, c.graylisted, c.grafts, c.prunes, c.ihaveSent,
                c.iwantSent, c.servedFromCache, handlerFailures);
        timer.wakeAt(r.nextDeadline());
    }

    private void onTimer(long now) {
        if (router != null) {
            router.tick(now);
            after();
        }
    }

    private long now() {
        return network.clock().millis();
    }
}
