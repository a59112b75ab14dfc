package gladius.p2p.kcp;

import gladius.p2p.Message;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plugin that checks, as messages arrive, that the i-th message of type "seq" is the i-th body
 * of {@link Bodies}, from the expected sender, with a valid checksum: so nothing is lost,
 * duplicated, reordered or changed.
 */
final class SequenceChecker implements Plugin {
    final AtomicInteger received = new AtomicInteger();
    final List<String> problems = new CopyOnWriteArrayList<>();
    private final long seed;
    private volatile NodeAddress expectedSender;

    SequenceChecker(long seed) {
        this.seed = seed;
    }

    void expectFrom(NodeAddress sender) {
        this.expectedSender = sender;
    }

    @Override
    public void newMessage(Message message) {
        if (!message.type().equals("seq")) {
            return;
        }
        int index = received.getAndIncrement();
        byte[] expected = Bodies.body(seed, index);
        if (!Arrays.equals(expected, message.bodyBytes()) && problems.size() < 10) {
            problems.add("message " + index + " differs: " + message.body().remaining() + " bytes, expected " + expected.length);
        }
        if (!message.sender().equals(expectedSender) && problems.size() < 10) {
            problems.add("message " + index + " from " + message.sender() + ", expected " + expectedSender);
        }
        if (message.checksum() != Bodies.checksum(message) && problems.size() < 10) {
            problems.add("message " + index + " has a wrong checksum");
        }
    }
}
