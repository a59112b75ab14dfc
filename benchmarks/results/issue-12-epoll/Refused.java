import gladius.p2p.*;
import java.util.Map;
public class Refused {
    public static void main(String[] a) throws Exception {
        int size = Integer.parseInt(a[0]);
        try (Network n = Network.create(Map.of("plugins", "none", "kcp.queue-capacity", "1024"))) {
            n.listen(NodeAddress.parse("127.0.0.1:0"));
            NodeAddress nobody = NodeAddress.parse("127.0.0.1:9");
            Message m = n.newMessage("x", new byte[size]);
            for (int i = 0; i < 5000; i++) n.broadcast(m, nobody);
            for (int r = 0; r < 5; r++) {
                long t = System.nanoTime(); int q = 0;
                for (int i = 0; i < 2_000_000; i++) q += n.broadcast(m, nobody);
                long el = System.nanoTime() - t;
                System.out.printf("%d B: %.0f ns per send, queued %d%n", size, el / 2e6, q);
            }
        }
    }
}
