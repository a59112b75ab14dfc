package gladius.p2p.dht.internal;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The DHT's messages (type {@code dht}, docs/PROTOCOL.md section 9): one byte of kind, a u32
 * request ID, then the kind's fields, big-endian; a variable field has a u16 length in front, a
 * list a u16 count. Requests: FIND_NODE, GET, GET_PROVIDERS (each a 32-byte target), PUT (a record),
 * ADD_PROVIDER (a target); answers: NODES (a record or none, providers, closer nodes) to the
 * first three, ACK (a status) to the last two. A body is at most {@value #MAX_BODY} bytes, a node
 * entry at most {@value #MAX_ENTRY_BYTES}, a list at most {@value #MAX_ENTRIES}: anything else is
 * not a message ({@link #decode} is empty) and never an exception.
 */
final class Wire {

    static final int MAX_BODY = 64 * 1024;
    static final int MAX_ENTRY_BYTES = 2048;
    static final int MAX_ENTRIES = 64;

    static final byte FIND_NODE = 1;
    static final byte GET = 2;
    static final byte GET_PROVIDERS = 3;
    static final byte PUT = 4;
    static final byte ADD_PROVIDER = 5;
    static final byte NODES = 6;
    static final byte ACK = 7;

    /** ACK statuses. */
    static final int STORED = 0;
    static final int KEPT_NEWER = 1;
    static final int INVALID = 2;
    static final int FULL = 3;

    sealed interface Msg permits Request, Nodes, Ack {
        int id();
    }

    /** A request: {@code kind} is FIND_NODE, GET, GET_PROVIDERS or ADD_PROVIDER with a target, or PUT with a record. */
    record Request(byte kind, int id, NodeId target, byte[] record) implements Msg {}

    /** The answer to FIND_NODE, GET and GET_PROVIDERS. */
    record Nodes(int id, Optional<byte[]> record, List<byte[]> providers, List<byte[]> closer) implements Msg {}

    /** The answer to PUT and ADD_PROVIDER. */
    record Ack(int id, int status) implements Msg {}

    private Wire() {}

    static byte[] request(byte kind, int id, NodeId target) {
        ByteBuffer out = ByteBuffer.allocate(1 + 4 + NodeId.BYTES);
        out.put(kind).putInt(id).put(target.bytes());
        return out.array();
    }

    static byte[] put(int id, byte[] record) {
        ByteBuffer out = ByteBuffer.allocate(1 + 4 + 2 + record.length);
        out.put(PUT).putInt(id).putShort((short) record.length).put(record);
        return out.array();
    }

    static byte[] ack(int id, int status) {
        return ByteBuffer.allocate(1 + 4 + 1).put(ACK).putInt(id).put((byte) status).array();
    }

    /** A NODES answer; lists longer than {@value #MAX_ENTRIES}, entries too long, and entries past {@value #MAX_BODY} bytes are left out. */
    static byte[] nodes(int id, byte[] record, List<byte[]> providers, List<byte[]> closer) {
        int[] size = {1 + 4 + 2 + (record == null ? 0 : record.length) + 2 + 2};
        List<byte[]> p = fit(providers, size);
        List<byte[]> c = fit(closer, size);
        ByteBuffer out = ByteBuffer.allocate(size[0]);
        out.put(NODES).putInt(id);
        if (record == null) {
            out.putShort((short) 0);
        } else {
            out.putShort((short) record.length).put(record);
        }
        writeList(out, p);
        writeList(out, c);
        return out.array();
    }

    /** The message in {@code body}, or empty if it is none. */
    static Optional<Msg> decode(byte[] body) {
        if (body.length < 5 || body.length > MAX_BODY) {
            return Optional.empty();
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(body);
            byte kind = in.get();
            int id = in.getInt();
            Msg msg = switch (kind) {
                case FIND_NODE, GET, GET_PROVIDERS, ADD_PROVIDER -> new Request(kind, id, target(in), null);
                case PUT -> new Request(kind, id, null, bytes(in, Records.MAX_BYTES));
                case NODES -> {
                    byte[] record = bytes(in, Records.MAX_BYTES);
                    yield new Nodes(id, record.length == 0 ? Optional.empty() : Optional.of(record), list(in), list(in));
                }
                case ACK -> new Ack(id, in.get() & 0xff);
                default -> null;
            };
            return msg == null || in.hasRemaining() ? Optional.empty() : Optional.of(msg);
        } catch (BufferUnderflowException | IllegalArgumentException short_) {
            return Optional.empty();
        }
    }

    private static NodeId target(ByteBuffer in) {
        byte[] b = new byte[NodeId.BYTES];
        in.get(b);
        return NodeId.of(b);
    }

    private static byte[] bytes(ByteBuffer in, int max) {
        int length = in.getShort() & 0xffff;
        if (length > max) {
            throw new IllegalArgumentException("field of " + length + " bytes");
        }
        byte[] b = new byte[length];
        in.get(b);
        return b;
    }

    private static List<byte[]> list(ByteBuffer in) {
        int count = in.getShort() & 0xffff;
        if (count > MAX_ENTRIES) {
            throw new IllegalArgumentException(count + " entries");
        }
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] e = bytes(in, MAX_ENTRY_BYTES);
            if (e.length == 0) {
                throw new IllegalArgumentException("empty entry");
            }
            out.add(e);
        }
        return out;
    }

    /** The entries that fit the list and body limits; adds their size to {@code size[0]}. */
    private static List<byte[]> fit(List<byte[]> entries, int[] size) {
        List<byte[]> out = new ArrayList<>(Math.min(entries.size(), MAX_ENTRIES));
        for (byte[] e : entries) {
            if (out.size() == MAX_ENTRIES || size[0] + 2 + e.length > MAX_BODY) {
                break;
            }
            if (e.length > 0 && e.length <= MAX_ENTRY_BYTES) {
                out.add(e);
                size[0] += 2 + e.length;
            }
        }
        return out;
    }

    private static void writeList(ByteBuffer out, List<byte[]> entries) {
        out.putShort((short) entries.size());
        for (byte[] e : entries) {
            out.putShort((short) e.length).put(e);
        }
    }
}
