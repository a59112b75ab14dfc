package gladius.p2p.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hosts on separate network stacks, for tests across real routing and NAT: Linux network
 * namespaces joined by veth pairs. An "internet" namespace routes between every public host and
 * every NAT router's WAN side, each on a link and a /24 of its own (198.18.N.1, the internet's
 * side 198.18.N.254, as an internet of providers would number them: diversity rules per /24 see
 * separate networks). It routes rather than bridges: on one flat segment every public host would
 * resolve every other with ARP, and the kernel's neighbour table is one for all namespaces
 * ({@code net.ipv4.neigh.default.gc_thresh3}, 1,024 entries by default): fifty hosts that all talk
 * to each other filled it, and a host that came late could not resolve the seeds (found with the
 * fifty-host DHT bed, docs/BENCHMARKS.md). Routed, a host has one neighbour. Each NAT router has a LAN of its own
 * (198.19.N.0/24) whose hosts reach the internet only through its nftables {@code masquerade}, and
 * a firewall that drops unsolicited traffic from the WAN, as home routers do.
 * Every address is in 198.18.0.0/15 (RFC 2544), never any other range.
 *
 * <p>Everything it makes is named with a prefix of its own (process id and a counter), so two
 * runs never collide. {@link #close()} ends every process in its namespaces ({@code ip netns
 * pids}: killing an {@code ip netns exec} wrapper can leave its child running in a namespace that
 * lost its name), then deletes the namespaces, which takes their veths and nftables rules with
 * them. A shutdown hook does the same if the JVM ends before close (an interrupted run).
 *
 * <p>Needs root, {@code ip} and {@code nft}: {@link #unavailable()} says what is missing, for a
 * test to skip with that reason.
 */
final class NetBed implements AutoCloseable {

    /** How a NAT router maps its LAN's hosts to its WAN address. */
    enum Nat {
        /** Plain masquerade: one mapping per host port whatever the destination (the usual home router). */
        ENDPOINT_INDEPENDENT,
        /** masquerade random: a new port per destination, as symmetric NATs do. */
        SYMMETRIC
    }

    /** A host: its namespace and its address. */
    record Host(String namespace, String address) {}

    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final String IP = tool("ip");
    private static final String NFT = tool("nft");
    private static final String SYSCTL = tool("sysctl");
    private static final String CONNTRACK = tool("conntrack");

    private final String prefix;
    private final String internet;
    private final List<String> namespaces = new ArrayList<>();
    private final Thread hook;
    private int nextPublic = 1;
    private int nextNat = 1;
    private int nextLink = 1;

    /** Makes the internet namespace; fails (and removes what it made) if any step fails. */
    NetBed() throws IOException, InterruptedException {
        prefix = "gb" + Long.toString(ProcessHandle.current().pid() % 46_656, 36) + RUNS.incrementAndGet();
        internet = prefix + "-inet";
        hook = new Thread(this::teardown, "netbed-teardown-" + prefix);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            namespace(internet);
            run(IP, "netns", "exec", internet, SYSCTL, "-q", "-w", "net.ipv4.ip_forward=1");
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Why this machine cannot build a bed (not root, no ip, no nft), or empty if it can. */
    static Optional<String> unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("network namespaces need root (running as " + System.getProperty("user.name") + ")");
        }
        for (String tool : List.of("ip", "nft", "sysctl")) {
            if (!Files.isExecutable(Path.of(tool(tool)))) {
                return Optional.of("'" + tool + "' is not installed (Debian: apt-get install -y "
                        + (tool.equals("ip") ? "iproute2" : tool.equals("nft") ? "nftables" : "procps") + ")");
            }
        }
        return Optional.empty();
    }

    /** A host on the internet, with a public address 198.18.N.1. */
    Host publicHost(String name) throws IOException, InterruptedException {
        String ns = prefix + "-" + name;
        namespace(ns);
        return new Host(ns, plug(ns, "eth0"));
    }

    /**
     * A NAT router: WAN 198.18.N.1 on the internet, LAN 198.19.M.1/24, and hosts behind
     * it get 198.19.M.2 and up. Returns the router; {@link #behind} adds hosts.
     */
    Router router(String name, Nat kind) throws IOException, InterruptedException {
        String ns = prefix + "-" + name;
        int lan = nextNat++;
        namespace(ns);
        String wan = plug(ns, "wan");
        ip(ns, "link", "add", "lan", "type", "bridge");
        ip(ns, "addr", "add", "198.19." + lan + ".1/24", "dev", "lan");
        ip(ns, "link", "set", "lan", "up");
        run(IP, "netns", "exec", ns, SYSCTL, "-q", "-w", "net.ipv4.ip_forward=1");
        // The firewall drops unsolicited traffic from the WAN, as home routers do. It also matters to
        // the mapping: a packet accepted to the router itself would leave a conntrack entry that
        // makes masquerade pick another port for the LAN host's own packets to that sender (so a
        // hole punch would never meet); dropped in the input hook, its entry is never confirmed.
        nft(ns, "add table ip nat",
                "add chain ip nat post { type nat hook postrouting priority 100 ; }",
                masquerade(lan, kind, ""),
                "add table inet firewall",
                "add chain inet firewall input { type filter hook input priority 0 ; }",
                "add rule inet firewall input iifname \"wan\" ct state new drop",
                "add chain inet firewall forward { type filter hook forward priority 0 ; }",
                "add rule inet firewall forward iifname \"wan\" ct state new drop");
        return new Router(ns, wan, lan, kind);
    }

    private static String masquerade(int lan, Nat kind, String ports) {
        return "add rule ip nat post oifname \"wan\" ip saddr 198.19." + lan + ".0/24 masquerade" + ports
                + (kind == Nat.SYMMETRIC ? " random" : "");
    }

    /**
     * The router forgets every mapping it holds (its conntrack table flushed), as a NAT does when
     * it restarts or its mappings time out; with {@code newPorts} it maps to other ports from now
     * on (40000-40999), so its hosts come back at another public address.
     */
    void forget(Router router, boolean newPorts) throws IOException, InterruptedException {
        if (newPorts) {
            // A port range needs a transport protocol to apply to: UDP (all the nodes speak) gets
            // the new ports, anything else the old rule.
            nft(router.namespace, "flush chain ip nat post",
                    masquerade(router.lan, router.kind, " to :40000-40999").replace(" masquerade", " meta l4proto udp masquerade"),
                    masquerade(router.lan, router.kind, ""));
        }
        run(IP, "netns", "exec", router.namespace, CONNTRACK, "-F");
    }

    /** Drops everything the internet routes between two public addresses, both ways, until {@link #unblock()}. */
    void block(String one, String other) throws IOException, InterruptedException {
        nft(internet, "add table ip blocks",
                "add chain ip blocks forward { type filter hook forward priority 0 ; }",
                "add rule ip blocks forward ip saddr " + one + " ip daddr " + other + " drop",
                "add rule ip blocks forward ip saddr " + other + " ip daddr " + one + " drop");
    }

    /** Lifts every {@link #block}. */
    void unblock() throws IOException, InterruptedException {
        nft(internet, "delete table ip blocks");
    }

    /** Why {@link #forget} cannot run here, or empty if it can. */
    static Optional<String> cannotForget() {
        return Files.isExecutable(Path.of(CONNTRACK)) ? Optional.empty()
                : Optional.of("'conntrack' is not installed (Debian: apt-get install -y conntrack)");
    }

    /** A NAT router's namespace, WAN address, LAN number and kind; hosts behind it count from 2. */
    final class Router {
        final String namespace;
        final String wan;
        private final int lan;
        private final Nat kind;
        private int nextHost = 2;

        private Router(String namespace, String wan, int lan, Nat kind) {
            this.namespace = namespace;
            this.wan = wan;
            this.lan = lan;
            this.kind = kind;
        }
    }

    /** A host on a router's LAN, its default route through the router. */
    Host behind(Router router, String name) throws IOException, InterruptedException {
        String ns = prefix + "-" + name;
        String address = "198.19." + router.lan + "." + router.nextHost++;
        namespace(ns);
        String outside = prefix + "l" + nextLink++;
        run(IP, "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run(IP, "link", "set", outside, "netns", router.namespace);
        ip(router.namespace, "link", "set", outside, "master", "lan");
        ip(router.namespace, "link", "set", outside, "up");
        ip(ns, "addr", "add", address + "/24", "dev", "eth0");
        ip(ns, "link", "set", "eth0", "up");
        ip(ns, "route", "add", "default", "via", "198.19." + router.lan + ".1");
        return new Host(ns, address);
    }

    /** Drops this share of the packets a namespace receives (nftables numgen), in percent. */
    void loss(String namespace, int percent) throws IOException, InterruptedException {
        nft(namespace, "add table inet loss",
                "add chain inet loss input { type filter hook input priority 0 ; }",
                "add chain inet loss forward { type filter hook forward priority 0 ; }",
                "add rule inet loss input numgen random mod 100 < " + percent + " drop",
                "add rule inet loss forward numgen random mod 100 < " + percent + " drop");
    }

    @Override
    public void close() {
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing left to remove
        }
    }

    /** Ends every process in our namespaces, then deletes them (their veths and rules go with them). */
    private synchronized void teardown() {
        List<ProcessHandle> killed = new ArrayList<>();
        for (String ns : List.copyOf(namespaces)) {
            try {
                for (String pid : output(IP, "netns", "pids", ns).split("\\s+")) {
                    if (!pid.isBlank()) {
                        ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(handle -> {
                            handle.destroyForcibly();
                            killed.add(handle);
                        });
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the namespace may be half made; deleting it below is what matters
            }
        }
        for (ProcessHandle handle : killed) {
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // deleted below all the same
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (String ns : List.copyOf(namespaces)) {
            try {
                run(IP, "netns", "delete", ns);
            } catch (IOException | InterruptedException | RuntimeException e) {
                // already gone
            }
            namespaces.remove(ns);
        }
    }

    /** Resident memory of the processes in a namespace (VmRSS), in bytes. */
    long residentBytes(String namespace) throws IOException {
        long total = 0;
        for (String pid : output(IP, "netns", "pids", namespace).split("\\s+")) {
            if (pid.isBlank()) {
                continue;
            }
            try {
                for (String line : Files.readAllLines(Path.of("/proc", pid.trim(), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (java.nio.file.NoSuchFileException gone) {
                // ended meanwhile
            }
        }
        return total;
    }

    /** What is left of this bed on the machine: its namespaces that still exist (for a test to check teardown). */
    List<String> leftovers() throws IOException {
        String all = output(IP, "netns", "list");
        List<String> left = new ArrayList<>();
        for (String line : all.split("\n")) {
            String name = line.split(" ")[0].trim();
            if (name.startsWith(prefix + "-")) {
                left.add(name);
            }
        }
        return left;
    }

    /** Every namespace this bed made, internet first. */
    List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    // ---------------------------------------------------------------- commands

    private void namespace(String ns) throws IOException, InterruptedException {
        run(IP, "netns", "add", ns);
        namespaces.add(ns);
        ip(ns, "link", "set", "lo", "up");
    }

    /**
     * A veth from this namespace to the internet, on the next /24 of 198.18.0.0/16: this side
     * 198.18.N.1, the internet's 198.18.N.254 and this namespace's default route; returns this
     * side's address.
     */
    private String plug(String ns, String name) throws IOException, InterruptedException {
        int n = nextPublic++;
        String address = "198.18." + n + ".1";
        String gateway = "198.18." + n + ".254";
        String internetSide = prefix + "b" + nextLink++;
        run(IP, "link", "add", internetSide, "type", "veth", "peer", "name", name, "netns", ns);
        run(IP, "link", "set", internetSide, "netns", internet);
        ip(internet, "addr", "add", gateway + "/24", "dev", internetSide);
        ip(internet, "link", "set", internetSide, "up");
        ip(ns, "addr", "add", address + "/24", "dev", name);
        ip(ns, "link", "set", name, "up");
        ip(ns, "route", "add", "default", "via", gateway);
        return address;
    }

    private static void ip(String ns, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(IP, "-n", ns));
        command.addAll(List.of(args));
        run(command.toArray(String[]::new));
    }

    private static void nft(String ns, String... lines) throws IOException, InterruptedException {
        Path script = Files.createTempFile("netbed", ".nft");
        try {
            Files.writeString(script, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
            run(IP, "netns", "exec", ns, NFT, "-f", script.toString());
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + output.trim());
        }
    }

    /** Runs a command to its end (30 s at most) and returns what it printed, standard error included. */
    static String output(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }

    /** A tool's path: from PATH, else the sbin folders a test JVM's PATH may lack; the bare name if none has it. */
    private static String tool(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return name;
    }

    /** The command that runs this one inside a namespace (for processes a test starts itself). */
    static List<String> inside(String ns, List<String> command) {
        List<String> full = new ArrayList<>(List.of(IP, "netns", "exec", ns));
        full.addAll(command);
        return full;
    }
}
