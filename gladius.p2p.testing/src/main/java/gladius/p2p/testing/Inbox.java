package gladius.p2p.testing;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plugin that keeps everything it hears, for tests to assert on: messages in the order they
 * arrived, nodes added and deleted, how often it was started and closed. Safe to read from the
 * test thread while the network calls it; each accessor returns a copy.
 *
 * <pre>{@code
 * Inbox inbox = new Inbox();
 * network.registerPlugin(inbox);
 * ...
 * Await.until("three greetings", () -> inbox.count("greeting") == 3);
 * }</pre>
 */
public final class Inbox implements Plugin {

    private final List<Message> messages = new ArrayList<>();
    private final List<NodeAddress> added = new ArrayList<>();
    private final List<NodeAddress> deleted = new ArrayList<>();
    private final AtomicInteger startups = new AtomicInteger();
    private final AtomicInteger closes = new AtomicInteger();
    private volatile Network network;

    /** An empty inbox. */
    public Inbox() {}

    @Override
    public void startup(Network network) {
        this.network = network;
        startups.incrementAndGet();
    }

    @Override
    public synchronized void nodeAdded(NodeAddress node) {
        added.add(node);
    }

    @Override
    public synchronized void nodeDeleted(NodeAddress node) {
        deleted.add(node);
    }

    @Override
    public synchronized void newMessage(Message message) {
        messages.add(message);
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }

    /** @return the messages so far, in the order they arrived */
    public synchronized List<Message> messages() {
        return List.copyOf(messages);
    }

    /**
     * @param type a message type
     * @return how many messages of this type arrived so far
     */
    public synchronized long count(String type) {
        return messages.stream().filter(m -> m.type().equals(type)).count();
    }

    /** @return the nodes {@code nodeAdded} named so far, in order */
    public synchronized List<NodeAddress> added() {
        return List.copyOf(added);
    }

    /** @return the nodes {@code nodeDeleted} named so far, in order */
    public synchronized List<NodeAddress> deleted() {
        return List.copyOf(deleted);
    }

    /** @return how many times {@code startup} was called */
    public int startups() {
        return startups.get();
    }

    /** @return how many times {@code close} was called */
    public int closes() {
        return closes.get();
    }

    /** @return the network the last {@code startup} gave, or null before it */
    public Network network() {
        return network;
    }
}
