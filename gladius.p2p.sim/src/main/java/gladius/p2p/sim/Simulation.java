package gladius.p2p.sim;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import gladius.p2p.kcp.internal.VirtualNetworks;
import gladius.p2p.spi.PluginProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Many nodes of the kcp transport, their plugins included, on one virtual clock over a simulated
 * network, with no socket and no thread: what a test of a protocol rule, or of a plugin on a
 * thousand nodes, runs on. A network comes from {@link #network(Map)} as it would from
 * {@link Network#create(Map)} (the {@code plugins} setting picks the plugin providers found on
 * the module path, every one by default) and is used as any other: {@code listen}, {@code add},
 * {@code broadcast}. Time passes only while the simulation runs ({@link #runFor},
 * {@link #runUntil}): a call returns at once, and what it starts (a dial, a send) runs in
 * virtual time, at the moment it is due. As on sockets, {@code listen} and
 * {@code registerPlugin} return once the plugins' startups ran, and {@code close} once their
 * closes did (at the same virtual instant).
 *
 * <p>The same seed and the same calls give the same run, datagram for datagram
 * ({@link #traceHash()}): the nodes' keys, tags and handshakes, the plugins' choices
 * ({@link Network#random()}), the places and last miles of {@link Geography}, every loss and
 * every jitter come from it. A secret a plugin makes itself (an Ethereum key when none is set) is
 * outside it: set such keys for a run that must repeat byte for byte.
 *
 * <p>Everything runs on the calling thread; a simulation is not thread-safe. Nodes listen at
 * addresses such as {@link #address(int)} gives (one IPv6 /48 each); a node's place
 * belongs to its IP, so a node that crashes and listens again is where it was.
 *
 * <pre>{@code
 * try (Simulation sim = Simulation.builder().seed(42).geography(Geography.EARTH).loss(0.01).build()) {
 *     List<Network> nodes = new ArrayList<>();
 *     for (int i = 0; i < 100; i++) {
 *         nodes.add(sim.node(i, Map.of("discovery.seeds", i == 0 ? "" : Simulation.address(0).toString())));
 *     }
 *     sim.runFor(Duration.ofMinutes(1));
 * }
 * }</pre>
 */
public final class Simulation implements AutoCloseable {

    /** The port {@link #node(int, Map)} listens on. */
    public static final int PORT = 7000;

    private final long seed;
    private final Geography geography;
    private final double uplinkBitsPerMilli;
    private final SplittableRandom chance;
    private final VirtualNetworks engine;
    private final Map<InetAddress, Geography.Place> places = new HashMap<>();
    /** When each address's uplink is free again (uplinkMbps), in virtual milliseconds. */
    private final Map<InetAddress, Double> uplinkFreeAt = new HashMap<>();
    /** Which side of a partition each address is on; absent: side 0. */
    private final Map<InetAddress, Integer> sides = new HashMap<>();
    /** Pairs of IPs with no path between them now, both ways. */
    private final java.util.Set<java.util.Set<InetAddress>> cuts = new java.util.HashSet<>();
    private final List<PluginProvider> providers;
    /** The routers of nodes behind NATs, by the node's private address and by their public IP. */
    private final Map<InetSocketAddress, Router> routersInside = new HashMap<>();
    private final Map<InetAddress, Router> routersOutside = new HashMap<>();
    private double loss;
    private int partitions;

    private Simulation(Builder builder) {
        this.seed = builder.seed;
        this.geography = builder.geography;
        this.loss = builder.loss;
        this.uplinkBitsPerMilli = builder.uplinkMbps * 1_000;
        this.chance = new SplittableRandom(builder.seed);
        this.engine = new VirtualNetworks(builder.seed, builder.epoch.toEpochMilli(), new VirtualNetworks.Links() {
            @Override
            public long delay(InetSocketAddress from, InetSocketAddress to, byte[] datagram) {
                return Simulation.this.delay(from, to, datagram);
            }

            @Override
            public InetSocketAddress sourceSeen(InetSocketAddress from, InetSocketAddress to) {
                Router router = routersInside.get(from);
                return router == null ? from : router.outbound(from, to);
            }

            @Override
            public InetSocketAddress destination(InetSocketAddress to, InetSocketAddress from) {
                Router router = routersOutside.get(to.getAddress());
                return router == null ? to : router.inbound(to.getPort(), from);
            }
        });
        List<PluginProvider> found = new ArrayList<>();
        ServiceLoader.load(PluginProvider.class).forEach(found::add);
        this.providers = List.copyOf(found);
    }

    /** A builder: seed 0, {@link Geography#EARTH}, no loss, unlimited uplinks, epoch 2026-01-01T00:00Z. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The address of node {@code n}: {@code [2001:db8:n:0:0:0:0:1]:7000}, with n in hexadecimal. The
     * IPv6 documentation prefix (RFC 3849), which no real network routes, and each node in a /48
     * of its own, as nodes at the edge are: discovery keeps only a few nodes of one block
     * (discovery.max-per-subnet), so nodes packed into a few blocks would not be a network.
     */
    public static NodeAddress address(int n) {
        if (n < 0 || n > 0xffff) {
            throw new IllegalArgumentException("n must be 0 to 65535, not " + n);
        }
        byte[] ip = {0x20, 0x01, 0x0d, (byte) 0xb8, (byte) (n >> 8), (byte) n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        try {
            // As the transport writes addresses (InetAddress#getHostAddress): 2001:db8:n:0:0:0:0:1.
            return new NodeAddress(InetAddress.getByAddress(ip).getHostAddress(), PORT);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    // ---------------------------------------------------------------- nodes

    /**
     * A network in this simulation, not yet listening, as {@link Network#create(Map)} makes one:
     * transport settings in {@code kcp.*}, and a plugin from every provider on the module path
     * unless setting {@code plugins} names them (comma-separated) or says {@code none}.
     *
     * @throws IllegalArgumentException if a setting is unknown or does not parse, or {@code plugins} names a provider not found
     */
    public Network network(Map<String, String> settings) {
        Objects.requireNonNull(settings, "settings");
        String provider = settings.get("provider");
        if (provider != null && !provider.equals("kcp")) {
            throw new IllegalArgumentException("setting provider: a simulation runs the transport kcp, not " + provider);
        }
        List<PluginProvider> chosen = pluginsFor(settings.get("plugins"));
        Network network = engine.network(settings);
        try {
            for (PluginProvider plugins : chosen) {
                Plugin plugin = plugins.create(settings);
                network.registerPlugin(Objects.requireNonNull(plugin, () -> "plugin provider " + plugins.name() + " created null"));
            }
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
        return network;
    }

    /** Node {@code n}: a {@link #network(Map)} listening at {@link #address(int) address(n)}. */
    public Network node(int n, Map<String, String> settings) {
        return node(n, settings, Nat.NONE);
    }

    /**
     * Node {@code n} behind a router of this kind: it listens at a private address
     * ({@code [fd00:0:0:n:0:0:0:1]:7000}, unique local), and the others see it at its router's
     * public IP, {@link #address(int) address(n)}'s, on ports the router maps from 40000. A
     * router's mappings do not expire (a session's keepalives would keep them anyway), and it
     * does not hairpin. {@link Nat#NONE} is {@link #node(int, Map)}.
     */
    public Network node(int n, Map<String, String> settings, Nat nat) {
        Objects.requireNonNull(nat, "nat");
        NodeAddress at = address(n);
        if (nat != Nat.NONE) {
            InetSocketAddress inside = new InetSocketAddress(privateIp(n), PORT);
            Router router = new Router(ip(at), nat);
            Router before = routersInside.put(inside, router);
            if (before != null) {
                routersOutside.remove(before.publicIp); // a restart behind a new router: its mappings are gone
            }
            routersOutside.put(router.publicIp, router);
            at = new NodeAddress(inside.getAddress().getHostAddress(), PORT);
        }
        Network network = network(settings);
        network.listen(at);
        return network;
    }

    /**
     * The node's process dies: its peers get no notice, nothing of it runs again, datagrams to
     * it are lost. Its address may listen again ({@link #node(int, Map)}): a restart, with
     * nothing remembered. False if it was not listening.
     */
    public boolean crash(Network node) {
        return engine.crash(node.localAddress());
    }

    /** Where a node is (drawn the first time its IP sends or is asked about). */
    public Geography.Place place(NodeAddress node) {
        return placeOf(ip(node));
    }

    // ---------------------------------------------------------------- time

    /** Virtual time since the simulation began. */
    public Duration elapsed() {
        return Duration.ofMillis(engine.now());
    }

    /** The clock every node of this simulation runs on. */
    public InstantSource clock() {
        return engine.clock();
    }

    /** Runs the simulation for this much virtual time. */
    public void runFor(Duration duration) {
        engine.runUntil(engine.now() + millis(duration, "duration"));
    }

    /**
     * Runs until the condition holds (checked each time the clock moves on), for at most
     * {@code limit} of virtual time.
     *
     * @return whether it held
     */
    public boolean runUntil(BooleanSupplier condition, Duration limit) {
        Objects.requireNonNull(condition, "condition");
        return engine.runUntil(condition, engine.now() + millis(limit, "limit"));
    }

    /** Runs {@code action} on this thread when {@code delay} of virtual time has passed from now. */
    public void after(Duration delay, Runnable action) {
        engine.at(engine.now() + millis(delay, "delay"), action);
    }

    // ---------------------------------------------------------------- faults

    /** From now on this share of datagrams, in [0, 1), is lost at random. */
    public void loss(double share) {
        if (!(share >= 0 && share < 1)) {
            throw new IllegalArgumentException("loss must be in [0, 1): " + share);
        }
        this.loss = share;
    }

    /**
     * Cuts these nodes off from every other: datagrams between the two sides are lost until
     * {@link #heal()}. Several partitions may stand at once, each its own side.
     */
    public void partition(Collection<NodeAddress> side) {
        int id = ++partitions;
        for (NodeAddress node : side) {
            sides.put(outside(node), id);
        }
    }

    /**
     * No path between these two from now on, either way (say, between their providers), until
     * {@link #heal()}; both still reach everyone else. Nodes behind NATs are cut at their routers.
     */
    public void cut(NodeAddress a, NodeAddress b) {
        cuts.add(java.util.Set.of(outside(a), outside(b)));
    }

    /** Every partition and every cut heals. */
    public void heal() {
        sides.clear();
        cuts.clear();
    }

    // ---------------------------------------------------------------- what happened

    /** Datagrams every node sent so far. */
    public long datagramsSent() {
        return engine.datagramsSent();
    }

    /** Datagrams lost so far (loss, partitions, crashed or absent nodes). */
    public long datagramsLost() {
        return engine.datagramsLost();
    }

    /** Events waiting in the simulation (datagrams on their way, timers, plugin work). */
    public int pendingEvents() {
        return engine.pendingEvents();
    }

    /** A hash of every datagram so far and of its fate: the same seed and calls give the same. */
    public String traceHash() {
        return engine.traceHash();
    }

    /**
     * Closes every network of this simulation that has not crashed, as {@code Network#close}
     * does, at this virtual instant: their plugins close and their buffers are released (a
     * crashed node's were when it crashed). A test closes its simulation, as it would close its
     * networks on sockets. Idempotent.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** The seed this simulation runs from. */
    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        return "Simulation[seed " + seed + ", at " + elapsed() + "]";
    }

    // ---------------------------------------------------------------- inside

    /** The simulated network: each datagram's fate, in the order they are sent. */
    private long delay(InetSocketAddress from, InetSocketAddress to, byte[] datagram) {
        int bytes = datagram.length;
        InetAddress source = from.getAddress();
        InetAddress target = to.getAddress();
        if ((!sides.isEmpty() && sides.getOrDefault(source, 0).intValue() != sides.getOrDefault(target, 0).intValue())
                || (!cuts.isEmpty() && cuts.contains(java.util.Set.of(source, target)))) {
            return -1;
        }
        if (loss > 0 && chance.nextDouble() < loss) {
            return -1;
        }
        double now = engine.now();
        double leaves = now;
        if (uplinkBitsPerMilli > 0) {
            leaves = Math.max(now, uplinkFreeAt.getOrDefault(source, 0.0)) + (bytes + 28) * 8 / uplinkBitsPerMilli;
            uplinkFreeAt.put(source, leaves);
        }
        double arrives = leaves + geography.oneWayMillis(placeOf(source), placeOf(target), chance);
        return Math.max(0, Math.round(arrives - now));
    }

    /** The IP a node's datagrams come from on the simulated internet: its own, or its router's. */
    private InetAddress outside(NodeAddress node) {
        Router router = routersInside.get(new InetSocketAddress(ip(node), node.port()));
        return router == null ? ip(node) : router.publicIp;
    }

    private static InetAddress privateIp(int n) {
        byte[] ip = {(byte) 0xfd, 0, 0, 0, 0, 0, (byte) (n >> 8), (byte) n, 0, 0, 0, 0, 0, 0, 0, 1};
        try {
            return InetAddress.getByAddress(ip);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private Geography.Place placeOf(InetAddress ip) {
        return places.computeIfAbsent(ip, unused -> geography.place(chance));
    }

    private static InetAddress ip(NodeAddress node) {
        try {
            return InetAddress.getByName(node.host()); // an IP literal in a simulation: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("a simulated node has an IP literal for its host, not " + node.host(), e);
        }
    }

    private static long millis(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or more: " + duration);
        }
        return duration.toMillis();
    }

    /**
     * The plugin providers setting {@code plugins} picks, by the rule of {@link Network#create(Map)}
     * (the api's bootstrap, whose package is not exported): every one, none, or those named.
     */
    private List<PluginProvider> pluginsFor(String setting) {
        if (setting == null) {
            return providers;
        }
        if (setting.trim().equals("none")) {
            return List.of();
        }
        Map<String, PluginProvider> byName = new LinkedHashMap<>();
        for (PluginProvider provider : providers) {
            byName.putIfAbsent(provider.name(), provider);
        }
        List<PluginProvider> chosen = new ArrayList<>();
        for (String name : Arrays.stream(setting.split(",")).map(String::trim).distinct().toList()) {
            PluginProvider provider = byName.get(name);
            if (provider == null) {
                throw new IllegalArgumentException("setting plugins: no PluginProvider named '" + name
                        + "' is on the module path; found " + byName.keySet() + " (or use 'none')");
            }
            chosen.add(provider);
        }
        return chosen;
    }

    /** How a node's router treats its datagrams, in RFC 4787's terms. */
    public enum Nat {
        /** No router: the node's own address is public. */
        NONE,
        /** Endpoint-independent mapping and filtering ("full cone"): one public port, open to anyone once mapped. */
        OPEN,
        /**
         * Endpoint-independent mapping, address-and-port-dependent filtering: the usual home
         * router. One public port for every destination; a peer's datagrams pass once the node
         * sent to that peer, so two such nodes can punch through to each other.
         */
        ENDPOINT_INDEPENDENT,
        /**
         * Address-and-port-dependent mapping and filtering: a new public port for each
         * destination, open only to it. Nobody can predict where to reach the node: only a relay
         * it keeps a session with can.
         */
        SYMMETRIC
    }

    /** One node's router: its public IP, its mappings, and what each mapping lets in. */
    private static final class Router {
        final InetAddress publicIp;
        final Nat nat;
        /** Public port by (inside, destination); the destination is null for an endpoint-independent mapping. */
        private final Map<List<InetSocketAddress>, Integer> ports = new HashMap<>();
        private final Map<Integer, InetSocketAddress> inside = new HashMap<>();
        /** The remote addresses each public port has sent to: what filtering lets in. */
        private final Map<Integer, java.util.Set<InetSocketAddress>> contacted = new HashMap<>();
        private int nextPort = 40_000;

        Router(InetAddress publicIp, Nat nat) {
            this.publicIp = publicIp;
            this.nat = nat;
        }

        InetSocketAddress outbound(InetSocketAddress from, InetSocketAddress to) {
            List<InetSocketAddress> key = java.util.Arrays.asList(from, nat == Nat.SYMMETRIC ? to : null);
            int port = ports.computeIfAbsent(key, unused -> nextPort++);
            inside.put(port, from);
            contacted.computeIfAbsent(port, unused -> new java.util.HashSet<>()).add(to);
            return new InetSocketAddress(publicIp, port);
        }

        InetSocketAddress inbound(int port, InetSocketAddress from) {
            InetSocketAddress node = inside.get(port);
            if (node == null || (nat != Nat.OPEN && !contacted.get(port).contains(from))) {
                return null;
            }
            return node;
        }
    }

    /** How a simulation is made. */
    public static final class Builder {
        private long seed;
        private Geography geography = Geography.EARTH;
        private double loss;
        private double uplinkMbps;
        private Instant epoch = Instant.parse("2026-01-01T00:00:00Z");

        private Builder() {}

        /** Every chance of the run comes from it. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Where nodes are and how long datagrams take. */
        public Builder geography(Geography geography) {
            this.geography = Objects.requireNonNull(geography, "geography");
            return this;
        }

        /** The share of datagrams lost at random, in [0, 1). */
        public Builder loss(double share) {
            if (!(share >= 0 && share < 1)) {
                throw new IllegalArgumentException("loss must be in [0, 1): " + share);
            }
            this.loss = share;
            return this;
        }

        /**
         * Each node's upload speed in megabits per second (zero: unlimited): datagrams leave one
         * after another, each taking its size (and 28 bytes of IP and UDP headers) at that speed.
         */
        public Builder uplinkMbps(double mbps) {
            if (!(mbps >= 0)) {
                throw new IllegalArgumentException("uplinkMbps must be zero or more: " + mbps);
            }
            this.uplinkMbps = mbps;
            return this;
        }

        /** The wall-clock time that the start of the simulation stands for. */
        public Builder epoch(Instant epoch) {
            this.epoch = Objects.requireNonNull(epoch, "epoch");
            return this;
        }

        public Simulation build() {
            return new Simulation(this);
        }
    }
}
