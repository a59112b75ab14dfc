package gladius.p2p.pubsub.internal;

import gladius.p2p.sim.Geography;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Pubsub's figures at scale (issue 28): N routers ({@link Router}) in virtual time
 * ({@link VirtualPubSub}) on the simulator's Earth ({@link Geography#EARTH}), without transports,
 * each with sessions to DEGREE random others and all subscribed to one topic. The transport is
 * modelled as {@code DhtScale} models it: a pair's first message waits one more round trip (the
 * handshake), and a message lost with probability LOSS is sent again after its retransmission
 * timeout (max(100 ms, 2 RTT), 1.5x per further loss); nothing is lost outright, and links have
 * no bandwidth limit (a 100 KiB message takes as long as a small one: not modelled yet).
 *
 * <p>After a minute for the meshes to settle, random nodes publish MESSAGES messages of SIZE bytes,
 * one every 200 ms; then a minute for the last to arrive. Prints delivery (of subscribers times
 * messages), propagation time percentiles (from publish to each delivery), duplicates per
 * delivered message (copies a node received of a message it already had), and bytes sent per
 * node per message:
 *
 * <p>Attacks: {@code -Ddroppers=F} makes a share F of the nodes drop every message they should
 * pass on (they still take part in the mesh's control); {@code -Dspammers=F} makes a share F
 * publish an invalid message (one every honest validator rejects) every 100 ms while the honest
 * messages go. Attackers never publish honest messages and are left out of the figures, which
 * then add how much of the honest meshes the droppers held at the first and the last message, and
 * how many of the spammers' honest peers graylisted them. {@code -Dscores=true} turns gossipsub
 * v1.1's peer scores on ({@link Scores.Params#defaults}).
 *
 * <pre>
 *   java -Xmx8g [-Dchoke=true [-Deager=2] [-DlazyTimeout=200] [-DperSource=true]] [-Dscores=true] [-Ddroppers=F] [-Dspammers=F]
 *       [-Dpublishers=P] -cp benchmarks/target/benchmarks.jar gladius.p2p.pubsub.internal.PubSubScale N DEGREE MESSAGES SIZE LOSS [SEED]
 * </pre>
 */
public final class PubSubScale {

    private PubSubScale() {}

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
            places.add(Geography.EARTH.place(new java.util.Random(random.nextLong())));
        }
        VirtualPubSub.Latency latency = new gladius.p2p.benchmarks.ModelledLinks(places, loss)::oneWayMillis;
        Router.Config config = Router.Config.defaults().withChoke(Boolean.getBoolean("choke"), Integer.getInteger("eager", 2),
                Long.getLong("lazyTimeout", 200), Boolean.getBoolean("perSource"));
        if (Boolean.getBoolean("scores")) {
            config = config.withScoring(Scores.Params.defaults());
        }
        VirtualPubSub net = VirtualPubSub.connected(new VirtualPubSub(seed, config, latency, 0), n, degree);
        String topic = "t";
        int publishers = Integer.getInteger("publishers", n);
        // Attackers come from outside the publishers where there is room, else from anywhere (and then publish nothing honest).
        java.util.Set<Integer> droppers = attackers(random, n, publishers, Double.parseDouble(System.getProperty("droppers", "0")), java.util.Set.of());
        java.util.Set<Integer> spammers = attackers(random, n, publishers, Double.parseDouble(System.getProperty("spammers", "0")), droppers);
        java.util.Set<Integer> hostile = new java.util.HashSet<>(droppers);
        hostile.addAll(spammers);
        for (VirtualPubSub.Node node : net.nodes()) {
            node.validator = m -> m.data().length > 0 && m.data()[0] == SPAM ? Router.Validation.REJECT : Router.Validation.ACCEPT;
            node.dropper = droppers.contains(node.index);
            node.router.subscribe(topic, net.now());
        }
        net.run(60_000);
        double heldBefore = meshShare(net, topic, droppers, hostile);
        long settledMessages = net.messages();
        long settledBytes = net.bytes();

        java.util.Map<String, Long> publishedAt = new java.util.HashMap<>();
        long spam = 0;
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            if (size > 0 && data[0] == SPAM) {
                data[0] = 0; // honest data is never spam
            }
            publishedAt.put(VirtualPubSub.key(topic, data), net.now());
            int publisher;
            do {
                publisher = random.nextInt(publishers);
            } while (hostile.contains(publisher));
            byte[] author = java.nio.ByteBuffer.allocate(4).putInt(publisher).array(); // as a key would tell authors apart
            net.nodes().get(publisher).router.publish(topic, author, i, data, net.now());
            for (int step = 0; step < 2; step++) {
                for (int spammer : spammers) {
                    byte[] junk = new byte[Math.max(1, size)];
                    random.nextBytes(junk);
                    junk[0] = SPAM;
                    net.nodes().get(spammer).router.publish(topic, java.nio.ByteBuffer.allocate(4).putInt(spammer).array(), spam++, junk,
                            net.now());
                }
                net.run(100);
            }
        }
        double heldAfter = meshShare(net, topic, droppers, hostile);
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
        long delivered = 0;
        long duplicates = 0;
        long chokes = 0;
        long unchokes = 0;
        long iwants = 0;
        for (VirtualPubSub.Node node : net.nodes()) {
            if (hostile.contains(node.index)) {
                continue;
            }
            for (var entry : node.delivered.entrySet()) {
                times.add(entry.getValue() - publishedAt.get(entry.getKey()));
            }
            delivered += node.delivered.size();
            duplicates += node.router.counters().duplicates;
            chokes += node.router.counters().chokes;
            unchokes += node.router.counters().unchokes;
            iwants += node.router.counters().iwantSent;
        }
        long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
        long messages = net.messages() - settledMessages;
        long bytes = net.bytes() - settledBytes;
        System.out.printf(Locale.ROOT, "pubsub: %d nodes, %d sessions opened each, %d messages of %d B, loss %.0f %%, seed %d, %s%n",
                n, degree, count, size, 100 * loss, seed, config.choke() ? "lazy links (choke" + (config.perSource() ? " per source" : "") + ", " + config.minEager()
                        + " eager at least, lazy timeout " + config.lazyTimeoutMillis() + " ms)" : "plain gossipsub");
        long honest = n - hostile.size();
        if (!hostile.isEmpty()) {
            System.out.printf(Locale.ROOT, "attackers: %d droppers (%.1f %% of honest mesh places at the first message, %.1f %% at the last),"
                    + " %d spammers (%d invalid messages; graylisted on %s of their links to honest peers); figures for the %d honest nodes%n",
                    droppers.size(), 100 * heldBefore, 100 * heldAfter, spammers.size(), spam,
                    config.scoring() == null ? "none (no scores)" : graylisting + " of " + spammerLinks, honest);
        }
        System.out.printf(Locale.ROOT, "delivered %.3f %% (%d of %d); propagation p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
                100.0 * delivered / Math.max(1, honest * count), delivered, honest * count, at(sorted, 0.50), at(sorted, 0.95),
                at(sorted, 0.99), sorted.length == 0 ? -1 : sorted[sorted.length - 1]);
        System.out.printf(Locale.ROOT, "duplicates per delivered message %.2f; per node and message: %.1f pubsub messages, %.0f B sent"
                        + " (heartbeats and gossip included); ran %.1f s%n",
                (double) duplicates / Math.max(1, delivered), (double) messages / n / count, (double) bytes / n / count,
                (System.nanoTime() - started) / 1e9);
        System.out.printf(Locale.ROOT, "chokes %d, unchokes %d, IDs asked for (IWANT) %d%n", chokes, unchokes, iwants);
        if (Arrays.stream(sorted).anyMatch(t -> t < 0)) {
            throw new IllegalStateException("a delivery before its publish");
        }
    }

    /** The first byte of a message every honest validator rejects. */
    private static final byte SPAM = (byte) 0xff;

    private static java.util.Set<Integer> attackers(SplittableRandom random, int n, int publishers, double share,
                                                    java.util.Set<Integer> taken) {
        int wanted = (int) Math.round(share * n);
        java.util.Set<Integer> chosen = new java.util.TreeSet<>();
        int from = publishers < n && n - publishers >= wanted + taken.size() ? publishers : 0;
        while (chosen.size() < wanted) {
            int node = from + random.nextInt(n - from);
            if (!taken.contains(node)) {
                chosen.add(node);
            }
        }
        return chosen;
    }

    /** The share of honest nodes' mesh places that {@code held} hold. */
    private static double meshShare(VirtualPubSub net, String topic, java.util.Set<Integer> held, java.util.Set<Integer> hostile) {
        long places = 0;
        long theirs = 0;
        for (VirtualPubSub.Node node : net.nodes()) {
            if (!hostile.contains(node.index)) {
                for (int peer : node.router.mesh(topic)) {
                    places++;
                    theirs += held.contains(peer) ? 1 : 0;
                }
            }
        }
        return places == 0 ? 0 : (double) theirs / places;
    }

    private static long at(long[] sorted, double quantile) {
        return sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))];
    }
}
