package gladius.p2p.spi;

import gladius.p2p.Plugin;
import java.util.Map;

/**
 * A plugin that the network finds on the module path. Declared with
 * {@code provides gladius.p2p.spi.PluginProvider with ...}; a stateless factory.
 */
public interface PluginProvider {

    /** @return the name that setting {@code plugins} selects, such as {@code "discovery"} */
    String name();

    /**
     * A new plugin instance for one network.
     *
     * @param settings all settings; the plugin reads its own namespace and rejects unknown keys in it
     * @return the plugin
     * @throws IllegalArgumentException naming a setting that is unknown or does not parse
     */
    Plugin create(Map<String, String> settings);
}
