package gladius.p2p.spi;

import gladius.p2p.Plugin;
import java.util.Map;

/**
 * A plugin that the network finds on the module path. Declared with
 * {@code provides gladius.p2p.spi.PluginProvider with ...}; a stateless factory.
 */
public interface PluginProvider {

    /** {@return the name that setting {@code plugins} selects, such as {@code "discovery"}} */
    String name();

    /**
     * A new plugin instance for one network.
     *
     * @param settings all settings; the plugin reads its own namespace and rejects unknown keys in it
     * @return the plugin
     * @throws IllegalArgumentException naming a setting that is unknown or does not parse
     */
    Plugin create(Map<String, String> settings);

    /**
     * The namespace of the settings this plugin reads: its keys are {@code namespace + "."} and a
     * name, and a key of the namespace it does not know is an error. A node checks every key it is
     * given against the namespaces of the parts found (a typo in a namespace is an error too).
     * Added to the first release's contract; the default is {@link #name()}.
     *
     * @return the namespace, without the dot, such as "discovery"
     */
    default String namespace() {
        return name();
    }

    /**
     * Every setting this plugin reads, as whole keys (namespace included), with its default; a key
     * with no default (one the user must give, or that is off unless given) maps to "". Added to
     * the first release's contract; the default is an empty map.
     *
     * @return an unmodifiable map
     */
    default Map<String, String> defaults() {
        return Map.of();
    }
}
