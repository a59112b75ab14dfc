package gladius.p2p.benchmarks;

import gladius.p2p.Network;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Heap retained per idle session, and the CPU that idle sessions cost: one node, and N raw UDP
 * sockets that each open a session to it by hand (HELLO, docs/PROTOCOL.md) and then stay silent.
 * The node's keepalives keep going; dead-peer detection is pushed out so the sessions stay.
 * Not a JMH benchmark: it measures memory, which JMH does not. Run:
 * {@code java -cp benchmarks/target/benchmarks.jar gladius.p2p.benchmarks.IdleSessionFootprint 1000}
 */
public final class IdleSessionFootprint {

    private IdleSessionFootprint() {}

    /**
     * @param args the number of sessions (default 1000), then optionally settings {@code key=value,...} (e.g. kcp.io=nio)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        // All sessions come from 127.0.0.1 at once: lift the per-address and handshake-rate limits meant for the internet.
        Map<String, String> settings = new HashMap<>(Map.of("plugins", "none", "kcp.dead-peer-timeout", "1h",
                "kcp.max-sessions-per-ip", "100000", "kcp.handshakes-per-second", "100000"));
        settings.putAll(RoundTripLatency.settings(args.length > 1 ? args[1] : ""));
        try (Network node = Network.create(settings)) {
            node.listen(new NodeAddress("127.0.0.1", 0));
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", node.localAddress().port());
            List<DatagramChannel> clients = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                DatagramChannel client = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                clients.add(client);
            }
            long before = usedHeapAfterGc();
            for (int i = 0; i < count; i++) {
                hello(clients.get(i), to, i + 1);
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            NetworkState state;
            while ((state = node.networkState()).peers().size() < count && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            long after = usedHeapAfterGc();
            System.out.printf("sessions: %d%n", state.peers().size());
            System.out.printf("heap retained: %.1f MiB in all, %.0f bytes per idle session%n",
                    (after - before) / 1048576.0, (after - before) / (double) count);

            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            Thread.sleep(10_000);
            double cores = (os.getProcessCpuTime() - cpu0) / (double) (System.nanoTime() - wall0);
            System.out.printf("CPU of the idle node over 10 s: %.2f %% of one core%n", 100 * cores);
            for (DatagramChannel client : clients) {
                client.close();
            }
        }
    }

    private static void hello(DatagramChannel client, InetSocketAddress to, int tag) throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(11).put((byte) 0x47).put((byte) 1).put((byte) 1).putInt(tag).putInt(0);
        client.send(hello.flip(), to);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
