package gladius.p2p.kcp.internal;

import gladius.p2p.Network;
import gladius.p2p.kcp.internal.core.KcpSettings;
import gladius.p2p.spi.NetworkProvider;
import java.util.Map;

/** The "kcp" transport: reliable, low-latency sessions over KCP on one UDP socket per node. */
public final class KcpNetworkProvider implements NetworkProvider {

    /** The provider's name, which setting {@code provider} selects. */
    public static final String NAME = "kcp";

    /** For ServiceLoader. */
    public KcpNetworkProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Network create(Map<String, String> settings) {
        return new KcpNetwork(Map.copyOf(settings), KcpSettings.from(settings));
    }

    @Override
    public String namespace() {
        return KcpSettings.PREFIX.substring(0, KcpSettings.PREFIX.length() - 1);
    }

    @Override
    public Map<String, String> defaults() {
        return KcpSettings.defaults();
    }
}
