package gladius.p2p.kcp.internal.core;

import gladius.p2p.Message;
import gladius.p2p.NodeAddress;
import java.nio.ByteBuffer;

/** An immutable message: sender, type, a read-only body and its CRC-32C. */
public final class KcpMessage implements Message {

    private final NodeAddress sender;
    private final String type;
    private final byte[] typeBytes;
    private final ByteBuffer body;
    private final int checksum;

    KcpMessage(NodeAddress sender, String type, byte[] typeBytes, ByteBuffer body, int checksum) {
        this.sender = sender;
        this.type = type;
        this.typeBytes = typeBytes;
        this.body = body.asReadOnlyBuffer();
        this.checksum = checksum;
    }

    /** An outgoing message: checks the type and body and computes the checksum. */
    public static KcpMessage outgoing(NodeAddress sender, String type, byte[] body, int maxBodyBytes) {
        byte[] typeBytes = Frames.typeBytes(type);
        Frames.checkBody(body.length, maxBodyBytes);
        return new KcpMessage(sender, type, typeBytes, ByteBuffer.wrap(body), Frames.checksum(typeBytes, ByteBuffer.wrap(body)));
    }

    /** This implementation's own message, or one made from another implementation's, checked the same way. */
    public static KcpMessage of(Message message, int maxBodyBytes) {
        if (message instanceof KcpMessage own) {
            Frames.checkBody(own.body.remaining(), maxBodyBytes);
            return own;
        }
        byte[] typeBytes = Frames.typeBytes(message.type());
        ByteBuffer body = message.body();
        Frames.checkBody(body.remaining(), maxBodyBytes);
        return new KcpMessage(message.sender(), message.type(), typeBytes, body, Frames.checksum(typeBytes, body));
    }

    byte[] typeBytes() {
        return typeBytes;
    }

    @Override
    public NodeAddress sender() {
        return sender;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public ByteBuffer body() {
        return body.duplicate();
    }

    @Override
    public int checksum() {
        return checksum;
    }

    @Override
    public String toString() {
        return "Message[" + type + " from " + sender + ", " + body.remaining() + " bytes]";
    }
}
