package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.Plugin;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.LinkConditions;
import gladius.p2p.testing.LossyLink;
import gladius.p2p.testing.Workers;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Twenty nodes, every link losing 10 % of its datagrams, half of the nodes restarted at random
 * for a while: every message between two nodes that both stayed up arrives exactly once and in
 * order, and every restarted node is reached again. {@code -Dgladius.churn.seconds} sets how
 * long the churn lasts (the {@code soak} profile runs it for ten minutes).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Mode.class)
class ChurnTest {

    private static final Duration CHURN = Duration.ofSeconds(Long.getLong("gladius.churn.seconds", 6));
    private static final int STABLE = 10;
    private static final int CHURNERS = 10;
    private static final int PACE_PER_SECOND = 500;
    private static final int CHATTER = 50;

    @Parameter
    Mode mode;

    /** Checks that messages of type "stream" arrive with sequence numbers 0, 1, 2, ... and nothing else. */
    private static final class InOrder implements Plugin {
        final AtomicInteger next = new AtomicInteger();
        final List<String> problems = new CopyOnWriteArrayList<>();
        volatile int atEnd = -1;

        @Override
        public void newMessage(Message message) {
            if (message.type().equals("stream-end")) {
                atEnd = next.get();
                return;
            }
            if (!message.type().equals("stream")) {
                return;
            }
            int sequence = message.body().getInt(0);
            int expected = next.getAndIncrement();
            if ((sequence != expected || atEnd >= 0) && problems.size() < 10) {
                problems.add("got " + sequence + ", expected " + expected + (atEnd >= 0 ? " (after the end)" : ""));
            }
        }
    }

