package gladius.p2p.pubsub.internal;

import gladius.p2p.benchmarks.ModelledLinks;
import gladius.p2p.sim.Geography;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Pubsub's figures at scale (issue 28): N routers ({@link Router}) in virtual time
 * ({@link VirtualPubSub}) on the simulator's Earth ({@link Geography#EARTH}), without transports,
 * each with sessions to DEGREE random others. The transport is modelled by {@link ModelledLinks}:
 * a pair's first message waits one more round trip (the handshake), and a message with a lost
 * datagram (loss LOSS per datagram of 1,400 bytes) waits a retransmission timeout; nothing is
 * lost outright. {@code -Duplink=MBIT} gives every node an uplink of that many Mbit/s (copies
 * leave one after the other; downlinks unlimited); without it links have no bandwidth limit.
 *
 * <p>Topics: {@code -Dtopics=T} topics (1), each node subscribed to {@code -DtopicsPerNode=S} of
 * them at random (all). Gossipsub passes a topic's messages only among its subscribers, so when
 * nodes take only some topics each joining node also opens sessions to {@code -DtopicPeers=K}
 * (3) random subscribers of each of its topics, as topic discovery would find them (the DHT's
 * provider records, or Ethereum's ENR subnet bits; the plugin does not do this yet). After a minute for the meshes to settle, random nodes (of the first
 * {@code -Dpublishers=P}, subscribed or not) publish MESSAGES messages of SIZE bytes to random
 * topics, one every 200 ms ({@code -Dinterval=MS}, a multiple of 100); then a minute for the last to arrive. {@code -Dchurn=R} replaces a
 * share R of the nodes per minute from the first message on (a random live node crashes, and a new
 * one joins with DEGREE sessions to live nodes and its own topics).
 *
 * <p>Prints delivery (of the live subscribers of each message's topic that had joined 5 s before
 * it was published, for each message handed to at least one peer: a publisher that knows no
 * subscriber of a topic hands its message to nobody and is told so, and those are counted apart, so churn's newcomers count once their meshes can have formed), propagation
 * percentiles (publish to delivery), duplicates per delivered message (copies a node received of a
 * message it already had), and bytes sent per live node per message (heartbeats, gossip and any
 * attacker's sends included).
 *
 * <p>Attacks: {@code -Ddroppers=F} makes a share F of the nodes drop every message they should
 * pass on (they still take part in the mesh's control); {@code -Dspammers=F} makes a share F
 * publish an invalid message (one every honest validator rejects) every 100 ms while the honest
 * messages go. Attackers never publish honest messages, never churn, and are left out of the
 * figures, which then add how much of the honest meshes the droppers held at the first and the
 * last message, and how many of the spammers' links to honest peers graylisted them.
 * {@code -Dscores=true} turns gossipsub v1.1's peer scores on ({@link Scores.Params#defaults});
 * {@code -Didontwant=BYTES} gossipsub v1.2's IDONTWANT for messages of that many bytes or more;
 * {@code -DbyLatency=K} K of every D mesh peers chosen by round trip (the rest at random).
 *
 * <pre>
 *   java -Xmx8g [-Dchoke=true [-Deager=2] [-DlazyTimeout=200] [-DperSource=true]] [-Dscores=true] [-Didontwant=BYTES] [-DbyLatency=K] [-Ddroppers=F] [-Dspammers=F]
 *       [-Dtopics=T [-DtopicsPerNode=S]] [-Dchurn=R] [-Duplink=MBIT] [-Dpublishers=P] [-Dinterval=MS]
 *       -cp benchmarks/target/benchmarks.jar gladius.p2p.pubsub.internal.PubSubScale N DEGREE MESSAGES SIZE LOSS [SEED]
 * </pre>
 */
public final class PubSubScale {

    /** The first byte of a message every honest validator rejects. */
    private static final byte SPAM = (byte) 0xff;

    /** How long a newcomer has to join its topics' meshes before it counts as a subscriber. */
    private static final long SETTLING_MILLIS = 5_000;

    private final SplittableRandom random;
    private final VirtualPubSub net;
    private final List<Geography.Place> places;
    private final int degree;
    private final List<String> topics = new ArrayList<>();
    private final int topicsPerNode;
    private final Map<Integer, Set<String>> topicsOf = new HashMap<>();
    private final Map<Integer, Long> joinedAt = new HashMap<>();
    /** Per topic, the nodes that subscribed to it (crashed ones too: they are skipped). */
    private final Map<String, List<Integer>> subscribersOf = new HashMap<>();
    private final int topicPeers;

    private PubSubScale(SplittableRandom random, VirtualPubSub net, List<Geography.Place> places, int degree, int topicCount,
                        int topicsPerNode) {
        this.random = random;
        this.net = net;
        this.places = places;
        this.degree = degree;
        for (int t = 0; t < topicCount; t++) {
            topics.add("t" + t);
        }
        this.topicsPerNode = Math.min(topicsPerNode, topicCount);
        this.topicPeers = this.topicsPerNode < topicCount ? Integer.getInteger("topicPeers", 3) : 0;
    }

    /**
     * @param args nodes, sessions each opens, messages, message bytes, loss share, seed (default 1)
     */
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        int degree = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        double loss = Double.parseDouble(args[4]);
        long seed = args.length > 5 ? Long.parseLong(args[5]) : 1;
        long started = System.nanoTime();

        SplittableRandom random = new SplittableRandom(seed);
        List<Geography.Place> places = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            places.add(Geography.EARTH.place(new Random(random.nextLong())));
        }
        ModelledLinks links = new ModelledLinks(places, loss);
        VirtualPubSub.Latency latency = new VirtualPubSub.Latency() {
            @Override
            public double oneWayMillis(int from, int to, SplittableRandom r) {
                return links.oneWayMillis(from, to, r);
            }

            @Override
            public double oneWayMillis(int from, int to, int bytes, SplittableRandom r) {
                return links.oneWayMillis(from, to, bytes, r);
            }

            @Override
            public double rttMillis(int from, int to) {
                return links.rttMillis(from, to);
            }
        };
        Router.Config config = Router.Config.defaults().withChoke(Boolean.getBoolean("choke"), Integer.getInteger("eager", 2),
                Long.getLong("lazyTimeout", 200), Boolean.getBoolean("perSource"));
        if (Boolean.getBoolean("scores")) {
            config = config.withScoring(Scores.Params.defaults());
        }
        config = config.withIDontWant(Integer.getInteger("idontwant", Integer.MAX_VALUE))
                .withMeshByLatency(Integer.getInteger("byLatency", 0));
        VirtualPubSub net = VirtualPubSub.connected(new VirtualPubSub(seed, config, latency, 0), n, degree);
        double uplinkMbit = Double.parseDouble(System.getProperty("uplink", "0"));
        net.uplink(uplinkMbit * 1_000_000 / 8 / 1000);
        int topicCount = Integer.getInteger("topics", 1);
        PubSubScale run = new PubSubScale(random, net, places, degree, topicCount, Integer.getInteger("topicsPerNode", topicCount));

        int publishers = Integer.getInteger("publishers", n);
        // Attackers come from outside the publishers where there is room, else from anywhere (and then publish nothing honest).
        Set<Integer> droppers = attackers(random, n, publishers, Double.parseDouble(System.getProperty("droppers", "0")), Set.of());
        Set<Integer> spammers = attackers(random, n, publishers, Double.parseDouble(System.getProperty("spammers", "0")), droppers);
        Set<Integer> hostile = new HashSet<>(droppers);
        hostile.addAll(spammers);
        for (VirtualPubSub.Node node : net.nodes()) {
            node.dropper = droppers.contains(node.index);
            run.join(node);
        }
        net.run(60_000);
        double heldBefore = meshShare(net, droppers, hostile);
        long settledMessages = net.messages();
        long settledBytes = net.bytes();

        double churn = Double.parseDouble(System.getProperty("churn", "0"));
        int interval = Math.max(100, Integer.getInteger("interval", 200) / 100 * 100);
        double churnDebt = 0;
        int crashed = 0;
        Map<String, Long> publishedAt = new HashMap<>();
        Map<String, String> topicOf = new HashMap<>();
        Set<String> unsent = new HashSet<>();
        long spam = 0;
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            if (size > 0 && data[0] == SPAM) {
                data[0] = 0; // honest data is never spam
            }
            String topic = run.topics.get(random.nextInt(run.topics.size()));
            String key = VirtualPubSub.key(topic, data);
            publishedAt.put(key, net.now());
            topicOf.put(key, topic);
            int publisher;
            do {
                publisher = random.nextInt(Math.min(publishers, net.nodes().size()));
            } while (hostile.contains(publisher) || !net.nodes().get(publisher).up);
            byte[] author = ByteBuffer.allocate(4).putInt(publisher).array(); // as a key would tell authors apart
            if (net.nodes().get(publisher).router.publish(topic, author, i, data, net.now()).peers() == 0) {
                unsent.add(key); // the publisher knew no subscriber of the topic: its application is told (0 peers)
            }
            for (int step = 0; step < interval / 100; step++) {
                for (int spammer : spammers) {
                    byte[] junk = new byte[Math.max(1, size)];
                    random.nextBytes(junk);
                    junk[0] = SPAM;
                    net.nodes().get(spammer).router.publish(run.topics.get(random.nextInt(run.topics.size())),
                            ByteBuffer.allocate(4).putInt(spammer).array(), spam++, junk, net.now());
                }
                net.run(100);
            }
            churnDebt += churn * (net.nodes().size() - crashed) * interval / 60_000.0;
            for (; churnDebt >= 1; churnDebt--) {
                VirtualPubSub.Node leaving;
                do {
                    leaving = net.nodes().get(random.nextInt(net.nodes().size()));
                } while (!leaving.up || hostile.contains(leaving.index));
                net.crash(leaving);
                crashed++;
                places.add(Geography.EARTH.place(new Random(random.nextLong())));
                VirtualPubSub.Node joining = net.add();
                for (int tries = 0; joining.sessions.size() < degree && tries < 100 * degree; tries++) {
                    VirtualPubSub.Node other = net.nodes().get(random.nextInt(net.nodes().size()));
                    if (other.up && other != joining) {
                        net.connect(joining, other);
                    }
                }
                run.join(joining);
            }
        }
        double heldAfter = meshShare(net, droppers, hostile);
        long graylisting = 0;
        long spammerLinks = 0;
        for (int spammer : spammers) {
            for (int peer : net.nodes().get(spammer).sessions) {
                if (!hostile.contains(peer)) {
                    spammerLinks++;
                    Router<Integer> router = net.nodes().get(peer).router;
                    graylisting += config.scoring() != null && router.score(spammer, net.now()) < config.scoring().graylistThreshold() ? 1 : 0;
                }
            }
        }
        net.run(60_000);

        List<Long> times = new ArrayList<>();
        long expected = 0;
        long delivered = 0;
        for (Map.Entry<String, Long> message : publishedAt.entrySet()) {
            if (unsent.contains(message.getKey())) {
                continue;
            }
            String topic = topicOf.get(message.getKey());
            for (VirtualPubSub.Node node : net.nodes()) {
                if (node.up && !hostile.contains(node.index) && run.topicsOf.get(node.index).contains(topic)
                        && run.joinedAt.get(node.index) + SETTLING_MILLIS <= message.getValue()) {
                    expected++;
                    Long at = node.delivered.get(message.getKey());
                    if (at != null) {
                        delivered++;
                        times.add(at - message.getValue());
                    }
                }
            }
        }
        long allDelivered = 0;
        long duplicates = 0;
        long chokes = 0;
        long unchokes = 0;
        long iwants = 0;
        long spared = 0;
        int live = 0;
        for (VirtualPubSub.Node node : net.nodes()) {
            live += node.up ? 1 : 0;
            if (!node.up || hostile.contains(node.index)) {
                continue;
            }
            allDelivered += node.delivered.size();
            duplicates += node.router.counters().duplicates;
            chokes += node.router.counters().chokes;
            unchokes += node.router.counters().unchokes;
            iwants += node.router.counters().iwantSent;
            spared += node.router.counters().spared;
        }
        long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
        long messages = net.messages() - settledMessages;
        long bytes = net.bytes() - settledBytes;
        String mode = (config.choke() ? "lazy links (choke" + (config.perSource() ? " per source" : "") + ", " + config.minEager()
                + " eager at least, lazy timeout " + config.lazyTimeoutMillis() + " ms)" : "plain gossipsub")
                + (config.scoring() != null ? " with scores" : "")
                + (config.idontwantBytes() < Integer.MAX_VALUE ? ", IDONTWANT from " + config.idontwantBytes() + " B (v1.2)" : "")
                + (config.meshByLatency() > 0 ? ", " + config.meshByLatency() + " of D mesh peers by round trip" : "");
        System.out.printf(Locale.ROOT, "pubsub: %d nodes, %d sessions opened each, %d messages of %d B every %d ms, loss %.0f %%, seed %d, %s%n",
                n, degree, count, size, interval, 100 * loss, seed, mode);
        System.out.printf(Locale.ROOT, "topics %d (%d per node, %d sessions opened to subscribers of each), churn %.1f %% a minute"
                + " (%d replaced), uplink %s%n", run.topics.size(), run.topicsPerNode, run.topicPeers, 100 * churn, crashed,
                uplinkMbit > 0 ? uplinkMbit + " Mbit/s" : "unlimited");
        if (!hostile.isEmpty()) {
            System.out.printf(Locale.ROOT, "attackers: %d droppers (%.1f %% of honest mesh places at the first message, %.1f %% at the last),"
                    + " %d spammers (%d invalid messages; graylisted on %s of their links to honest peers)%n",
                    droppers.size(), 100 * heldBefore, 100 * heldAfter, spammers.size(), spam,
                    config.scoring() == null ? "none (no scores)" : graylisting + " of " + spammerLinks);
        }
        System.out.printf(Locale.ROOT, "delivered %.3f %% (%d of %d)%s; propagation p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
                100.0 * delivered / Math.max(1, expected), delivered, expected,
                unsent.isEmpty() ? "" : " of the messages handed to a peer (" + unsent.size() + " of " + count
                        + " were not: their publishers knew no subscriber of the topic)",
                at(sorted, 0.50), at(sorted, 0.95), at(sorted, 0.99), sorted.length == 0 ? -1 : sorted[sorted.length - 1]);
        System.out.printf(Locale.ROOT, "duplicates per delivered message %.2f; per live node and message: %.1f pubsub messages, %.0f B sent"
                        + " (heartbeats and gossip included); ran %.1f s%n",
                (double) duplicates / Math.max(1, allDelivered), (double) messages / live / count, (double) bytes / live / count,
                (System.nanoTime() - started) / 1e9);
        System.out.printf(Locale.ROOT, "chokes %d, unchokes %d, IDs asked for (IWANT) %d, copies spared by IDONTWANT %d%n", chokes, unchokes,
                iwants, spared);
        if (Arrays.stream(sorted).anyMatch(t -> t < 0)) {
            throw new IllegalStateException("a delivery before its publish");
        }
    }

    /** A node takes part: its validator, its topics, when it joined. */
    private void join(VirtualPubSub.Node node) {
        node.validator = m -> m.data().length > 0 && m.data()[0] == SPAM ? Router.Validation.REJECT : Router.Validation.ACCEPT;
        List<String> shuffled = new ArrayList<>(topics);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String swap = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, swap);
        }
        Set<String> chosen = new HashSet<>(shuffled.subList(0, topicsPerNode));
        topicsOf.put(node.index, chosen);
        joinedAt.put(node.index, net.now());
        for (String topic : chosen) {
            List<Integer> others = subscribersOf.computeIfAbsent(topic, t -> new ArrayList<>());
            int opened = 0;
            for (int tries = 0; opened < topicPeers && tries < 10 * topicPeers && !others.isEmpty(); tries++) {
                VirtualPubSub.Node other = net.nodes().get(others.get(random.nextInt(others.size())));
                if (other.up && !node.sessions.contains(other.index)) {
                    net.connect(node, other);
                    opened++;
                }
            }
            others.add(node.index);
            node.router.subscribe(topic, net.now());
        }
    }

    private static Set<Integer> attackers(SplittableRandom random, int n, int publishers, double share, Set<Integer> taken) {
        int wanted = (int) Math.round(share * n);
        Set<Integer> chosen = new TreeSet<>();
        int from = publishers < n && n - publishers >= wanted + taken.size() ? publishers : 0;
        while (chosen.size() < wanted) {
            int node = from + random.nextInt(n - from);
            if (!taken.contains(node)) {
                chosen.add(node);
            }
        }
        return chosen;
    }

    /** The share of honest nodes' mesh places, over all topics, that {@code held} hold. */
    private static double meshShare(VirtualPubSub net, Set<Integer> held, Set<Integer> hostile) {
        long places = 0;
        long theirs = 0;
        for (VirtualPubSub.Node node : net.nodes()) {
            if (!hostile.contains(node.index) && node.up) {
                for (String topic : node.router.topics()) {
                    for (int peer : node.router.mesh(topic)) {
                        places++;
                        theirs += held.contains(peer) ? 1 : 0;
                    }
                }
            }
        }
        return places == 0 ? 0 : (double) theirs / places;
    }

    private static long at(long[] sorted, double quantile) {
        return sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))];
    }
}
