package gladius.p2p.kcp;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A plugin that keeps what it hears, for tests to assert on. */
final class Inbox implements Plugin {
    final List<Message> messages = Collections.synchronizedList(new ArrayList<>());
    final List<NodeAddress> added = new CopyOnWriteArrayList<>();
    final List<NodeAddress> deleted = new CopyOnWriteArrayList<>();
    final AtomicInteger startups = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    volatile Network network;

    @Override
    public void startup(Network network) {
        this.network = network;
        startups.incrementAndGet();
    }

    @Override
    public void nodeAdded(NodeAddress node) {
        added.add(node);
    }

    @Override
    public void nodeDeleted(NodeAddress node) {
        deleted.add(node);
    }

    @Override
    public void newMessage(Message message) {
        messages.add(message);
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }

    /** @return how many messages of this type arrived so far */
    long count(String type) {
        return snapshot().stream().filter(m -> m.type().equals(type)).count();
    }

    /** A copy of the messages so far, taken under the list's lock (plugins add while tests read). */
    List<Message> snapshot() {
        synchronized (messages) {
            return new ArrayList<>(messages);
        }
    }
}
