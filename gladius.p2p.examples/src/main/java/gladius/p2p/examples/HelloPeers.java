package gladius.p2p.examples;

import gladius.p2p.Contact;
import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Two secure nodes on loopback: alice adds bob by his key and address (a session there that
 * proved another key would fail) and greets him; bob answers each greeting to its sender (a
 * targeted broadcast, since bob never added alice). Exits 0 once every answer is back.
 */
public final class HelloPeers {

    private HelloPeers() {}

    /**
     * Runs the example.
     *
     * @param args ignored
     * @throws InterruptedException if interrupted while waiting for the answers
     */
    public static void main(String[] args) throws InterruptedException {
        int greetings = 5;
        CountDownLatch answered = new CountDownLatch(greetings);
        Map<String, String> settings = Map.of("plugins", "none", "kcp.secure", "true");
        try (Network alice = Network.create(settings); Network bob = Network.create(settings)) {
            bob.registerPlugin(new Plugin() {
                private Network network;

                @Override
                public void startup(Network network) {
                    this.network = network;
                }

                @Override
                public void newMessage(Message message) {
                    System.out.printf("bob   %s <- %s: %s%n", network.localAddress(), message.sender(), text(message));
                    network.broadcast(network.newMessage("hello/answer", bytes("hi, " + text(message))), message.sender());
                }
            });
            alice.registerPlugin(new Plugin() {
                @Override
                public void newMessage(Message message) {
                    System.out.printf("alice <- %s: %s%n", message.sender(), text(message));
                    answered.countDown();
                }
            });
            NodeAddress loopback = new NodeAddress("127.0.0.1", 0);
            alice.listen(loopback);
            bob.listen(loopback);
            alice.add(new Contact(bob.networkState().key().orElseThrow(), bob.localAddress()));
            for (int i = 1; i <= greetings; i++) {
                alice.broadcast(alice.newMessage("hello/greeting", bytes("greeting " + i + " from alice")));
            }
            if (!answered.await(10, TimeUnit.SECONDS)) {
                System.err.println("not every greeting was answered: " + alice.networkState());
                System.exit(1);
            }
            var state = alice.networkState();
            System.out.printf(java.util.Locale.ROOT, "alice sent %d, received %d, dropped %d; bob's smoothed RTT as alice sees it: %.1f ms%n",
                    state.messagesSent(), state.messagesReceived(), state.messagesDropped(),
                    state.peer(bob.localAddress()).orElseThrow().smoothedRtt().toNanos() / 1e6);
            System.out.println(state);
        }
    }

    private static String text(Message message) {
        return new String(message.bodyBytes(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
