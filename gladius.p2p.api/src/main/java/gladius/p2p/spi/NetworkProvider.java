package gladius.p2p.spi;

import gladius.p2p.Network;
import java.util.Map;

/**
 * A transport. Declared with {@code provides gladius.p2p.spi.NetworkProvider with ...}; a
 * stateless factory.
 */
public interface NetworkProvider {

    /** @return the name that setting {@code provider} selects, such as {@code "kcp"} */
    String name();

    /**
     * A new network, not yet listening.
     *
     * @param settings all settings; the provider reads its own namespace and rejects unknown keys in it
     * @return the network
     * @throws IllegalArgumentException naming a setting that is unknown or does not parse
     */
    Network create(Map<String, String> settings);
}
