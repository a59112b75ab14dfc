package gladius.p2p.node;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Settings for a node, from a properties file, then {@code --set} pairs, then the flags that are
 * shorthands for settings. Every key must belong to a part that is on the module path: the
 * network's own keys ({@code provider}, {@code plugins}) or the namespace of a transport or a
 * plugin found ({@code kcp.*}, {@code discovery.*}, ...), so a typo in a namespace is an error
 * instead of a silent default. Each part checks its own keys when the network is created.
 */
final class NodeSettings {

    private static final Set<String> NETWORK_KEYS = Set.of("provider", "plugins");

    private NodeSettings() {}

    static Map<String, String> build(Path config, List<String> pairs) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (config != null) {
            settings.putAll(readProperties(config));
        }
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UserError("--set wants key=value, not '" + pair + "'");
            }
            settings.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return settings;
    }

    /** Adds seeds to discovery's setting, keeping any given there. */
    static void addSeeds(Map<String, String> settings, List<Contacts> seeds) {
        if (seeds.isEmpty()) {
            return;
        }
        String given = settings.getOrDefault("discovery.seeds", "");
        String more = seeds.stream().map(Contacts::toString).collect(Collectors.joining(","));
        settings.put("discovery.seeds", given.isBlank() ? more : given + "," + more);
    }

    static Map<String, String> readProperties(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError("cannot read settings file " + file + ": " + describe(e));
        }
        Map<String, String> settings = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(key -> settings.put(key, properties.getProperty(key).trim()));
        return settings;
    }

    static String readSecretFile(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UserError("cannot read " + what + " " + file + ": " + describe(e));
        }
    }

    /** Every key belongs to a part on the module path, or the error lists the namespaces there are. */
    static void checkNamespaces(Map<String, String> settings) {
        Set<String> namespaces = namespaces();
        for (String key : settings.keySet()) {
            int dot = key.indexOf('.');
            boolean known = NETWORK_KEYS.contains(key) || (dot > 0 && namespaces.contains(key.substring(0, dot)));
            if (!known) {
                throw new UserError("unknown setting " + key + ": nothing on the module path reads it (settings are "
                        + "provider, plugins, or start with one of " + namespaces.stream().map(n -> n + ".")
                        .collect(Collectors.joining(", ")) + ")");
            }
        }
    }

    /** The namespaces the providers on the module path declare (their own namespace(), not their name). */
    private static Set<String> namespaces() {
        return Network.knownSettings().keySet();
    }

    static String describe(Exception e) {
        String message = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
