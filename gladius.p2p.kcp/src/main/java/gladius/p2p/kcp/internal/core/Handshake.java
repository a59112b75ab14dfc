package gladius.p2p.kcp.internal.core;

import gladius.p2p.kcp.internal.secure.CipherSuite;
import gladius.p2p.kcp.internal.secure.NoiseXX;
import gladius.p2p.kcp.internal.secure.SecureChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * One session's Noise XX exchange as this transport runs it: bound to the protocol by its
 * prologue, in the cipher suite the dialer names in its first message's payload (the responder
 * follows it; the handshake hash covers the name and that payload, so neither can be changed on
 * the way), on the node's static key, keeping the last message this side wrote (resent when the
 * peer seems not to have it), checking the key the peer proves against {@code kcp.allow-keys},
 * and ending in the {@link SecureChannel} of the established session. Owns its
 * {@link NoiseXX}; the {@link Session} decides what each step means on the wire. Event loop only.
 */
final class Handshake {

    /** Binds the handshake to this protocol, so its keys can never be replayed into another. */
    private static final byte[] PROLOGUE = "gladius-p2p kcp 1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NO_PAYLOAD = new byte[0];
    /** Bytes of HELLO_SECURE's payload: message 1, {@code e} and the one-byte suite it carries. */
    static final int FIRST_MESSAGE = NoiseXX.MESSAGE_1 + 1;

    private final KcpSettings settings;
    private final SecureRandom random;
    private final CipherSuite suite;
    private final NoiseXX noise;
    private byte[] lastMessage;

    private Handshake(KcpSettings settings, SecureRandom random, boolean initiator, CipherSuite suite) {
        this.settings = settings;
        this.random = random;
        this.suite = suite;
        this.noise = new NoiseXX(initiator, suite, settings.nodeKey().staticKey(), PROLOGUE);
    }

    /** The initiator's side, in kcp.cipher's suite, with its first message written. */
    static Handshake initiate(KcpSettings settings, SecureRandom random) {
        Handshake handshake = new Handshake(settings, random, true, settings.cipher());
        if (!handshake.write(new byte[] {(byte) handshake.suite.wireId()})) {
            throw new IllegalStateException("a new Noise XX initiator could not write its first message");
        }
        return handshake;
    }

    /**
     * The responder's side, in the suite the first message names: that message read and the
     * second written; empty if the first was unusable (a suite this version does not know among
     * them).
     */
    static Optional<Handshake> answer(KcpSettings settings, SecureRandom random, byte[] first) {
        if (first.length != FIRST_MESSAGE) {
            return Optional.empty();
        }
        Optional<CipherSuite> suite = CipherSuite.ofWire(first[NoiseXX.MESSAGE_1] & 0xff);
        if (suite.isEmpty()) {
            return Optional.empty();
        }
        Handshake handshake = new Handshake(settings, random, false, suite.get());
        if (!handshake.read(first) || !handshake.writeNext()) {
            return Optional.empty();
        }
        return Optional.of(handshake);
    }

    /** The last message this side wrote. */
    byte[] lastMessage() {
        return lastMessage;
    }

    /** Reads the peer's next message; false if it does not authenticate (the handshake has then failed). */
    boolean read(byte[] message) {
        return noise.readMessage(message).isPresent();
    }

    /** Writes this side's next message (then {@link #lastMessage()}); false if it cannot. */
    boolean writeNext() {
        return write(NO_PAYLOAD);
    }

    private boolean write(byte[] payload) {
        Optional<byte[]> next = noise.writeMessage(payload, random);
        next.ifPresent(message -> lastMessage = message);
        return next.isPresent();
    }

    /** The static key the peer proved (once its second or third message has been read). */
    byte[] peerKey() {
        return noise.remoteStatic().orElseThrow();
    }

    /** The peer's static key in hex, if kcp.allow-keys is set and lacks it; empty if the key is allowed. */
    Optional<String> keyNotAllowed() {
        String hex = HexFormat.of().formatHex(peerKey());
        boolean allowed = settings.allowKeys().isEmpty() || settings.allowKeys().contains(hex);
        return allowed ? Optional.empty() : Optional.of(hex);
    }

    /** The suite both sides use: the initiator's choice. */
    CipherSuite suite() {
        return suite;
    }

    /** The finished handshake's keys, as the channel that seals and opens the session's datagrams. */
    SecureChannel channel(long now) {
        byte[][] keys = noise.split();
        return new SecureChannel(suite, keys[0], keys[1], settings.rekeyAfterDatagrams(), settings.rekeyAfter().toMillis(), now);
    }
}
