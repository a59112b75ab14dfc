package gladius.p2p.internal;

import gladius.p2p.Network;
import gladius.p2p.NoTransportException;
import gladius.p2p.Plugin;
import gladius.p2p.spi.NetworkProvider;
import gladius.p2p.spi.PluginProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The lookup behind {@link Network#create(Map)}: picks the transport, creates it, then creates
 * and registers the plugins. A provider that fails to load is logged and skipped.
 */
public final class Bootstrap {

    /** Setting naming the transport provider. */
    public static final String PROVIDER = "provider";
    /** Setting naming the plugin providers, comma-separated, or {@value #NONE}. */
    public static final String PLUGINS = "plugins";
    private static final String NONE = "none";

    private static final System.Logger LOG = System.getLogger(Bootstrap.class.getName());

    private Bootstrap() {}

    /**
     * Creates a network as {@link Network#create(Map)} documents.
     *
     * @param settings the settings
     * @return the network
     */
    public static Network create(Map<String, String> settings) {
        Objects.requireNonNull(settings, "settings");
        settings.forEach((key, value) -> {
            if (key == null || value == null) {
                throw new IllegalArgumentException("settings hold a null key or value: " + key + "=" + value);
            }
        });
        Map<String, String> copy = Map.copyOf(settings);

        List<ServiceConfigurationError> failures = new ArrayList<>();
        Map<String, NetworkProvider> transports = load(NetworkProvider.class, NetworkProvider::name, failures);
        NetworkProvider transport = pick(copy.get(PROVIDER), transports, failures);

        List<PluginProvider> plugins = pluginsFor(copy.get(PLUGINS), load(PluginProvider.class, PluginProvider::name, failures));
        Network network = transport.create(copy);
        try {
            for (PluginProvider provider : plugins) {
                Plugin plugin = provider.create(copy);
                network.registerPlugin(Objects.requireNonNull(plugin, () -> "plugin provider " + provider.name() + " created null"));
            }
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
        return network;
    }

    /** What {@link Network#knownSettings()} returns. */
    public static Map<String, Map<String, String>> knownSettings() {
        List<ServiceConfigurationError> failures = new ArrayList<>();
        Map<String, Map<String, String>> known = new java.util.TreeMap<>();
        for (NetworkProvider provider : load(NetworkProvider.class, NetworkProvider::name, failures).values()) {
            known.merge(provider.namespace(), new java.util.TreeMap<>(provider.defaults()), Bootstrap::both);
        }
        for (PluginProvider provider : load(PluginProvider.class, PluginProvider::name, failures).values()) {
            known.merge(provider.namespace(), new java.util.TreeMap<>(provider.defaults()), Bootstrap::both);
        }
        known.replaceAll((namespace, defaults) -> java.util.Collections.unmodifiableMap(defaults));
        return java.util.Collections.unmodifiableMap(known);
    }

    private static Map<String, String> both(Map<String, String> first, Map<String, String> second) {
        first.putAll(second);
        return first;
    }

    private static NetworkProvider pick(String name, Map<String, NetworkProvider> found,
                                        List<ServiceConfigurationError> failures) {
        if (name != null) {
            NetworkProvider provider = found.get(name);
            if (provider == null) {
                throw new IllegalArgumentException("setting provider: no NetworkProvider named '" + name
                        + "' is on the module path; found " + found.keySet());
            }
            return provider;
        }
        if (found.isEmpty()) {
            NoTransportException e = new NoTransportException(
                    "no gladius.p2p.spi.NetworkProvider is on the module path: put the module gladius.p2p.kcp "
                            + "(with io.netty.* and org.jctools.core) on --module-path");
            failures.forEach(e::addSuppressed);
            throw e;
        }
        return found.values().iterator().next();
    }

    private static List<PluginProvider> pluginsFor(String setting, Map<String, PluginProvider> found) {
        if (setting == null) {
            return List.copyOf(found.values());
        }
        if (setting.trim().equals(NONE)) {
            return List.of();
        }
        Set<String> names = Arrays.stream(setting.split(",")).map(String::trim).collect(Collectors.toCollection(LinkedHashSet::new));
        List<PluginProvider> chosen = new ArrayList<>();
        for (String name : names) {
            PluginProvider provider = found.get(name);
            if (name.isEmpty() || provider == null) {
                throw new IllegalArgumentException("setting plugins: no PluginProvider named '" + name
                        + "' is on the module path; found " + found.keySet() + " (or use 'none')");
            }
            chosen.add(provider);
        }
        return chosen;
    }

    /** Every provider of this service that loads, by name, in ServiceLoader order; the first of a name wins. */
    private static <S> Map<String, S> load(Class<S> service, Function<S, String> name,
                                           List<ServiceConfigurationError> failures) {
        Map<String, S> found = new LinkedHashMap<>();
        Iterator<ServiceLoader.Provider<S>> providers = ServiceLoader.load(service).stream().iterator();
        // ServiceLoader's iterator goes on past a provider that fails, so one broken jar hides nothing.
        for (int guard = 0; guard < 10_000; guard++) {
            try {
                if (!providers.hasNext()) {
                    break;
                }
                S provider = providers.next().get();
                found.putIfAbsent(name.apply(provider), provider);
            } catch (ServiceConfigurationError e) {
                failures.add(e);
                LOG.log(System.Logger.Level.WARNING, "skipping a " + service.getName() + " that failed to load", e);
            }
        }
        return found;
    }
}
