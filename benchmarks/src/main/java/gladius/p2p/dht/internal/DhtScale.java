package gladius.p2p.dht.internal;

import gladius.p2p.dht.DhtRecord;
import gladius.p2p.sim.Geography;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The DHT's figures at scale (issue 27): N cores of the real {@link Kademlia} in virtual time
 * ({@link VirtualDht}) on the simulator's Earth ({@link Geography#EARTH}), without transports. What
 * the transport does to a message is modelled, not run: the first message between two nodes
 * waits one more round trip (the Noise XX handshake before it), and a datagram lost with
 * probability LOSS is sent again after its retransmission timeout (max(100 ms, 2 RTT), 1.5x per
 * further loss), as the kcp transport's min-rto and backoff do; nothing is lost outright. Sybils
 * (a share of the nodes) answer every lookup with each other and drop records.
 *
 * <p>Nodes join at a steady pace through a random earlier node; then, for MINUTES of virtual time,
 * nodes leave and new ones join at CHURN per hour, and random live nodes look up random live
 * nodes and put and get records (every 2 s one put, then a get of it, and {@code -Dlookups=1}
 * lookups). Prints three lines of figures, and a line for each lookup that did not find its node:
 *
 * <pre>
 *   java -Xmx8g [-Dlookups=L] [-Dout=SAMPLES.csv] [-Dalpha=A] -cp benchmarks/target/benchmarks.jar gladius.p2p.dht.internal.DhtScale N LOSS CHURN_PER_HOUR SYBILS PATHS MINUTES [SEED]
 * </pre>
 */
public final class DhtScale {

    private DhtScale() {}

    /**
     * @param args nodes, loss share, churn share per hour, sybil share, disjoint paths, virtual minutes, seed (default 1)
     */
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        double loss = Double.parseDouble(args[1]);
        double churn = Double.parseDouble(args[2]);
        double sybilShare = Double.parseDouble(args[3]);
        int paths = Integer.parseInt(args[4]);
        double minutes = Double.parseDouble(args[5]);
        long seed = args.length > 6 ? Long.parseLong(args[6]) : 1;
        int lookupsPerRound = Integer.getInteger("lookups", 1);
        long started = System.nanoTime();

        SplittableRandom random = new SplittableRandom(seed);
        List<Geography.Place> places = new ArrayList<>();
        VirtualDht.Latency latency = new gladius.p2p.benchmarks.ModelledLinks(places, loss)::oneWayMillis;
        VirtualDht net = new VirtualDht(seed, Kademlia.Config.defaults().withPaths(paths)
                .withAlpha(Integer.getInteger("alpha", Kademlia.Config.defaults().alpha())), latency, 0);
        List<VirtualDht.Node> honest = new ArrayList<>();

        // Joining: ten nodes a second for small nets, a hundred for large.
        long joinGap = n >= 5000 ? 10 : 100;
        places.add(Geography.EARTH.place(new java.util.Random(random.nextLong())));
        honest.add(net.add());
        for (int i = 1; i < n; i++) {
            places.add(Geography.EARTH.place(new java.util.Random(random.nextLong())));
            if (random.nextDouble() < sybilShare) {
                VirtualDht.Node sybil = net.addSybil();
                for (int j = 0; j < 8; j++) { // each sybil makes itself known to a few honest nodes
                    net.introduce(sybil, honest.get(random.nextInt(honest.size())));
                }
            } else {
                VirtualDht.Node node = net.add();
                node.core.bootstrap(List.of(honest.get(random.nextInt(honest.size())).address), net.now(), r -> {});
                net.wake(node);
                honest.add(node);
            }
            net.runFor(joinGap);
        }
        net.runFor(60_000);
        long joinedMessages = net.messages();

