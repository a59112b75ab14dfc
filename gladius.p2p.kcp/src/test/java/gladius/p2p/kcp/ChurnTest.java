package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.LinkConditions;
import gladius.p2p.testing.LossyLink;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Twenty nodes, every link losing 10 % of its datagrams, half of the nodes restarted at random
 * for a while: every message between two nodes that both stayed up arrives exactly once and in
 * order. {@code -Dgladius.churn.seconds} sets how long the churn lasts (the {@code soak} profile
 * runs it for ten minutes).
 */
class ChurnTest {

    private static final Duration CHURN = Duration.ofSeconds(Long.getLong("gladius.churn.seconds", 6));
    private static final int STABLE = 10;

    /** Checks that messages of one type arrive with sequence numbers 0, 1, 2, ... and nothing else. */
    private static final class InOrder implements Plugin {
        final AtomicInteger next = new AtomicInteger();
        final List<String> problems = new CopyOnWriteArrayList<>();

        @Override
        public void newMessage(Message message) {
            if (!message.type().equals("stream")) {
                return;
            }
            int sequence = message.body().getInt(0);
            int expected = next.getAndIncrement();
            if (sequence != expected && problems.size() < 10) {
                problems.add("got " + sequence + ", expected " + expected);
            }
        }
    }

    @ParameterizedTest(name = "kcp.secure={0}")
    @ValueSource(booleans = {false, true})
    void messagesBetweenNodesThatStayedUpArriveExactlyOnceInOrderWhileOthersRestart(boolean secure) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("provider", "kcp", "plugins", "none",
                "kcp.secure", Boolean.toString(secure), "kcp.redial-max", "500ms"));
        LinkConditions lossy = LinkConditions.PERFECT.withDrop(0.10).withDelay(Duration.ofMillis(1), Duration.ofMillis(3));
        List<LossyLink> links = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger restarts = new AtomicInteger();
        try (Nodes nodes = new Nodes()) {
            List<Nodes.Node> stable = new ArrayList<>();
            List<InOrder> checkers = new ArrayList<>();
            for (int i = 0; i < STABLE; i++) {
                Nodes.Node node = nodes.startOn(Nodes.ANY_LOOPBACK_PORT, settings);
                InOrder checker = new InOrder();
                node.network().registerPlugin(checker);
                stable.add(node);
                checkers.add(checker);
            }
            // Stable node i streams to stable node i+1, across its own lossy link.
            int[] sent = new int[STABLE];
            for (int i = 0; i < STABLE; i++) {
                Nodes.Node from = stable.get(i);
                Nodes.Node to = stable.get((i + 1) % STABLE);
                LossyLink link = LossyLink.between(from.address(), to.address(), lossy.withSeed(i));
                links.add(link);
                NodeAddress target = link.standInFor(to.address());
                from.network().add(target);
                int stream = i;
                threads.add(new Thread(() -> {
                    int sequence = 0;
                    long next = System.nanoTime();
                    while (running.get()) {
                        byte[] body = ByteBuffer.allocate(128).putInt(sequence).array();
                        if (from.network().broadcast(from.network().newMessage("stream", body), target) == 1) {
                            sequence++;
                        }
                        next += 2_000_000; // 500 a second
                        while (System.nanoTime() < next) {
                            Thread.onSpinWait();
                        }
                    }
                    sent[stream] = sequence;
                }, "stream-" + i));
            }
            // Churners: each talks to one stable node across a lossy link, and is restarted on the same port now and then.
            List<Network> churners = new CopyOnWriteArrayList<>();
            List<NodeAddress> churnerAddresses = new ArrayList<>();
            for (int i = 0; i < 20 - STABLE; i++) {
                Network churner = Network.create(settings);
                churner.listen(Nodes.ANY_LOOPBACK_PORT);
                churners.add(churner);
                NodeAddress address = churner.localAddress();
                churnerAddresses.add(address);
                Nodes.Node partner = stable.get(i);
                LossyLink link = LossyLink.between(address, partner.address(), lossy.withSeed(100 + i));
                links.add(link);
                churner.add(link.standInFor(partner.address()));
                partner.network().add(link.standInFor(address));
            }
            threads.add(new Thread(() -> {
                Random random = new Random(7);
                while (running.get()) {
                    int i = random.nextInt(churners.size());
                    Network old = churners.get(i);
                    old.close();
                    Network fresh = Network.create(settings);
                    fresh.listen(churnerAddresses.get(i));
                    fresh.add(links.get(STABLE + i).standInFor(stable.get(i).address()));
                    churners.set(i, fresh);
                    restarts.incrementAndGet();
                    for (int m = 0; m < 50; m++) {
                        fresh.broadcast(fresh.newMessage("chatter", new byte[64]));
                    }
                    long until = System.nanoTime() + 200_000_000L;
                    while (System.nanoTime() < until && running.get()) {
                        Thread.onSpinWait();
                    }
                }
            }, "churn"));
            threads.forEach(Thread::start);
            long end = System.nanoTime() + CHURN.toNanos();
            Await.until("the churn to run its course", CHURN.plusSeconds(30), () -> System.nanoTime() > end, () -> "");
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
            for (int i = 0; i < STABLE; i++) {
                InOrder checker = checkers.get((i + 1) % STABLE);
                int expected = sent[i];
                Await.until("stream " + i + " delivered whole", () -> checker.next.get() >= expected,
                        () -> checker.next.get() + " of " + expected);
                assertEquals(expected, checker.next.get(), "stream " + i + ": nothing doubled");
                assertEquals(List.of(), checker.problems, "stream " + i);
            }
            assertTrue(restarts.get() >= CHURN.toSeconds(), "nodes were restarted, about one every 200 ms: " + restarts.get());
            System.out.printf("churn (secure=%s): %d restarts, streams of %d..%d messages, all exact%n", secure, restarts.get(),
                    java.util.Arrays.stream(sent).min().orElse(0), java.util.Arrays.stream(sent).max().orElse(0));
            churners.forEach(Network::close);
        } finally {
            links.forEach(LossyLink::close);
        }
    }
}
