package gladius.p2p.node;

import gladius.p2p.Network;
import gladius.p2p.ethstate.Entry;
import gladius.p2p.ethstate.EthState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** What the ethstate plugin knows; used only when its module is present. */
final class EthStateView {

    private EthStateView() {}

    static Optional<EthState> of(Network network) {
        return network.plugin(EthState.class);
    }

    static Optional<String> address(Network network) {
        return of(network).map(EthState::address);
    }

    static void put(Network network, String key, String value) {
        of(network).orElseThrow(() -> new UserError("--put needs the ethstate plugin, which is not running"))
                .put(key, value.getBytes(StandardCharsets.UTF_8));
    }

    static int entries(Network network) {
        return of(network).map(EthState::size).orElse(0);
    }

    /** Reply text is cut here, well under the transport's default message limit (kcp.max-message-bytes, 1 MiB). */
    private static final int MAX_LISTING_CHARS = 512 * 1024;

    /**
     * Every signed entry, one per line: signer, key, value (as text if it is printable UTF-8,
     * else hex), time, and the start of the signature; cut with a count of the rest if long.
     */
    static String listing(Network network) {
        List<Entry> snapshot = of(network).map(EthState::snapshot).orElse(List.of());
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (Entry entry : snapshot) {
            String line = String.format(java.util.Locale.ROOT, "  %s  %s = %s  (%s, sig %s...)%n", entry.address(),
                    Terminal.safe(entry.key()), Terminal.safe(valueText(entry.value())), entry.timestamp(),
                    HexFormat.of().formatHex(entry.signature(), 0, 4));
            if (out.length() + line.length() > MAX_LISTING_CHARS) {
                out.append("  ... ").append(snapshot.size() - shown).append(" more\n");
                break;
            }
            out.append(line);
            shown++;
        }
        return out.toString();
    }

    /** A value as quoted text if it decodes as UTF-8 without control characters, else as 0x hex. */
    static String valueText(byte[] value) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(value)).toString();
            if (text.chars().noneMatch(Character::isISOControl)) {
                return '"' + text + '"';
            }
        } catch (java.nio.charset.CharacterCodingException notText) {
            // shown as hex below
        }
        return "0x" + HexFormat.of().formatHex(value);
    }

    /** A short fingerprint of the whole state: two nodes that show the same one hold the same entries. */
    static String fingerprint(Network network) {
        List<Entry> snapshot = of(network).map(EthState::snapshot).orElse(List.of());
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Entry entry : snapshot) {
                sha.update(entry.signature());
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always there", e);
        }
    }
}
