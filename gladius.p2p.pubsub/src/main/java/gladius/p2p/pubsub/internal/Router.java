package gladius.p2p.pubsub.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Gossipsub's router without I/O (docs/PUBSUB.md): peers' subscriptions, a mesh of about D peers
 * per topic kept by a heartbeat (GRAFT, PRUNE with a backoff), fanout for topics this node
 * publishes to without subscribing, a seen cache so each message is delivered and forwarded once,
 * a message cache whose newest IDs are gossiped (IHAVE) to subscribed peers outside the mesh, who
 * ask for what they missed (IWANT). Driven by {@link #receive}, {@link #tick} and the
 * application's calls, each with the time; it sends through {@link Io}. One thread.
 *
 * <p>Beyond gossipsub, on trial and off by default: lazy links over the mesh ({@link Config#choke},
 * per topic or per source). Not here yet (docs/PUBSUB.md, "Order of work"): scores, signatures,
 * IDONTWANT, the other extensions. {@code P} is a peer's identity (its key in a network with keys).
 *
 * @param <P> a peer's identity, with equals and hashCode
 */
final class Router<P> {

    /**
     * The largest data of a message by default: a PUBLISH frame's other fields (at most 303 bytes)
     * and a few small frames fit beside it in the kcp transport's largest message (1 MiB).
     */
    static final int MAX_DATA_BYTES = 1024 * 1024 - 4096;

    /** Topics a peer may say it subscribes to; more SUBSCRIBEs are dropped and counted. */
    static final int MAX_TOPICS_PER_PEER = 1024;

    /** What the router does to the world. */
    interface Io<P> {
        /** Sends one pubsub message to a peer; losing it is the network's business. */
        void send(P peer, byte[] message);

        /** A message of a topic this node subscribes to, once, after it was accepted. */
        void deliver(Message message);

        /** The IP a peer's session comes from, for the scores' colocation penalty; null if unknown (no penalty). */
        default String ipOf(P peer) {
            return null;
        }

        /** The round trip to a peer in milliseconds as last measured; negative if unknown (chosen last by latency). */
        default double rttMillis(P peer) {
            return -1;
        }

        /** The application's verdict on a message before it is delivered or forwarded. */
        default Validation validate(Message message) {
            return Validation.ACCEPT;
        }
    }

    /** What a validator says: deliver and forward; drop quietly; drop and hold it against the sender. */
    enum Validation { ACCEPT, IGNORE, REJECT }

    /** A message as the router hands it over: its ID, topic, author (empty in plain mode), sequence number and data. */
    record Message(byte[] id, String topic, byte[] author, long sequence, byte[] data) {}

    /**
     * Gossipsub's parameters.
     *
     * @param d mesh degree aimed at
     * @param dLo fewer mesh peers than this, and the heartbeat grafts up to d
     * @param dHi more than this, and it prunes down to d
     * @param dLazy peers outside the mesh gossiped to each heartbeat, per topic
     * @param heartbeatMillis time between heartbeats
     * @param mcacheLength heartbeats a message stays in the message cache (answers IWANT)
     * @param mcacheGossip the newest heartbeats of it whose IDs are gossiped
     * @param seenTtlMillis how long a message's ID is remembered as seen
     * @param maxSeen IDs remembered at most (the oldest go first)
     * @param fanoutTtlMillis a topic's fanout is dropped this long after this node last published to it
     * @param pruneBackoffMillis after a PRUNE, neither side grafts the other for this long
     * @param unsubscribeBackoffMillis the backoff of the PRUNEs sent when unsubscribing
     * @param maxIWantPerHeartbeat IDs asked for from one peer per heartbeat at most
     * @param choke Plumtree's lazy links over the mesh (docs/PUBSUB.md): a mesh peer that brings a
     *     duplicate is choked (it announces messages with IHAVE instead of sending them), an IHAVE
     *     not followed by the message within {@code lazyTimeoutMillis} is asked for and unchokes
     *     its sender; off, plain gossipsub
     * @param minEager mesh peers per topic (and source) never choked
     * @param lazyTimeoutMillis how long an announced message may take to come another way
     * @param perSource choke per source (a message's author) rather than per topic: each author's
     *     messages then travel a tree of their own, the links their first copies came over
     * @param maxDataBytes largest message data taken from a peer (larger: dropped as malformed)
     * @param maxWireBytes largest pubsub message sent: frames for one peer are split into messages of at most this
     * @param scoring gossipsub v1.1's peer scores ({@link Scores}), or null for none
     * @param idontwantBytes gossipsub v1.2: on a first copy of a message of at least this many bytes
     *     of data, tell the other mesh peers IDONTWANT (before validating it), so those that have
     *     not sent it yet do not; {@link Integer#MAX_VALUE}: never (v1.1)
     * @param meshByLatency of every D peers grafted into a mesh, this many are the candidates with
     *     the shortest round trips ({@link Io#rttMillis}), the rest at random; 0: all at random (gossipsub)
     * @param idsByAuthor a message's ID from its topic, author and sequence number (libp2p's default),
     *     not from its topic and data: then the same data published twice is two messages
     */
    record Config(int d, int dLo, int dHi, int dLazy, long heartbeatMillis, int mcacheLength, int mcacheGossip,
                  long seenTtlMillis, int maxSeen, long fanoutTtlMillis, long pruneBackoffMillis,
                  long unsubscribeBackoffMillis, int maxIWantPerHeartbeat, boolean choke, int minEager,
                  long lazyTimeoutMillis, boolean perSource, int maxDataBytes, int maxWireBytes, Scores.Params scoring,
                  int idontwantBytes, int meshByLatency, boolean idsByAuthor) {

        /** Gossipsub v1.1's defaults: plain gossipsub. */
        static Config defaults() {
            return new Config(6, 4, 12, 6, 1_000, 5, 3, 120_000, 65_536, 60_000, 60_000, 10_000, 5_000, false, 2, 200, false,
                    MAX_DATA_BYTES, Wire.MAX_MESSAGE, null, Integer.MAX_VALUE, 0, false);
        }

        /** The same with lazy links over the mesh. */
        Config withChoke(boolean on, int eager, long timeoutMillis, boolean bySource) {
            return new Config(d, dLo, dHi, dLazy, heartbeatMillis, mcacheLength, mcacheGossip, seenTtlMillis, maxSeen,
                    fanoutTtlMillis, pruneBackoffMillis, unsubscribeBackoffMillis, maxIWantPerHeartbeat, on, eager,
                    timeoutMillis, bySource, maxDataBytes, maxWireBytes, scoring, idontwantBytes, meshByLatency, idsByAuthor);
        }

        /** The same with other limits on message sizes. */
        Config withLimits(int data, int wire) {
            return new Config(d, dLo, dHi, dLazy, heartbeatMillis, mcacheLength, mcacheGossip, seenTtlMillis, maxSeen,
                    fanoutTtlMillis, pruneBackoffMillis, unsubscribeBackoffMillis, maxIWantPerHeartbeat, choke, minEager,
                    lazyTimeoutMillis, perSource, data, wire, scoring, idontwantBytes, meshByLatency, idsByAuthor);
        }

        /** The same with peer scores ({@code null}: none). */
        Config withScoring(Scores.Params params) {
            return new Config(d, dLo, dHi, dLazy, heartbeatMillis, mcacheLength, mcacheGossip, seenTtlMillis, maxSeen,
                    fanoutTtlMillis, pruneBackoffMillis, unsubscribeBackoffMillis, maxIWantPerHeartbeat, choke, minEager,
                    lazyTimeoutMillis, perSource, maxDataBytes, maxWireBytes, params, idontwantBytes, meshByLatency, idsByAuthor);
        }

        /** The same with gossipsub v1.2's IDONTWANT for data of at least {@code bytes} ({@link Integer#MAX_VALUE}: off). */
        Config withIDontWant(int bytes) {
            return new Config(d, dLo, dHi, dLazy, heartbeatMillis, mcacheLength, mcacheGossip, seenTtlMillis, maxSeen,
                    fanoutTtlMillis, pruneBackoffMillis, unsubscribeBackoffMillis, maxIWantPerHeartbeat, choke, minEager,
                    lazyTimeoutMillis, perSource, maxDataBytes, maxWireBytes, scoring, bytes, meshByLatency, idsByAuthor);
        }

        /** The same with IDs from topic, author and sequence number ({@code true}) or topic and data. */
        Config withIdsByAuthor(boolean byAuthor) {
            return new Config(d, dLo, dHi, dLazy, heartbeatMillis, mcacheLength, mcacheGossip, seenTtlMillis, maxSeen,
                    fanoutTtlMillis, pruneBackoffMillis, unsubscribeBackoffMillis, maxIWantPerHeartbeat, choke, minEager,
                    lazyTimeoutMillis, perSource, maxDataBytes, maxWireBytes, scoring, idontwantBytes, meshByLatency, byAuthor);
        }

        /** The same choosing {@code byLatency} of every D mesh peers by round trip (0: all at random). */
        Config withMeshByLatency(int byLatency) {
            return new Config(d, dLo, dHi, dLazy, heartbeatMillis, mcacheLength, mcacheGossip, seenTtlMillis, maxSeen,
                    fanoutTtlMillis, pruneBackoffMillis, unsubscribeBackoffMillis, maxIWantPerHeartbeat, choke, minEager,
                    lazyTimeoutMillis, perSource, maxDataBytes, maxWireBytes, scoring, idontwantBytes, byLatency, idsByAuthor);
        }
    }

    /** IDs a peer's IDONTWANT is remembered for at most, per peer (the oldest go first); past the gossip window they go anyway. */
    static final int MAX_DONTWANT = 1024;

    /** Mesh peers kept for their scores when the heartbeat prunes a mesh above D_hi (gossipsub's D_score). */
    static final int D_SCORE = 4;

    /** Lanes (topic and source) whose choke state is kept at most, each way; past that, links stay eager. */
    static final int MAX_LANES = 4096;

    /** A topic's messages from one source (or from all, per topic): what a choke applies to. */
    private record Lane(String topic, Id source) {}

    private static final Id EVERY_SOURCE = new Id(new byte[0]);

    /** What the router counted. */
    static final class Counters {
        long published;
        long delivered;
        long forwarded;
        long duplicates;
        long malformed;
        long rejected;
        long ignored;
        long ihaveSent;
        long iwantSent;
        long servedFromCache;
        long grafts;
        long prunes;
        long chokes;
        long unchokes;
        /** SUBSCRIBEs past {@link #MAX_TOPICS_PER_PEER}, and GRAFT, PRUNE, CHOKE and IHAVE of topics that do not apply here. */
        long refused;
        /** Messages from graylisted peers (score below the graylist threshold), dropped unread. */
        long graylisted;
        /** IDs sent in IDONTWANT frames. */
        long idontwantSent;
        /** Copies not sent because the peer had said IDONTWANT. */
        long spared;
    }

    private final Config config;
    private final Io<P> io;
    private final RandomGenerator random;
    private final Counters counters = new Counters();
    /** Each peer's topics. */
    private final Map<P, Set<String>> peers = new HashMap<>();
    private final Set<String> subscribed = new HashSet<>();
    private final Map<String, Set<P>> mesh = new HashMap<>();
    private final Map<String, Set<P>> fanout = new HashMap<>();
    private final Map<String, Long> lastPublished = new HashMap<>();
    /** Per topic, peers not to be grafted before the time given. */
    private final Map<String, Map<P, Long>> backoff = new HashMap<>();
    /** Seen IDs with when they were seen, oldest first. */
    private final LinkedHashMap<Id, Long> seen = new LinkedHashMap<>();
    /** The message cache: a window of IDs per heartbeat, newest first, and the messages they name. */
    private final Deque<List<Id>> windows = new ArrayDeque<>();
    private final Map<Id, Message> cached = new HashMap<>();
    /** Per lane, the mesh peers this node choked (they send it IHAVE), and those that choked it (it sends them IHAVE). */
    private final Map<Lane, Set<P>> choked = new HashMap<>();
    private final Map<Lane, Set<P>> chokedBy = new HashMap<>();
    /**
     * Announced IDs not yet seen, with whom to ask and when (choke only), oldest first: each is
     * asked at its arrival plus one lazy timeout, so with the router's clock never going back (as
     * the seen cache's expiry assumes too) the first entry is always the one due soonest.
     */
    private final LinkedHashMap<Id, Announced<P>> announced = new LinkedHashMap<>();
    /** Per peer, the IDs it said IDONTWANT of, with when (oldest first). */
    private final Map<P, LinkedHashMap<Id, Long>> dontWant = new HashMap<>();
    /** IDs asked for from each peer since the last heartbeat. */
    private final Map<P, Integer> asked = new HashMap<>();
    /** Frames waiting to go to each peer: sent together at the end of each call. */
    private final Map<P, List<Wire.Frame>> outbox = new LinkedHashMap<>();
    private long nextHeartbeat;
    /** The peers' scores; null without scoring. */
    private final Scores<P> scores;
    private long lastDecay = Long.MIN_VALUE;

    Router(Config config, Io<P> io, RandomGenerator random) {
        this.config = config;
        this.io = io;
        this.random = random;
        this.scores = config.scoring() == null ? null : new Scores<>(config.scoring(), io::ipOf, this::lazy);
        windows.addFirst(new ArrayList<>());
    }

    /** {@return how many peers' standings the scores keep (0 without scoring)} */
    int scoredPeers() {
        return scores == null ? 0 : scores.size();
    }

    /** {@return the peer's score now (0 without scoring)} */
    double score(P peer, long now) {
        return scores == null ? 0 : scores.score(peer, now);
    }

    private boolean scoreAtLeast(P peer, double threshold, long now) {
        return scores == null || scores.score(peer, now) >= threshold;
    }

    /** Whether this node choked the mesh peer on some lane of the topic (it then owes no deliveries). */
    private boolean lazy(P peer, String topic) {
        for (Map.Entry<Lane, Set<P>> lane : choked.entrySet()) {
            if (lane.getKey().topic().equals(topic) && lane.getValue().contains(peer)) {
                return true;
            }
        }
        return false;
    }

    Counters counters() {
        return counters;
    }

    /** Sets when the first heartbeat is due (by default at the first {@link #tick}): nodes' heartbeats are not in step. */
    void firstHeartbeatAt(long at) {
        nextHeartbeat = at;
    }

    /** {@return how many entries the router holds about peers and messages: what a hostile peer must not be able to grow} */
    long heldEntries() {
        return peers.values().stream().mapToLong(Set::size).sum() + backoff.values().stream().mapToLong(Map::size).sum()
                + choked.values().stream().mapToLong(Set::size).sum() + chokedBy.values().stream().mapToLong(Set::size).sum()
                + announced.size() + seen.size() + cached.size() + mesh.size() + fanout.size()
                + (scores == null ? 0 : scores.size()) + dontWant.values().stream().mapToLong(Map::size).sum();
    }

    /** {@return the peers of this topic's mesh, for tests and figures} */
    Set<P> mesh(String topic) {
        return Set.copyOf(mesh.getOrDefault(topic, Set.of()));
    }

    /** The ID of a message: SHA-256 of its topic, a zero byte, and its data (the same data twice is one message). */
    static byte[] idOf(String topic, byte[] data) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(topic.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            return sha.digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static final byte[] AUTHOR_LABEL = "gladius pubsub author-sequence\0".getBytes(StandardCharsets.US_ASCII);

    /**
     * The ID of a message of a topic, from its author and sequence number: SHA-256 of a label, the
     * topic, a zero byte, the author and the u64 sequence number (one author's messages are told
     * apart by their numbers, whatever their data).
     */
    static byte[] idOf(String topic, byte[] author, long sequence) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(AUTHOR_LABEL);
            sha.update(topic.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(author);
            return sha.digest(java.nio.ByteBuffer.allocate(Long.BYTES).putLong(sequence).array());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The ID of a message as this router names them ({@link Config#idsByAuthor}). */
    private byte[] idOf(String topic, byte[] author, long sequence, byte[] data) {
        return config.idsByAuthor() ? idOf(topic, author, sequence) : idOf(topic, data);
    }

    /** When {@link #tick} next has work. */
    long nextDeadline() {
        return announced.isEmpty() ? nextHeartbeat : Math.min(nextHeartbeat, announced.values().iterator().next().askAt);
    }

    private record Announced<P>(P from, String topic, long askAt) {}

    // ------------------------------------------------------------------ peers and subscriptions

    /**
     * A peer this node can send to (a session opened, or the application named it): if it is new
     * here, it is told this node's topics and asked for its own (HELLO), so both ends know each
     * other's whichever end opened the session.
     */
    void addPeer(P peer, long now) {
        meet(peer, false);
        flush();
    }

    /** {@return whether the router knows this peer} */
    boolean knows(P peer) {
        return peers.containsKey(peer);
    }

    /** {@return the peers known to subscribe to this topic} */
    List<P> subscribers(String topic) {
        return subscribers(topic, Set.of());
    }

    /** {@return the peers known} */
    Set<P> peers() {
        return Set.copyOf(peers.keySet());
    }

    /** {@return how many peers are known} */
    int peerCount() {
        return peers.size();
    }

    /** {@return mesh places over all topics} */
    int meshPlaces() {
        return mesh.values().stream().mapToInt(Set::size).sum();
    }

    /** {@return the topics this node subscribes to} */
    Set<String> topics() {
        return Set.copyOf(subscribed);
    }

    /**
     * Adds a peer if it is new, then says hello: to a new peer, HELLO asking for its topics (unless
     * it asked first), with this node's; to a known one that asked, this node's topics again.
     */
    private void meet(P peer, boolean itAsked) {
        boolean isNew = peers.putIfAbsent(peer, new HashSet<>()) == null;
        if (isNew && scores != null) {
            scores.connected(peer);
        }
        if (isNew || itAsked) {
            queue(peer, new Wire.Hello(isNew && !itAsked));
            for (String topic : subscribed) {
                queue(peer, new Wire.Subscription(topic, true));
            }
        }
    }

    /** A session ended: the peer leaves every mesh and fanout. */
    void removePeer(P peer, long now) {
        if (peers.remove(peer) != null && scores != null) {
            scores.disconnected(peer, now);
        }
        mesh.values().forEach(m -> m.remove(peer));
        fanout.values().forEach(f -> f.remove(peer));
        choked.values().forEach(c -> c.remove(peer));
        chokedBy.values().forEach(c -> c.remove(peer));
        asked.remove(peer);
        dontWant.remove(peer);
        outbox.remove(peer);
    }

    void subscribe(String topic, long now) {
        if (!subscribed.add(topic)) {
            return;
        }
        for (P peer : peers.keySet()) {
            queue(peer, new Wire.Subscription(topic, true));
        }
        // Join: the fanout's peers first (they already carry this node's messages), then others.
        Set<P> members = new LinkedHashSet<>(Optional.ofNullable(fanout.remove(topic)).orElse(Set.of()));
        lastPublished.remove(topic);
        members.removeIf(p -> inBackoff(topic, p, now));
        if (members.size() < config.d()) {
            members.addAll(pickForMesh(candidates(topic, members, now), config.d() - members.size()));
        }
        mesh.put(topic, members);
        for (P peer : members) {
            entered(peer, topic, now);
            graft(peer, topic);
        }
        flush();
    }

    void unsubscribe(String topic, long now) {
        if (!subscribed.remove(topic)) {
            return;
        }
        for (P peer : peers.keySet()) {
            queue(peer, new Wire.Subscription(topic, false));
        }
        for (P peer : Optional.ofNullable(mesh.remove(topic)).orElse(Set.of())) {
            left(peer, topic, now);
            prune(peer, topic, config.unsubscribeBackoffMillis(), now);
        }
        flush();
    }

    // ------------------------------------------------------------------ publishing and receiving

    /**
     * Publishes a message of this node's and returns its ID. It goes to every peer subscribed to
     * the topic (v1.1's flood publishing: one's own messages start wide); a topic this node does
     * not subscribe to gets a fanout, whose peers it gossips to.
     */
    Sent publish(String topic, byte[] author, long sequence, byte[] data, long now) {
        byte[] id = idOf(topic, author, sequence, data);
        Message message = new Message(id, topic, author, sequence, data);
        counters.published++;
        if (!markSeen(new Id(id), now)) {
            return new Sent(id, 0); // the same data published again: one message
        }
        int peersSent = 0;
        cache(message);
        if (subscribed.contains(topic)) {
            counters.delivered++;
            io.deliver(message);
        } else {
            lastPublished.put(topic, now);
            Set<P> out = fanout.computeIfAbsent(topic, t -> new LinkedHashSet<>());
            if (out.size() < config.d()) {
                out.addAll(pick(publishable(topic, out, now), config.d() - out.size()));
            }
        }
        Wire.Publish frame = new Wire.Publish(topic, author, sequence, data);
        if (config.choke()) {
            // Along the mesh's eager links only (or the fanout's): flooding would be copies by design.
            for (P peer : subscribed.contains(topic) ? mesh.getOrDefault(topic, Set.of()) : fanout.getOrDefault(topic, Set.of())) {
                push(peer, frame, id);
                peersSent++;
            }
        } else {
            for (P peer : publishable(topic, Set.of(), now)) {
                queue(peer, frame);
                peersSent++;
            }
        }
        flush();
        return new Sent(id, peersSent);
    }

    /** What {@link #publish} did: the message's ID, and how many peers it went to (or was announced to). */
    record Sent(byte[] id, int peers) {}

    /** A pubsub message from a peer (added if it was not yet): malformed ones are dropped whole and counted. */
    void receive(P from, byte[] bytes, long now) {
        if (scores != null && peers.containsKey(from) && scores.score(from, now) < scores.params().graylistThreshold()) {
            counters.graylisted++; // not even read: what a spammer sends costs this node next to nothing
            return;
        }
        Optional<List<Wire.Frame>> frames = Wire.decode(bytes);
        if (frames.isEmpty()) {
            counters.malformed++;
            return;
        }
        meet(from, frames.get().stream().anyMatch(f -> f instanceof Wire.Hello h && h.ask()));
        List<byte[]> wanted = new ArrayList<>();
        for (Wire.Frame frame : frames.get()) {
            if (frame instanceof Wire.Subscription s) {
                subscription(from, s, now);
            } else if (frame instanceof Wire.Publish p) {
                published(from, p, now);
            } else if (frame instanceof Wire.Graft g) {
                grafted(from, g.topic(), now);
            } else if (frame instanceof Wire.Prune p) {
                pruned(from, p, now);
            } else if (frame instanceof Wire.IHave h) {
                ihave(from, h, now, wanted);
            } else if (frame instanceof Wire.IDontWant d) {
                dontWant(from, d, now);
            } else if (frame instanceof Wire.IWant w) {
                if (scoreAtLeast(from, gossipThreshold(), now)) {
                    iwant(from, w); // below the gossip threshold, gossip goes neither way
                }
            } else if (frame instanceof Wire.Choke c) {
                choke(from, c);
            }
        }
        if (!wanted.isEmpty()) {
            counters.iwantSent += wanted.size();
            queue(from, new Wire.IWant(wanted));
        }
        flush();
    }

    private void subscription(P from, Wire.Subscription s, long now) {
        Set<String> topics = peers.get(from);
        if (s.on()) {
            if (topics.size() < MAX_TOPICS_PER_PEER || topics.contains(s.topic())) {
                topics.add(s.topic());
            } else {
                counters.refused++;
            }
        } else {
            topics.remove(s.topic());
            if (mesh.getOrDefault(s.topic(), Set.of()).contains(from)) {
                left(from, s.topic(), now);
                mesh.get(s.topic()).remove(from);
            }
            forgetChokes(from, s.topic());
            Optional.ofNullable(fanout.get(s.topic())).ifPresent(f -> f.remove(from));
        }
    }

    private void published(P from, Wire.Publish p, long now) {
        if (p.data().length > config.maxDataBytes()) {
            counters.malformed++; // larger than this node takes: nobody's message it will pass on
            return;
        }
        if (!subscribed.contains(p.topic())) {
            counters.refused++; // gossipsub forwards only topics it is in
            return;
        }
        byte[] id = idOf(p.topic(), p.author(), p.sequence(), p.data());
        Id key = new Id(id);
        announced.remove(key);
        boolean fromMesh = mesh.getOrDefault(p.topic(), Set.of()).contains(from);
        if (!markSeen(key, now)) {
            counters.duplicates++;
            if (scores != null && fromMesh) {
                scores.lateDelivery(from, p.topic(), now - seen.getOrDefault(key, now));
            }
            chokeOnDuplicate(from, p.topic(), p.author());
            return;
        }
        if (p.data().length >= config.idontwantBytes()) {
            // v1.2: before validating (which may take long), so the other mesh peers spare the copies they have not sent.
            for (P peer : mesh.getOrDefault(p.topic(), Set.of())) {
                if (!peer.equals(from)) {
                    counters.idontwantSent++;
                    queue(peer, new Wire.IDontWant(List.of(id)));
                }
            }
            flush(); // ahead of the validation and of anything this message makes this node send
        }
        Message message = new Message(id, p.topic(), p.author(), p.sequence(), p.data());
        switch (io.validate(message)) {
            case REJECT -> {
                counters.rejected++;
                if (scores != null) {
                    scores.invalid(from, p.topic());
                }
                return;
            }
            case IGNORE -> {
                counters.ignored++;
                return;
            }
            case ACCEPT -> { }
        }
        cache(message);
        if (scores != null) {
            scores.firstDelivery(from, p.topic(), fromMesh);
        }
        counters.delivered++; // subscribed: checked first
        io.deliver(message);
        for (P peer : mesh.getOrDefault(p.topic(), Set.of())) {
            if (!peer.equals(from) && push(peer, p, id)) {
                counters.forwarded++;
            }
        }
    }

    private Lane lane(String topic, byte[] author) {
        return new Lane(topic, config.perSource() ? new Id(author) : EVERY_SOURCE);
    }

    /**
     * A message to a mesh peer: itself, or, if that peer choked this node, an IHAVE of it; nothing if
     * the peer said IDONTWANT of it. Returns whether anything was queued.
     */
    private boolean push(P peer, Wire.Publish message, byte[] id) {
        Map<Id, Long> spared = dontWant.get(peer);
        if (spared != null && spared.containsKey(new Id(id))) {
            counters.spared++;
            return false;
        }
        if (chokedBy.getOrDefault(lane(message.topic(), message.author()), Set.of()).contains(peer)) {
            queue(peer, new Wire.IHave(message.topic(), List.of(id)));
        } else {
            queue(peer, message);
        }
        return true;
    }

    /** A duplicate over a mesh link: choke it for the message's lane, if that leaves at least minEager links eager. */
    private void chokeOnDuplicate(P from, String topic, byte[] author) {
        Set<P> members = mesh.get(topic);
        Lane lane = lane(topic, author);
        if (!config.choke() || members == null || !members.contains(from)
                || (!choked.containsKey(lane) && choked.size() >= MAX_LANES)) {
            return;
        }
        Set<P> mine = choked.computeIfAbsent(lane, l -> new HashSet<>());
        if (!mine.contains(from) && members.size() - mine.size() > config.minEager()) {
            mine.add(from);
            counters.chokes++;
            queue(from, new Wire.Choke(topic, true, lane.source().bytes));
        }
    }

    private void grafted(P from, String topic, long now) {
        Set<P> members = mesh.get(topic);
        if (members == null) {
            counters.refused++; // not subscribed here: said so, and nothing kept
            queue(from, new Wire.Prune(topic, (int) (config.pruneBackoffMillis() / 1000)));
        } else if (inBackoff(topic, from, now)) {
            if (scores != null) {
                scores.penalty(from); // a GRAFT within the backoff breaks the protocol (P7)
            }
            prune(from, topic, config.pruneBackoffMillis(), now); // it grafted too soon: the backoff starts again
        } else if (!scoreAtLeast(from, 0, now)) {
            counters.refused++; // a peer with a negative score is kept out of every mesh
            prune(from, topic, config.pruneBackoffMillis(), now);
        } else if (members.add(from)) { // above dHi the heartbeat prunes
            entered(from, topic, now);
            forgetChokes(from, topic);
        }
    }

    /** Only a mesh peer of a topic this node is in can choke it, on at most MAX_LANES lanes: nothing else is kept. */
    private void choke(P from, Wire.Choke c) {
        Lane lane = new Lane(c.topic(), new Id(c.source()));
        if (!mesh.getOrDefault(c.topic(), Set.of()).contains(from)
                || (c.on() && !chokedBy.containsKey(lane) && chokedBy.size() >= MAX_LANES)) {
            counters.refused++;
        } else if (c.on()) {
            chokedBy.computeIfAbsent(lane, l -> new HashSet<>()).add(from);
        } else {
            Optional.ofNullable(chokedBy.get(lane)).ifPresent(set -> set.remove(from));
            chokedBy.values().removeIf(Set::isEmpty);
        }
    }

    private void pruned(P from, Wire.Prune p, long now) {
        if (!mesh.containsKey(p.topic())) {
            counters.refused++; // not subscribed here: no backoff to keep
            return;
        }
        if (mesh.get(p.topic()).contains(from)) {
            left(from, p.topic(), now);
            mesh.get(p.topic()).remove(from);
        }
        forgetChokes(from, p.topic());
        backoff(p.topic(), from, now + Math.max(p.backoffSeconds() * 1000L, config.heartbeatMillis()));
    }

    private void ihave(P from, Wire.IHave h, long now, List<byte[]> wanted) {
        if (!subscribed.contains(h.topic()) || !scoreAtLeast(from, gossipThreshold(), now)) {
            return;
        }
        if (config.choke()) {
            // The message is likely on its way along an eager link: ask only if it has not come by then.
            for (byte[] id : h.ids()) {
                Id key = new Id(id);
                if (!seen.containsKey(key) && !announced.containsKey(key) && announced.size() < config.maxSeen()) {
                    announced.put(key, new Announced<>(from, h.topic(), now + config.lazyTimeoutMillis()));
                }
            }
            return;
        }
        int before = wanted.size();
        int room = config.maxIWantPerHeartbeat() - asked.getOrDefault(from, 0);
        for (byte[] id : h.ids()) {
            if (room <= 0) {
                break;
            }
            if (!seen.containsKey(new Id(id)) && wanted.stream().noneMatch(w -> Arrays.equals(w, id))) {
                wanted.add(id);
                room--;
            }
        }
        asked.merge(from, wanted.size() - before, Integer::sum);
    }

    /** A peer's IDONTWANT: kept (bounded per peer) until the gossip window has passed. */
    private void dontWant(P from, Wire.IDontWant d, long now) {
        LinkedHashMap<Id, Long> ids = dontWant.computeIfAbsent(from, p -> new LinkedHashMap<>());
        for (byte[] id : d.ids()) {
            ids.put(new Id(id), now);
            if (ids.size() > MAX_DONTWANT) {
                Iterator<Id> oldest = ids.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
        }
    }

    private void iwant(P from, Wire.IWant w) {
        for (byte[] id : w.ids()) {
            Message message = cached.get(new Id(id));
            if (message != null) {
                counters.servedFromCache++;
                queue(from, new Wire.Publish(message.topic(), message.author(), message.sequence(), message.data()));
            }
        }
    }

    // ------------------------------------------------------------------ the heartbeat

    /** Runs what is due: announced messages that did not come, and the heartbeat. */
    void tick(long now) {
        askForLateAnnouncements(now);
        if (now < nextHeartbeat) {
            flush();
            return;
        }
        nextHeartbeat = now + config.heartbeatMillis();
        if (scores != null) {
            if (lastDecay != Long.MIN_VALUE) {
                scores.decay(now - lastDecay);
            }
            lastDecay = now;
        }
        for (Map.Entry<String, Set<P>> entry : mesh.entrySet()) {
            String topic = entry.getKey();
            Set<P> members = entry.getValue();
            for (P peer : List.copyOf(members)) {
                if (!peers.getOrDefault(peer, Set.of()).contains(topic)) {
                    left(peer, topic, now);
                    members.remove(peer);
                } else if (!scoreAtLeast(peer, 0, now)) {
                    // A negative score leaves the mesh (v1.1), with a backoff: a peer that drops what it should carry, say.
                    left(peer, topic, now);
                    members.remove(peer);
                    prune(peer, topic, config.pruneBackoffMillis(), now);
                }
            }
            if (members.size() < config.dLo()) {
                for (P peer : pickForMesh(candidates(topic, members, now), config.d() - members.size())) {
                    members.add(peer);
                    entered(peer, topic, now);
                    graft(peer, topic);
                }
            } else if (members.size() > config.dHi()) {
                for (P peer : surplus(members, now)) {
                    left(peer, topic, now);
                    members.remove(peer);
                    prune(peer, topic, config.pruneBackoffMillis(), now);
                }
            }
            gossip(topic, members, now);
        }
        for (Iterator<Map.Entry<String, Set<P>>> it = fanout.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Set<P>> entry = it.next();
            String topic = entry.getKey();
            if (now - lastPublished.getOrDefault(topic, 0L) > config.fanoutTtlMillis()) {
                it.remove();
                lastPublished.remove(topic);
                continue;
            }
            Set<P> out = entry.getValue();
            out.removeIf(p -> !peers.getOrDefault(p, Set.of()).contains(topic) || !scoreAtLeast(p, publishThreshold(), now));
            if (out.size() < config.d()) {
                out.addAll(pick(publishable(topic, out, now), config.d() - out.size()));
            }
            gossip(topic, out, now);
        }
        // The message cache moves on a window; the oldest leaves it.
        windows.addFirst(new ArrayList<>());
        while (windows.size() > config.mcacheLength()) {
            windows.removeLast().forEach(cached::remove);
        }
        for (Iterator<Long> it = seen.values().iterator(); it.hasNext() && now - it.next() > config.seenTtlMillis(); ) {
            it.remove();
        }
        backoff.values().forEach(peersBackedOff -> peersBackedOff.values().removeIf(until -> until <= now));
        backoff.values().removeIf(Map::isEmpty);
        asked.clear();
        long forgetBefore = now - config.mcacheGossip() * config.heartbeatMillis();
        for (Iterator<LinkedHashMap<Id, Long>> it = dontWant.values().iterator(); it.hasNext(); ) {
            LinkedHashMap<Id, Long> ids = it.next();
            ids.values().removeIf(at -> at < forgetBefore);
            if (ids.isEmpty()) {
                it.remove();
            }
        }
        flush();
    }

    /**
     * An announced message that has not come another way within the lazy timeout is asked for
     * from its announcer, whose link becomes eager again (UNCHOKE): the eager links failed here.
     */
    private void askForLateAnnouncements(long now) {
        Map<P, List<byte[]>> wanted = new LinkedHashMap<>();
        for (Iterator<Map.Entry<Id, Announced<P>>> it = announced.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Id, Announced<P>> entry = it.next();
            Announced<P> a = entry.getValue();
            if (a.askAt > now) {
                break; // the rest arrived later: none is due
            }
            it.remove();
            if (seen.containsKey(entry.getKey()) || !peers.containsKey(a.from)) {
                continue;
            }
            wanted.computeIfAbsent(a.from, p -> new ArrayList<>()).add(entry.getKey().bytes);
            // An IHAVE does not say its source: every lane of the topic this link was choked on opens again.
            for (Map.Entry<Lane, Set<P>> lane : choked.entrySet()) {
                if (lane.getKey().topic().equals(a.topic) && lane.getValue().remove(a.from)) {
                    counters.unchokes++;
                    queue(a.from, new Wire.Choke(a.topic, false, lane.getKey().source().bytes));
                }
            }
            choked.values().removeIf(Set::isEmpty);
        }
        wanted.forEach((peer, ids) -> {
            counters.iwantSent += ids.size();
            queue(peer, new Wire.IWant(ids));
        });
    }

    /** IHAVE of the newest windows' IDs of this topic to dLazy subscribed peers outside {@code exclude}, above the gossip threshold. */
    private void gossip(String topic, Set<P> exclude, long now) {
        List<byte[]> ids = new ArrayList<>();
        int window = 0;
        for (List<Id> ofWindow : windows) {
            if (window++ == config.mcacheGossip()) {
                break;
            }
            for (Id id : ofWindow) {
                Message message = cached.get(id);
                if (message != null && message.topic().equals(topic)) {
                    ids.add(id.bytes);
                }
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        List<P> targets = subscribers(topic, exclude);
        if (scores != null) {
            targets.removeIf(p -> scores.score(p, now) < scores.params().gossipThreshold());
        }
        for (P peer : pick(targets, config.dLazy())) {
            counters.ihaveSent++;
            queue(peer, new Wire.IHave(topic, ids));
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Subscribed peers not in {@code exclude}, not backed off: who may join a mesh. */
    private List<P> candidates(String topic, Collection<P> exclude, long now) {
        List<P> out = subscribers(topic, exclude);
        out.removeIf(p -> inBackoff(topic, p, now) || !scoreAtLeast(p, 0, now));
        return out;
    }

    /** Subscribed peers not in {@code exclude} whose scores are at the publish threshold or above: who gets this node's own messages. */
    private List<P> publishable(String topic, Collection<P> exclude, long now) {
        List<P> out = subscribers(topic, exclude);
        if (scores != null) {
            out.removeIf(p -> scores.score(p, now) < publishThreshold());
        }
        return out;
    }

    private double gossipThreshold() {
        return scores == null ? Double.NEGATIVE_INFINITY : scores.params().gossipThreshold();
    }

    private double publishThreshold() {
        return scores == null ? Double.NEGATIVE_INFINITY : scores.params().publishThreshold();
    }

    /** Mesh peers the heartbeat prunes above D_hi: all but the D_SCORE best scores and D - D_SCORE others at random. */
    private List<P> surplus(Set<P> members, long now) {
        List<P> order = new ArrayList<>(members);
        shuffle(order);
        if (scores != null) {
            order.sort(java.util.Comparator.comparingDouble((P p) -> scores.score(p, now)).reversed());
            int best = Math.min(D_SCORE, config.d());
            List<P> rest = new ArrayList<>(order.subList(best, order.size()));
            shuffle(rest);
            order = new ArrayList<>(order.subList(0, best));
            order.addAll(rest);
        }
        return new ArrayList<>(order.subList(config.d(), order.size()));
    }

    private List<P> subscribers(String topic, Collection<P> exclude) {
        List<P> out = new ArrayList<>();
        for (Map.Entry<P, Set<String>> peer : peers.entrySet()) {
            if (peer.getValue().contains(topic) && !exclude.contains(peer.getKey())) {
                out.add(peer.getKey());
            }
        }
        return out;
    }

    /**
     * {@code n} peers to graft: with {@code meshByLatency}, that share of them (rounded up) the
     * candidates with the shortest round trips, the rest at random among the others; else all at random.
     */
    private List<P> pickForMesh(List<P> candidates, int n) {
        if (config.meshByLatency() <= 0 || n <= 0) {
            return pick(candidates, n);
        }
        int fast = Math.min(n, (n * config.meshByLatency() + config.d() - 1) / config.d());
        shuffle(candidates); // ties (unknown round trips) fall at random
        List<P> byRtt = new ArrayList<>(candidates);
        byRtt.sort(java.util.Comparator.comparingDouble(p -> {
            double rtt = io.rttMillis(p);
            return rtt < 0 ? Double.MAX_VALUE : rtt;
        }));
        List<P> chosen = new ArrayList<>(byRtt.subList(0, Math.min(fast, byRtt.size())));
        List<P> rest = new ArrayList<>(candidates);
        rest.removeAll(chosen);
        chosen.addAll(pick(rest, n - chosen.size()));
        return chosen;
    }

    private List<P> pick(List<P> from, int n) {
        if (n <= 0) {
            return List.of();
        }
        shuffle(from);
        return from.subList(0, Math.min(n, from.size()));
    }

    private void shuffle(List<P> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            P swap = list.get(i);
            list.set(i, list.get(j));
            list.set(j, swap);
        }
    }

    private boolean inBackoff(String topic, P peer, long now) {
        return backoff.getOrDefault(topic, Map.of()).getOrDefault(peer, Long.MIN_VALUE) > now;
    }

    private void backoff(String topic, P peer, long until) {
        backoff.computeIfAbsent(topic, t -> new HashMap<>()).merge(peer, until, Math::max);
    }

    /** A link that leaves the mesh leaves its choke state behind: back in, it starts eager. */
    private void forgetChokes(P peer, String topic) {
        for (Map<Lane, Set<P>> lanes : List.of(choked, chokedBy)) {
            lanes.forEach((lane, set) -> {
                if (lane.topic().equals(topic)) {
                    set.remove(peer);
                }
            });
            lanes.values().removeIf(Set::isEmpty);
        }
    }

    /** A peer entered this node's mesh of a topic: its time in the mesh and its deliveries count from now. */
    private void entered(P peer, String topic, long now) {
        if (scores != null) {
            scores.joinedMesh(peer, topic, now);
        }
    }

    /** A peer is leaving this node's mesh of a topic (call before it is removed): a delivery deficit stays against it. */
    private void left(P peer, String topic, long now) {
        if (scores != null) {
            scores.leftMesh(peer, topic, now);
        }
    }

    private void graft(P peer, String topic) {
        counters.grafts++;
        queue(peer, new Wire.Graft(topic));
    }

    private void prune(P peer, String topic, long backoffMillis, long now) {
        counters.prunes++;
        forgetChokes(peer, topic);
        backoff(topic, peer, now + backoffMillis);
        queue(peer, new Wire.Prune(topic, (int) Math.min(65_535, backoffMillis / 1000)));
    }

    /** Marks an ID seen; false if it already was. Bounded: the oldest ID goes first. */
    private boolean markSeen(Id id, long now) {
        if (seen.putIfAbsent(id, now) != null) {
            return false;
        }
        if (seen.size() > config.maxSeen()) {
            Iterator<Id> oldest = seen.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    private void cache(Message message) {
        if (cached.size() >= config.maxSeen()) {
            return; // bounded: gossip can wait for the next window
        }
        Id id = new Id(message.id());
        cached.put(id, message);
        windows.peekFirst().add(id);
    }

    private void queue(P peer, Wire.Frame frame) {
        if (peers.containsKey(peer)) {
            outbox.computeIfAbsent(peer, p -> new ArrayList<>()).add(frame);
        }
    }

    /** Sends each peer's waiting frames, in as few messages as {@code maxWireBytes} allows. */
    private void flush() {
        for (Map.Entry<P, List<Wire.Frame>> entry : outbox.entrySet()) {
            List<Wire.Frame> frames = entry.getValue();
            if (frames.size() == 1) {
                io.send(entry.getKey(), Wire.encode(frames)); // one frame is within the limit by construction
                continue;
            }
            java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
            int count = 0;
            for (Wire.Frame frame : frames) {
                byte[] encoded = Wire.encode(List.of(frame));
                if (count > 0 && (message.size() + encoded.length > config.maxWireBytes() || count == Wire.MAX_FRAMES)) {
                    io.send(entry.getKey(), message.toByteArray());
                    message.reset();
                    count = 0;
                }
                message.writeBytes(encoded);
                count++;
            }
            io.send(entry.getKey(), message.toByteArray());
        }
        outbox.clear();
    }

    /** A message ID as a map key. */
    private static final class Id {
        final byte[] bytes;
        private final int hash;

        Id(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Id other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
