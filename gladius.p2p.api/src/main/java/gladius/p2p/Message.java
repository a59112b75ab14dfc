package gladius.p2p;

import java.nio.ByteBuffer;

/**
 * What travels between nodes: who sent it, what kind it is, an opaque body, and a checksum over
 * them.
 *
 * <p>Messages are immutable. Create outgoing ones with {@link Network#newMessage(String, byte[])}.
 */
public interface Message {

    /**
     * The node this message came from: for a received message, the directly connected peer that
     * sent it (set by the transport, never taken from the wire); for an outgoing one, this node.
     *
     * @return the sender
     */
    NodeAddress sender();

    /**
     * The kind of message, chosen by the application or plugin: 1 to 255 bytes of UTF-8.
     * Plugins namespace theirs ({@code "discovery/request"}).
     *
     * @return the type
     */
    String type();

    /**
     * The body, a read-only view; the library never interprets it.
     *
     * @return a read-only buffer positioned at the start of the body
     */
    ByteBuffer body();

    /**
     * A copy of the body.
     *
     * @return a new array holding the body
     */
    default byte[] bodyBytes() {
        ByteBuffer body = body().duplicate();
        byte[] copy = new byte[body.remaining()];
        body.get(copy);
        return copy;
    }

    /**
     * CRC-32C over the type's UTF-8 bytes followed by the body.
     *
     * @return the checksum
     */
    int checksum();
}
