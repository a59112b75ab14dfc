package gladius.p2p.pubsub.internal;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pubsub's messages (type {@code pubsub}, docs/PUBSUB.md "Wire format"): a list of frames, each
 * one byte of kind, a u32 length, then the kind's fields, big-endian. A topic is a u8 length and
 * 1 to 255 bytes of UTF-8; a message ID is {@value #ID_BYTES} bytes.
 *
 * <ul>
 *   <li>HELLO: a u8 of flags, bit 0 "answer with your topics": sent, with this node's SUBSCRIBEs,
 *       to a peer this node has just met, so the two learn each other's topics whoever opened
 *       the session (the one that did not gets no callback for it);
 *   <li>SUBSCRIBE, UNSUBSCRIBE, GRAFT: a topic;
 *   <li>PRUNE: a u16 backoff in seconds, a topic;
 *   <li>PUBLISH: a topic, a u8 length and the author (empty in plain mode), a u64 sequence number,
 *       the data (the rest of the frame);
 *   <li>IHAVE: a topic, then IDs; IWANT: IDs; IDONTWANT (gossipsub v1.2): IDs;
 *   <li>CHOKE, UNCHOKE: a topic, a u8 length and the source (an author; empty: every source):
 *       Plumtree's lazy links over the mesh, docs/PUBSUB.md.
 * </ul>
 *
 * A message is at most {@value #MAX_MESSAGE} bytes with at most {@value #MAX_FRAMES} frames and
 * {@value #MAX_IDS} IDs in a frame; anything else is not a message ({@link #decode} is empty),
 * never an exception.
 */
final class Wire {

    static final int ID_BYTES = 32;
    static final int MAX_MESSAGE = 2 * 1024 * 1024;
    static final int MAX_FRAMES = 1024;
    static final int MAX_IDS = 5000;
    static final int MAX_TOPIC_BYTES = 255;

    static final byte SUBSCRIBE = 1;
    static final byte UNSUBSCRIBE = 2;
    static final byte PUBLISH = 3;
    static final byte GRAFT = 4;
    static final byte PRUNE = 5;
    static final byte IHAVE = 6;
    static final byte IWANT = 7;
    static final byte CHOKE = 8;
    static final byte UNCHOKE = 9;
    static final byte HELLO = 10;
    static final byte IDONTWANT = 11;

    /** One frame of a message. */
    sealed interface Frame permits Hello, Subscription, Graft, Prune, Publish, IHave, IWant, IDontWant, Choke {}

    /** HELLO: this node just met the peer; {@code ask}: answer with your topics. */
    record Hello(boolean ask) implements Frame {}

    /** SUBSCRIBE ({@code on}) or UNSUBSCRIBE. */
    record Subscription(String topic, boolean on) implements Frame {}

    record Graft(String topic) implements Frame {}

    record Prune(String topic, int backoffSeconds) implements Frame {}

    /** A published message as it travels; its ID is not on the wire but made from it ({@link Router#idOf}). */
    record Publish(String topic, byte[] author, long sequence, byte[] data) implements Frame {}

    record IHave(String topic, List<byte[]> ids) implements Frame {}

    record IWant(List<byte[]> ids) implements Frame {}

    /** IDONTWANT: this node has these messages, do not send them (gossipsub v1.2, for large messages). */
    record IDontWant(List<byte[]> ids) implements Frame {}

    /** CHOKE ({@code on}): send me IHAVE, not the messages, of this topic from this source (empty: all); UNCHOKE: the messages again. */
    record Choke(String topic, boolean on, byte[] source) implements Frame {}

    private Wire() {}

    static byte[] encode(List<Frame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame frame : frames) {
            ByteBuffer body;
            byte kind;
            if (frame instanceof Hello h) {
                kind = HELLO;
                body = ByteBuffer.allocate(1).put((byte) (h.ask() ? 1 : 0));
            } else if (frame instanceof Subscription s) {
                kind = s.on() ? SUBSCRIBE : UNSUBSCRIBE;
                body = topic(ByteBuffer.allocate(1 + MAX_TOPIC_BYTES), s.topic());
            } else if (frame instanceof Graft g) {
                kind = GRAFT;
                body = topic(ByteBuffer.allocate(1 + MAX_TOPIC_BYTES), g.topic());
            } else if (frame instanceof Prune p) {
                kind = PRUNE;
                body = topic(ByteBuffer.allocate(2 + 1 + MAX_TOPIC_BYTES).putShort((short) p.backoffSeconds()), p.topic());
            } else if (frame instanceof Publish p) {
                kind = PUBLISH;
                body = topic(ByteBuffer.allocate(1 + MAX_TOPIC_BYTES + 1 + p.author().length + 8 + p.data().length), p.topic())
                        .put((byte) p.author().length).put(p.author()).putLong(p.sequence()).put(p.data());
            } else if (frame instanceof Choke c) {
                kind = c.on() ? CHOKE : UNCHOKE;
                body = topic(ByteBuffer.allocate(1 + MAX_TOPIC_BYTES + 1 + c.source().length), c.topic())
                        .put((byte) c.source().length).put(c.source());
            } else if (frame instanceof IHave h) {
                kind = IHAVE;
                body = ids(topic(ByteBuffer.allocate(1 + MAX_TOPIC_BYTES + h.ids().size() * ID_BYTES), h.topic()), h.ids());
            } else if (frame instanceof IDontWant d) {
                kind = IDONTWANT;
                body = ids(ByteBuffer.allocate(d.ids().size() * ID_BYTES), d.ids());
            } else {
                IWant w = (IWant) frame;
                kind = IWANT;
                body = ids(ByteBuffer.allocate(w.ids().size() * ID_BYTES), w.ids());
            }
            out.write(kind);
            int length = body.position();
            out.write(length >>> 24);
            out.write(length >>> 16);
            out.write(length >>> 8);
            out.write(length);
            out.write(body.array(), 0, length);
        }
        return out.toByteArray();
    }

    private static ByteBuffer topic(ByteBuffer out, String topic) {
        byte[] bytes = topic.getBytes(StandardCharsets.UTF_8);
        return out.put((byte) bytes.length).put(bytes);
    }

    private static ByteBuffer ids(ByteBuffer out, List<byte[]> ids) {
        ids.forEach(out::put);
        return out;
    }

    /** The frames of a message, or empty if any part of it is malformed or out of bounds. */
    static Optional<List<Frame>> decode(byte[] message) {
        if (message.length == 0 || message.length > MAX_MESSAGE) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(message);
        List<Frame> frames = new ArrayList<>();
        try {
            while (in.hasRemaining()) {
                if (frames.size() == MAX_FRAMES) {
                    return Optional.empty();
                }
                byte kind = in.get();
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) {
                    return Optional.empty();
                }
                ByteBuffer body = in.slice(in.position(), length);
                in.position(in.position() + length);
                Optional<Frame> frame = frame(kind, body);
                if (frame.isEmpty() || body.hasRemaining()) {
                    return Optional.empty();
                }
                frames.add(frame.get());
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.of(frames);
    }

    private static Optional<Frame> frame(byte kind, ByteBuffer in) {
        switch (kind) {
            case HELLO -> {
                int flags = Byte.toUnsignedInt(in.get());
                return flags > 1 ? Optional.empty() : Optional.of(new Hello(flags == 1));
            }
            case SUBSCRIBE, UNSUBSCRIBE -> {
                return topic(in).map(t -> new Subscription(t, kind == SUBSCRIBE));
            }
            case GRAFT -> {
                return topic(in).map(Graft::new);
            }
            case PRUNE -> {
                int backoff = Short.toUnsignedInt(in.getShort());
                return topic(in).map(t -> new Prune(t, backoff));
            }
            case PUBLISH -> {
                Optional<String> topic = topic(in);
                byte[] author = new byte[Byte.toUnsignedInt(in.get())];
                in.get(author);
                long sequence = in.getLong();
                byte[] data = new byte[in.remaining()];
                in.get(data);
                return topic.map(t -> new Publish(t, author, sequence, data));
            }
            case IHAVE -> {
                Optional<String> topic = topic(in);
                Optional<List<byte[]>> ids = ids(in);
                return topic.flatMap(t -> ids.map(list -> new IHave(t, list)));
            }
            case IWANT -> {
                return ids(in).map(IWant::new);
            }
            case IDONTWANT -> {
                return ids(in).map(IDontWant::new);
            }
            case CHOKE, UNCHOKE -> {
                Optional<String> topic = topic(in);
                byte[] source = new byte[Byte.toUnsignedInt(in.get())];
                in.get(source);
                return topic.map(t -> new Choke(t, kind == CHOKE, source));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private static Optional<String> topic(ByteBuffer in) {
        int length = Byte.toUnsignedInt(in.get());
        if (length == 0 || length > in.remaining()) {
            return Optional.empty();
        }
        ByteBuffer bytes = in.slice(in.position(), length);
        in.position(in.position() + length);
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static Optional<List<byte[]>> ids(ByteBuffer in) {
        if (in.remaining() % ID_BYTES != 0 || in.remaining() / ID_BYTES > MAX_IDS) {
            return Optional.empty();
        }
        List<byte[]> ids = new ArrayList<>(in.remaining() / ID_BYTES);
        while (in.hasRemaining()) {
            byte[] id = new byte[ID_BYTES];
            in.get(id);
            ids.add(id);
        }
        return Optional.of(ids);
    }
}
