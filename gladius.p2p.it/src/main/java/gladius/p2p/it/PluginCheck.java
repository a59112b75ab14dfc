package gladius.p2p.it;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.Plugin;
import gladius.p2p.discovery.DiscoveryService;
import gladius.p2p.dht.DhtService;
import gladius.p2p.ethstate.EthState;
import gladius.p2p.latency.LatencyAudit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Starts three networks with {@code Network.create(settings)} and no code that names a plugin,
 * then checks which plugins came up and that each one works: discovery (a node learns a peer
 * only its seed knew), latency (round trips measured), ethstate (a signed entry reaches another
 * node). A plugin that is expected absent must be absent, and its messages never seen.
 *
 * <p>Arguments: the expected plugin names, comma-separated (or {@code none}), then optional
 * {@code key=value} settings for every node (such as {@code plugins=latency}).
 */
public final class PluginCheck {

    private static final long WAIT_NANOS = 20_000_000_000L;

    private PluginCheck() {}

    /** Records the namespace of every message type a node receives. */
    private static final class Sniffer implements Plugin {
        final Set<String> namespaces = ConcurrentHashMap.newKeySet();

        @Override
        public void newMessage(Message message) {
            int slash = message.type().indexOf('/');
            namespaces.add(slash < 0 ? message.type() : message.type().substring(0, slash));
        }
    }

    /**
     * Runs the check.
     *
     * @param args expected plugins, then settings
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Set<String> expected = args[0].equals("none") ? Set.of() : new TreeSet<>(Arrays.asList(args[0].split(",")));
        Map<String, String> settings = new HashMap<>(Map.of("discovery.interval", "200ms", "latency.interval", "100ms",
                "ethstate.interval", "200ms"));
        for (String pair : Arrays.copyOfRange(args, 1, args.length)) {
            String[] kv = pair.split("=", 2);
            settings.put(kv[0], kv[1]);
        }

        try (Network a = Network.create(settings)) {
            a.listen(new NodeAddress("127.0.0.1", 0));
            Map<String, String> seeded = new HashMap<>(settings);
            seeded.put("discovery.seeds", a.localAddress().toString());
            try (Network b = Network.create(seeded); Network c = Network.create(seeded)) {
                Sniffer sniffer = new Sniffer();
                b.registerPlugin(sniffer);
                b.listen(new NodeAddress("127.0.0.1", 0));
                c.listen(new NodeAddress("127.0.0.1", 0));
                b.add(a.localAddress());
                c.add(a.localAddress());
                check(b, expected, sniffer, a, c);
            }
        }
        System.out.println("PLUGINS OK: " + expected);
    }

    private static void check(Network b, Set<String> expected, Sniffer sniffer, Network a, Network c) {
        Set<String> resolved = ModuleLayer.boot().modules().stream().map(Module::getName)
                .filter(name -> name.startsWith("gladius.p2p.")).collect(Collectors.toCollection(TreeSet::new));
        System.out.println("resolved: " + resolved);

        boolean discovery = resolved.contains("gladius.p2p.discovery") && b.plugin(DiscoveryService.class).isPresent();
        boolean latency = resolved.contains("gladius.p2p.latency") && b.plugin(LatencyAudit.class).isPresent();
        boolean ethstate = resolved.contains("gladius.p2p.ethstate") && b.plugin(EthState.class).isPresent();
        boolean dht = resolved.contains("gladius.p2p.dht") && b.plugin(DhtService.class).isPresent();
        Set<String> running = new TreeSet<>();
        if (discovery) {
            running.add("discovery");
        }
        if (latency) {
            running.add("latency");
        }
        if (ethstate) {
            running.add("ethstate");
        }
        if (dht) {
            running.add("dht");
        }
        ModuleGraphCheck.check(running.equals(expected), "registered plugins " + running + " are the expected " + expected);

        if (discovery) {
            await("discovery: b learns c, which only its seed a knew", () -> table(b).contains(c.localAddress()));
        }
        if (latency) {
            await("latency: b measures round trips to a", () -> b.plugin(LatencyAudit.class).orElseThrow()
                    .peer(a.localAddress()).map(p -> p.samples() > 0).orElse(false));
        }
        if (ethstate) {
            EthState fromA = a.plugin(EthState.class).orElseThrow();
            fromA.put("hello", new byte[] {42});
            await("ethstate: a's signed entry reaches b", () -> b.plugin(EthState.class).orElseThrow()
                    .get(fromA.address(), "hello").isPresent());
        }
        if (dht) {
            String path = a.plugin(DhtService.class).orElseThrow().put("hello", new byte[] {42})
                    .orTimeout(WAIT_NANOS, java.util.concurrent.TimeUnit.NANOSECONDS).join().record().path();
            await("dht: b gets a's record", () -> b.plugin(DhtService.class).orElseThrow().get(path)
                    .orTimeout(WAIT_NANOS, java.util.concurrent.TimeUnit.NANOSECONDS).join().isPresent());
        }
        // Every plugin has sent something by now if it runs; one that does not run sent nothing.
        await("each running plugin's messages seen", () -> sniffer.namespaces.containsAll(running));
        Set<String> foreign = new TreeSet<>(sniffer.namespaces);
        foreign.retainAll(List.of("discovery", "latency", "ethstate", "dht"));
        ModuleGraphCheck.check(foreign.equals(running), "message namespaces seen " + foreign + " are those of running plugins");
        ModuleGraphCheck.check(b.networkState().pluginFailures() == 0, "no plugin threw");
    }

    private static Set<NodeAddress> table(Network network) {
        return network.networkState().peers().stream().filter(PeerState::inRouteTable).map(PeerState::address)
                .collect(Collectors.toSet());
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                ModuleGraphCheck.check(false, what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        ModuleGraphCheck.check(true, what);
    }
}
