package gladius.p2p.kcp;

import gladius.p2p.NodeAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A peer that speaks the plain protocol (docs/PROTOCOL.md) by hand over a JDK socket on
 * 127.0.0.1, as an attacker from outside would: it opens sessions, sends whatever datagrams a
 * test builds, and reads what comes back. Nothing here is shared with the transport's own code,
 * so a test that uses it checks the wire, not the implementation against itself.
 */
final class RawPeer implements AutoCloseable {

    static final int MAGIC = 0x47;
    static final int HELLO = 1;
    static final int WELCOME = 2;
    static final int DATA = 3;
    static final int PING = 4;
    static final int HELLO_SECURE = 7;
    static final int RELAY = 12;
    static final int RELAYED = 13;
    static final int RESERVE = 14;

    private final DatagramChannel socket;

    RawPeer() {
        try {
            socket = DatagramChannel.open(StandardProtocolFamily.INET);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    NodeAddress address() {
        try {
            return new NodeAddress("127.0.0.1", ((InetSocketAddress) socket.getLocalAddress()).getPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A session this peer opened with a node: our tag and theirs. */
    record Session(NodeAddress node, int ours, int theirs) {}

    /** Opens a plain session with a node: HELLO, then the WELCOME's tag (other datagrams before it are skipped). */
    Session open(NodeAddress node, int tag) {
        send(node, header(HELLO, tag, 0));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            ByteBuffer answer = receive(Duration.ofSeconds(10)).orElseThrow(() -> new AssertionError("no WELCOME from " + node));
            if (answer.get(2) == WELCOME && answer.getInt(7) == tag) {
                return new Session(node, tag, answer.getInt(3));
            }
        }
        throw new AssertionError("no WELCOME from " + node);
    }

    void send(NodeAddress to, byte[] datagram) {
        try {
            socket.send(ByteBuffer.wrap(datagram), new InetSocketAddress(to.host(), to.port()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next datagram within the wait, if any. */
    java.util.Optional<ByteBuffer> receive(Duration wait) {
        try {
            socket.socket().setSoTimeout((int) Math.max(1, wait.toMillis()));
            byte[] buffer = new byte[2048];
            java.net.DatagramPacket packet = new java.net.DatagramPacket(buffer, buffer.length);
            socket.socket().receive(packet);
            return java.util.Optional.of(ByteBuffer.wrap(buffer, 0, packet.getLength()).slice());
        } catch (SocketTimeoutException e) {
            return java.util.Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every datagram waiting now, without waiting for more. */
    List<ByteBuffer> drain() {
        List<ByteBuffer> all = new ArrayList<>();
        try {
            socket.configureBlocking(false);
            ByteBuffer buffer = ByteBuffer.allocate(2048);
            while (socket.receive(buffer) != null) {
                buffer.flip();
                all.add(ByteBuffer.allocate(buffer.remaining()).put(buffer).flip());
                buffer.clear();
            }
            socket.configureBlocking(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a datagram socket cannot fail in a way a test cares about
        }
    }

    // ---------------------------------------------------------------- datagrams by hand

    static byte[] header(int kind, int sender, int receiver) {
        return ByteBuffer.allocate(11).put((byte) MAGIC).put((byte) 1).put((byte) kind).putInt(sender).putInt(receiver).array();
    }

    /** A HELLO_SECURE under {@code tag}: message 1, an ephemeral key, then the suite byte it names (docs/PROTOCOL.md, section 6). */
    static byte[] helloSecure(int tag, byte[] ephemeral, int suite) {
        return ByteBuffer.allocate(11 + 33).put(header(HELLO_SECURE, tag, 0)).put(ephemeral).put((byte) suite).array();
    }

    /** A PING under a session's tags reporting where we see the node, with the flags byte (bit 0: "I relay"). */
    static byte[] ping(Session session, int flags) {
        return ByteBuffer.allocate(11 + 8).put(header(PING, session.ours(), session.theirs()))
                .put((byte) 4).put(new byte[] {127, 0, 0, 1}).putShort((short) session.node().port()).put((byte) flags).array();
    }

    /** A RELAY or RELAYED under a session's tags naming an address, around one whole datagram. */
    static byte[] relay(int kind, Session carrier, NodeAddress named, byte[] inner) {
        return ByteBuffer.allocate(11 + 7 + inner.length).put(header(kind, carrier.ours(), carrier.theirs()))
                .put((byte) 4).put(new byte[] {127, 0, 0, 1}).putShort((short) named.port()).put(inner).array();
    }

    /** The kind byte of a datagram of ours, or -1 if it is not one. */
    static int kind(ByteBuffer datagram) {
        return datagram.remaining() >= 11 && (datagram.get(0) & 0xff) == MAGIC ? datagram.get(2) & 0xff : -1;
    }
}