        // Measuring, with churn.
        byte[] secret = new byte[Signer.KEY_BYTES];
        random.nextBytes(secret);
        Signer writer = Signer.fromSecret(secret);
        long end = net.now() + (long) (minutes * 60_000);
        double churnGap = churn > 0 ? 3_600_000.0 / (churn * n) : Double.MAX_VALUE;
        double nextChurn = net.now() + churnGap;
        List<Long> lookupMillis = new ArrayList<>();
        List<Integer> hops = new ArrayList<>();
        List<Integer> messages = new ArrayList<>();
        int[] found = {0};
        int[] lookups = {0};
        int[] gets = {0};
        int[] got = {0};
        List<Long> getMillis = new ArrayList<>();
        int records = 0;
        while (net.now() < end) {
            while (nextChurn <= net.now()) {
                VirtualDht.Node leaving = honest.remove(1 + random.nextInt(honest.size() - 1));
                net.setUp(leaving, false);
                places.add(Geography.EARTH.place(new java.util.Random(random.nextLong())));
                VirtualDht.Node joining = net.add();
                joining.core.bootstrap(List.of(honest.get(random.nextInt(honest.size())).address), net.now(), r -> {});
                net.wake(joining);
                honest.add(joining);
                nextChurn += churnGap;
            }
            for (int l = 0; l < lookupsPerRound; l++) {
                VirtualDht.Node from = honest.get(random.nextInt(honest.size()));
                VirtualDht.Node target = honest.get(random.nextInt(honest.size()));
                if (from == target) {
                    continue;
                }
                lookups[0]++;
                from.core.find(target.id, net.now(), r -> {
                    lookupMillis.add(r.millis());
                    hops.add(r.hops());
                    messages.add(r.messages());
                    if (r.found().isPresent()) {
                        found[0]++;
                    } else {
                        long knownBy = honest.stream().filter(x -> x.up && x.core.table().contains(target.id)).count();
                        System.out.printf(Locale.ROOT, "not found: %s from %s after %d ms, %d requests; in %d tables; its own holds %d%n",
                                target.id, from.id, r.millis(), r.messages(), knownBy, target.core.table().size());
                    }
                });
                net.wake(from);
            }
            // A put, then a get of it from elsewhere a minute on.
            VirtualDht.Node putter = honest.get(random.nextInt(honest.size()));
            Records.Signed record = Records.sign(new DhtRecord(writer.publicKey(), "r" + records++,
                    "v".getBytes(StandardCharsets.UTF_8), 1, Instant.ofEpochMilli(net.now() + 3_600_000)), writer);
            putter.core.put(record, net.now(), stored -> {
                VirtualDht.Node getter = honest.get(random.nextInt(honest.size()));
                gets[0]++;
                long asked = net.now();
                getter.core.get(record.place(), net.now(), r -> {
                    getMillis.add(net.now() - asked);
                    if (r.record().isPresent()) {
                        got[0]++;
                    }
                });
                net.wake(getter);
            });
            net.wake(putter);
            net.runFor(2_000);
        }
        net.runFor(10_000);

        System.out.printf(Locale.ROOT, "nodes=%d loss=%.2f churn/h=%.2f sybils=%.2f paths=%d minutes=%.0f seed=%d%n",
                n, loss, churn, sybilShare, paths, minutes, seed);
        System.out.printf(Locale.ROOT,
                "lookups=%d found=%.4f p50=%dms p95=%dms p99=%dms under500=%.4f hops_p50=%d hops_p95=%d msgs_p50=%d msgs_p95=%d%n",
                lookups[0], found[0] / (double) lookups[0], pct(lookupMillis, 50), pct(lookupMillis, 95), pct(lookupMillis, 99),
                lookupMillis.stream().filter(m -> m < 500).count() / (double) lookupMillis.size(),
                pct(hops, 50), pct(hops, 95), pct(messages, 50), pct(messages, 95));
        System.out.printf(Locale.ROOT, "gets=%d got=%.4f get_p50=%dms get_p95=%dms join_msgs_per_node=%d real_s=%.1f%n",
                gets[0], got[0] / (double) gets[0], pct(getMillis, 50), pct(getMillis, 95), joinedMessages / n,
                (System.nanoTime() - started) / 1e9);
        String out = System.getProperty("out");
        if (out != null) {
            samples(out, lookupMillis, getMillis);
        }
    }

    /** Writes one sample a line: {@code kind,millis} for lookups and gets, for plot-dht.py. */
    private static void samples(String file, List<Long> lookups, List<Long> gets) {
        StringBuilder text = new StringBuilder("kind,millis\n");
        lookups.forEach(m -> text.append("lookup,").append(m).append('\n'));
        gets.forEach(m -> text.append("get,").append(m).append('\n'));
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of(file), text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long pct(List<? extends Number> values, int percent) {
        if (values.isEmpty()) {
            return -1;
        }
        long[] sorted = values.stream().mapToLong(Number::longValue).toArray();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percent / 100.0 * sorted.length) - 1)];
    }
}
