package gladius.p2p.ethstate.internal;

import gladius.p2p.Plugin;
import gladius.p2p.spi.PluginProvider;
import java.util.Map;

/** PluginProvider "ethstate". */
public final class EthStateProvider implements PluginProvider {

    /** The name that setting {@code plugins} selects. */
    public static final String NAME = "ethstate";

    /** For ServiceLoader. */
    public EthStateProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Plugin create(Map<String, String> settings) {
        return new EthStatePlugin(EthStateSettings.from(settings));
    }

    @Override
    public String namespace() {
        return EthStateSettings.PREFIX.substring(0, EthStateSettings.PREFIX.length() - 1);
    }

    @Override
    public Map<String, String> defaults() {
        return EthStateSettings.defaults();
    }
}
