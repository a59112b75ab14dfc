package gladius.p2p.spi;

import gladius.p2p.Network;
import java.util.Map;

/**
 * A transport. Declared with {@code provides gladius.p2p.spi.NetworkProvider with ...}; a
 * stateless factory.
 */
public interface NetworkProvider {

    /** {@return the name that setting {@code provider} selects, such as {@code "kcp"}} */
    String name();

    /**
     * A new network, not yet listening.
     *
     * @param settings all settings; the provider reads its own namespace and rejects unknown keys in it
     * @return the network
     * @throws IllegalArgumentException naming a setting that is unknown or does not parse
     */
    Network create(Map<String, String> settings);

    /**
     * The namespace of the settings this transport reads: its keys are {@code namespace + "."} and a
     * name, and a key of the namespace it does not know is an error. A node checks every key it is
     * given against the namespaces of the parts found (a typo in a namespace is an error too).
     * Added to the first release's contract; the default is {@link #name()}.
     *
     * @return the namespace, without the dot, such as "kcp"
     */
    default String namespace() {
        return name();
    }

    /**
     * Every setting this transport reads, as whole keys (namespace included), with its default; a key
     * with no default (one the user must give, or that is off unless given) maps to "". Added to
     * the first release's contract; the default is an empty map.
     *
     * @return an unmodifiable map
     */
    default Map<String, String> defaults() {
        return Map.of();
    }
}
