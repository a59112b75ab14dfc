package gladius.p2p.kcp;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import gladius.p2p.testing.Await;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plugin that checks, as messages arrive, that the i-th message of type "seq" is the i-th body
 * of {@link Bodies}, from the expected sender, with a valid checksum: so nothing is lost,
 * duplicated, reordered or changed. A message of type "seq-end" closes the stream: a "seq" after
 * it is a duplicate that came late.
 */
final class SequenceChecker implements Plugin {
    final AtomicInteger received = new AtomicInteger();
    final List<String> problems = new CopyOnWriteArrayList<>();
    private final long seed;
    private volatile NodeAddress expectedSender;
    private volatile int receivedAtEnd = -1;

    SequenceChecker(long seed) {
        this.seed = seed;
    }

    void expectFrom(NodeAddress sender) {
        this.expectedSender = sender;
    }

    @Override
    public void newMessage(Message message) {
        if (message.type().equals("seq-end")) {
            receivedAtEnd = received.get();
            return;
        }
        if (!message.type().equals("seq")) {
            return;
        }
        int index = received.getAndIncrement();
        if (receivedAtEnd >= 0) {
            problem("message " + index + " came after the end of the stream");
        }
        byte[] expected = Bodies.body(seed, index);
        if (!Arrays.equals(expected, message.bodyBytes())) {
            problem("message " + index + " differs: " + message.body().remaining() + " bytes, expected " + expected.length);
        }
        if (!message.sender().equals(expectedSender)) {
            problem("message " + index + " from " + message.sender() + ", expected " + expectedSender);
        }
        if (message.checksum() != Bodies.checksum(message)) {
            problem("message " + index + " has a wrong checksum");
        }
    }

    private void problem(String problem) {
        if (problems.size() < 10) {
            problems.add(problem);
        }
    }

    /**
     * Sends "seq-end" after the stream, waits for it (messages from one sender keep their order,
     * so everything sent before it has arrived), then for a quiet spell in which a late duplicate
     * would show; returns how many "seq" messages arrived before the end.
     */
    int end(Network from, NodeAddress to) {
        Await.sent("the end of the stream", () -> from.broadcast(from.newMessage("seq-end", new byte[0]), to));
        Await.until("the end of the stream", () -> receivedAtEnd >= 0, () -> "received " + received.get());
        Await.quiet("messages after the end", Duration.ofMillis(300), received::get);
        return receivedAtEnd;
    }
}
