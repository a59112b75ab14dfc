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
        return of(network).map(s -> s.snapshot().size()).orElse(0);
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