    @Test
    void messagesBetweenNodesThatStayedUpArriveExactlyOnceInOrderWhileOthersRestart() throws Exception {
        LinkConditions lossy = LinkConditions.PERFECT.withDrop(0.10).withDelay(Duration.ofMillis(1), Duration.ofMillis(3));
        List<LossyLink> links = new ArrayList<>();
        List<Network> churners = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger restarts = new AtomicInteger();
        try (Nodes nodes = new Nodes(mode); Workers workers = new Workers()) {
            Map<String, String> settings = nodes.settings("kcp.redial-max", "500ms");
            List<Nodes.Node> stable = new ArrayList<>();
            List<InOrder> checkers = new ArrayList<>();
            for (int i = 0; i < STABLE; i++) {
                Nodes.Node node = nodes.start("kcp.redial-max", "500ms");
                InOrder checker = new InOrder();
                node.network().registerPlugin(checker);
                stable.add(node);
                checkers.add(checker);
            }
            // Stable node i streams to stable node i+1, across its own lossy link, paced (parked, not spinning).
            int[] sent = new int[STABLE];
            List<NodeAddress> targets = new ArrayList<>();
            for (int i = 0; i < STABLE; i++) {
                Nodes.Node from = stable.get(i);
                Nodes.Node to = stable.get((i + 1) % STABLE);
                LossyLink link = LossyLink.between(from.address(), to.address(), lossy.withSeed(i));
                links.add(link);
                NodeAddress target = link.standInFor(to.address());
                targets.add(target);
                from.network().add(target);
                int stream = i;
                workers.start("stream-" + i, () -> {
                    int sequence = 0;
                    long next = System.nanoTime();
                    while (running.get()) {
                        byte[] body = ByteBuffer.allocate(128).putInt(sequence).array();
                        if (from.network().broadcast(from.network().newMessage("stream", body), target) == 1) {
                            sequence++;
                        }
                        next += 1_000_000_000L / PACE_PER_SECOND;
                        LockSupport.parkNanos(next - System.nanoTime());
                    }
                    sent[stream] = sequence;
                });
            }
            // Churners: each talks to one stable node across a lossy link, and is restarted on the same port now and then.
            // Its chatter says which incarnation sent it, so the partner shows that the newest one got through.
            List<NodeAddress> churnerAddresses = new ArrayList<>();
            List<NodeAddress> churnersSeenByPartner = new ArrayList<>();
            AtomicIntegerArray incarnation = new AtomicIntegerArray(CHURNERS);
            for (int i = 0; i < CHURNERS; i++) {
                Network churner = Network.create(settings);
                churners.add(churner);
                churner.listen(Nodes.ANY_LOOPBACK_PORT);
                NodeAddress address = churner.localAddress();
                churnerAddresses.add(address);
                Nodes.Node partner = stable.get(i);
                LossyLink link = LossyLink.between(address, partner.address(), lossy.withSeed(100 + i));
                links.add(link);
                churner.add(link.standInFor(partner.address()));
                churnersSeenByPartner.add(link.standInFor(address));
                partner.network().add(link.standInFor(address));
                chat(churner, 0);
            }
            workers.start("churn", () -> {
                Random random = new Random(7);
                while (running.get()) {
                    int i = random.nextInt(CHURNERS);
                    churners.get(i).close();
                    Network fresh = Network.create(settings);
                    churners.set(i, fresh);
                    fresh.listen(churnerAddresses.get(i));
                    fresh.add(links.get(STABLE + i).standInFor(stable.get(i).address()));
                    chat(fresh, incarnation.incrementAndGet(i));
                    restarts.incrementAndGet();
                    LockSupport.parkNanos(200_000_000L);
                }
            });
            long end = System.nanoTime() + CHURN.toNanos();
            Await.until("the churn to run its course", CHURN.plusSeconds(30), () -> System.nanoTime() > end, () -> "");
            running.set(false);
            workers.join(Duration.ofSeconds(30));

            for (int i = 0; i < STABLE; i++) {
                InOrder checker = checkers.get((i + 1) % STABLE);
                int expected = sent[i];
                assertTrue(expected >= CHURN.toSeconds() * PACE_PER_SECOND / 5,
                        "stream " + i + " moved at least a fifth of its pace: " + expected + " messages in " + CHURN.toSeconds() + " s");
                Await.until("stream " + i + " delivered whole", () -> checker.next.get() >= expected,
                        () -> checker.next.get() + " of " + expected);
                Nodes.Node from = stable.get(i);
                NodeAddress target = targets.get(i);
                Await.sent("the end of stream " + i, () -> from.network().broadcast(from.network().newMessage("stream-end", new byte[0]), target));
                Await.until("the end of stream " + i, () -> checker.atEnd >= 0);
            }
            for (int i = 0; i < STABLE; i++) {
                InOrder checker = checkers.get((i + 1) % STABLE);
                Await.quiet("stream " + i + " after its end", Duration.ofMillis(300), checker.next::get);
                assertEquals(sent[i], checker.atEnd, "stream " + i + ": nothing lost, nothing doubled");
                assertEquals(List.of(), checker.problems, "stream " + i);
            }
            // Every churner's newest incarnation is connected to its partner, and all of its chatter got through.
            for (int i = 0; i < CHURNERS; i++) {
                Nodes.Node partner = stable.get(i);
                NodeAddress churner = churnersSeenByPartner.get(i);
                int newest = incarnation.get(i);
                Await.until("churner " + i + " (incarnation " + newest + ") reached again",
                        () -> partner.network().networkState().peer(churner).map(PeerState::connected).orElse(false)
                                && chatter(partner, churner, newest) == CHATTER,
                        () -> chatter(partner, churner, newest) + " of " + CHATTER + " chatter messages");
            }
            assertTrue(restarts.get() >= CHURN.toSeconds(), "nodes were restarted, about one every 200 ms: " + restarts.get());
            System.out.printf("churn (%s): %d restarts, streams of %d..%d messages, all exact%n", mode, restarts.get(),
                    Arrays.stream(sent).min().orElse(0), Arrays.stream(sent).max().orElse(0));
        } finally {
            churners.forEach(Network::close);
            links.forEach(LossyLink::close);
        }
    }

    private static void chat(Network churner, int incarnation) {
        for (int m = 0; m < CHATTER; m++) {
            assertEquals(1, churner.broadcast(churner.newMessage("chatter", ByteBuffer.allocate(8).putInt(incarnation).putInt(m).array())));
        }
    }

    /** Chatter messages of one incarnation of a churner that reached its partner. */
    private static long chatter(Nodes.Node partner, NodeAddress churner, int incarnation) {
        return partner.inbox().messages().stream().filter(m -> m.type().equals("chatter") && m.sender().equals(churner)
                && m.body().getInt(0) == incarnation).count();
    }
}
