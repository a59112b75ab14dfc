package gladius.p2p.pubsub;

import gladius.p2p.NodeAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Topics as an application uses them: {@code network.plugin(PubSub.class)}. A message published
 * to a topic reaches every node of the network subscribed to it, through the sessions each node
 * has, over gossipsub's mesh and gossip (docs/PUBSUB.md), once per node.
 *
 * <p>Every call returns at once and may be made from any thread. Handlers and validators run on
 * the network's plugin thread, one at a time: they must not block (hand long work to a thread of
 * your own). A future completes on the plugin thread too, exceptionally with an
 * {@link IllegalStateException} if the network closed first.
 *
 * <p>A message's ID is the SHA-256 of its topic and data: the same data published twice within
 * {@code pubsub.seen-ttl} is one message (as Ethereum's clients do), the second publish reaches
 * no one. With {@code pubsub.message-id=author-sequence} (a network with keys) it is made from the
 * topic, the author's key and the author's sequence number instead (libp2p's default), and every
 * publish is a message of its own. Messages carry no signature yet: a subscriber knows which peer passed a message on
 * ({@link Delivery#from()}, whose key its session proved in a network with keys), not who wrote
 * it.
 */
public interface PubSub {

    /** The message type of pubsub's messages (docs/PROTOCOL.md section 10). */
    String TYPE = "pubsub";

    /**
     * Subscribes {@code handler} to a topic: it gets every message of the topic that reaches this
     * node from now on, this node's own included, once each, after the topic's validator accepted
     * it. Several handlers may subscribe to one topic; the node leaves the topic's mesh when the
     * last one is closed. Made before the network listens (right after {@code Network.create}, or
     * from another plugin's {@code startup}), it takes effect when the network starts.
     *
     * @param topic 1 to 255 bytes of UTF-8
     * @param handler called on the plugin thread with each message; what it throws is logged and counted
     * @return the subscription, to close
     * @throws IllegalArgumentException if the topic is out of bounds
     * @throws IllegalStateException if the network is closed
     */
    Subscription subscribe(String topic, Consumer<Delivery> handler);

    /**
     * Publishes data to a topic, subscribed here or not: to every peer known to subscribe (one's
     * own messages start wide, as gossipsub v1.1 floods them); without subscribing, to a fanout of
     * D of them, kept while this node publishes to the topic.
     *
     * @param topic 1 to 255 bytes of UTF-8
     * @param data at most {@code pubsub.max-message-bytes}; not copied: do not change it after
     * @return completes once the message is handed to the peers, with how many (0 is an answer:
     *     no peer subscribes to the topic yet, or the same data was published before);
     *     exceptionally with an IllegalStateException if the network closed
     * @throws IllegalArgumentException if the topic or the data is out of bounds
     * @throws IllegalStateException if the network is not listening yet
     */
    CompletableFuture<Published> publish(String topic, byte[] data);

    /**
     * Sets the topic's validator, run on each message of the topic that reaches this node before
     * it is delivered or passed on; {@code null} removes it (then every message is accepted). One
     * per topic: a second replaces the first.
     *
     * @param topic 1 to 255 bytes of UTF-8
     * @param validator the validator, or null
     * @throws IllegalArgumentException if the topic is out of bounds
     */
    void validator(String topic, Validator validator);

    /** {@return the topics this node subscribes to now} */
    Set<String> topics();

    /**
     * The peers known to subscribe to a topic (they said so when they met this node, or since).
     *
     * @param topic 1 to 255 bytes of UTF-8
     * @return their addresses, possibly none
     * @throws IllegalArgumentException if the topic is out of bounds
     */
    CompletableFuture<List<NodeAddress>> subscribers(String topic);

    /**
     * The topic's mesh: the peers this node sends the topic's messages to and takes them from.
     *
     * @param topic 1 to 255 bytes of UTF-8
     * @return their addresses; none if this node does not subscribe to the topic
     * @throws IllegalArgumentException if the topic is out of bounds
     */
    CompletableFuture<List<NodeAddress>> mesh(String topic);

    /** {@return pubsub's counters now} */
    PubSubStats stats();

    /** A handler's place in a topic; {@link #close()} ends it (more than once is harmless). */
    interface Subscription extends AutoCloseable {

        /** {@return the topic} */
        String topic();

        @Override
        void close();
    }

    /**
     * What a publish did.
     *
     * @param id the message's ID (32 bytes)
     * @param peers how many peers it was handed to
     */
    record Published(byte[] id, int peers) {}
}
