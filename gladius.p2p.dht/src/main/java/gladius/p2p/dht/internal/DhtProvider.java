package gladius.p2p.dht.internal;

import gladius.p2p.Plugin;
import gladius.p2p.spi.PluginProvider;
import java.util.Map;

/** PluginProvider "dht". */
public final class DhtProvider implements PluginProvider {

    /** The name that setting {@code plugins} selects. */
    public static final String NAME = "dht";

    /** For ServiceLoader. */
    public DhtProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Plugin create(Map<String, String> settings) {
        return new DhtPlugin(DhtSettings.from(settings));
    }

    @Override
    public String namespace() {
        return DhtSettings.PREFIX.substring(0, DhtSettings.PREFIX.length() - 1);
    }

    @Override
    public Map<String, String> defaults() {
        return DhtSettings.defaults();
    }
}
