package gladius.p2p.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.PeerState;
import gladius.p2p.Plugin;
import gladius.p2p.testing.Await;
import gladius.p2p.testing.Inbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** What the {@link Plugin} javadoc promises, on real networks, in every mode. */
@ParameterizedClass(name = "{0}")
@EnumSource(Mode.class)
class PluginContractTest {

    @Parameter
    Mode mode;

    /**
     * Records every callback as "name:event", with the thread it ran on and whether another
     * callback overlapped it. One that declares it never blocks must run on an I/O thread, others never.
     */
    private static class Recorder implements Plugin {
        private final String name;
        private final List<String> log;
        private final List<String> violations;
        private final AtomicInteger inside;

        Recorder(String name, List<String> log, List<String> violations, AtomicInteger inside) {
            this.name = name;
            this.log = log;
            this.violations = violations;
            this.inside = inside;
        }

        void record(String event) {
            if (inside.incrementAndGet() != 1) {
                violations.add(name + " " + event + " ran beside another callback");
            }
            String thread = Thread.currentThread().getName();
            boolean io = thread.startsWith("gladius-io"); // the transport's event-loop threads (SharedResources)
            if (io != nonBlocking()) {
                violations.add(name + " " + event + " ran on " + (io ? "I/O thread " : "non-I/O thread ") + thread);
            }
            log.add(name + ":" + event);
            Thread.yield(); // widen the window in which an overlapping callback would show
            inside.decrementAndGet();
        }

        @Override
        public void startup(Network network) {
            record("startup");
        }

        @Override
        public void nodeAdded(NodeAddress node) {
            record("added");
        }

        @Override
        public void nodeDeleted(NodeAddress node) {
            record("deleted");
        }

        @Override
        public void newMessage(Message message) {
            record(message.type());
        }

        @Override
        public void close() {
            record("close");
        }
    }

    @Test
    void callbacksRunOffTheIoThreadsOneAtATimeInRegistrationOrder() {
        List<String> log = new CopyOnWriteArrayList<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        AtomicInteger inside = new AtomicInteger();
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Network b = Network.create(nodes.settings());
            for (String name : List.of("first", "second", "third")) {
                b.registerPlugin(new Recorder(name, log, violations, inside));
            }
            try {
                b.listen(Nodes.ANY_LOOPBACK_PORT);
                b.add(a.address());
                a.network().add(b.localAddress());
                // Two senders at once: b's callbacks must still come one at a time.
                int count = 200;
                for (int i = 0; i < count; i++) {
                    a.network().broadcast(a.network().newMessage("m" + i, new byte[16]), b.localAddress());
                    a.network().broadcast(a.network().newMessage("m" + i, new byte[16]));
                }
                Await.until("every message at the third plugin", () -> log.stream().filter(e -> e.startsWith("third:m")).count() == 2L * count);
                b.delete(a.address());
            } finally {
                b.close();
            }
            assertEquals(List.of(), violations);
            // Each event reaches first, second, third, in that order, before the next event reaches anyone.
            List<String> events = new ArrayList<>();
            for (int i = 0; i < log.size(); i += 3) {
                String event = log.get(i).substring(log.get(i).indexOf(':') + 1);
                assertEquals(List.of("first:" + event, "second:" + event, "third:" + event), log.subList(i, Math.min(i + 3, log.size())),
                        "event " + i / 3 + " of " + log);
                events.add(event);
            }
            List<String> expected = new ArrayList<>(List.of("startup", "added"));
            for (int i = 0; i < 200; i++) {
                expected.addAll(List.of("m" + i, "m" + i)); // one sender, one order, targeted or not
            }
            expected.addAll(List.of("deleted", "close"));
            assertEquals(expected, events, "startup first and once, messages in the sender's order, close last and once");
        }
    }

    @Test
    void aNonBlockingPluginRunsOnTheIoThreadOneCallbackAtATimeAndTheOthersNeverDo() {
        List<String> log = new CopyOnWriteArrayList<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        List<String> onLoopLog = new CopyOnWriteArrayList<>();
        List<String> onLoopViolations = new CopyOnWriteArrayList<>();
        Recorder onLoop = new Recorder("loop", onLoopLog, onLoopViolations, new AtomicInteger()) {
            @Override
            public boolean nonBlocking() {
                return true;
            }
        };
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Network b = Network.create(nodes.settings());
            b.registerPlugin(new Recorder("before", log, violations, new AtomicInteger()));
            b.registerPlugin(onLoop);
            b.registerPlugin(new Recorder("after", log, violations, new AtomicInteger()));
            int count = 200;
            int tasks = 100;
            AtomicInteger ran = new AtomicInteger();
            try {
                b.listen(Nodes.ANY_LOOPBACK_PORT);
                // Its timed work too: a chain of tasks, each scheduling the next, while messages pour in.
                Runnable[] step = new Runnable[1];
                step[0] = () -> {
                    onLoop.record("task");
                    if (ran.incrementAndGet() < tasks) {
                        b.schedule(onLoop, Duration.ofNanos(ran.get() % 3 * 100_000), step[0]);
                    }
                };
                b.schedule(onLoop, Duration.ZERO, step[0]);
                b.add(a.address());
                a.network().add(b.localAddress());
                for (int i = 0; i < count; i++) { // two ways in at once: still one callback at a time
                    a.network().broadcast(a.network().newMessage("m" + i, new byte[16]), b.localAddress());
                    a.network().broadcast(a.network().newMessage("m" + i, new byte[16]));
                }
                Await.until("every message at all three plugins, every task run",
                        () -> ran.get() == tasks && onLoopLog.stream().filter(e -> e.startsWith("loop:m")).count() == 2L * count
                                && log.stream().filter(e -> e.startsWith("after:m")).count() == 2L * count,
                        () -> ran.get() + " tasks, " + onLoopLog.size() + " events on the loop, " + log.size() + " off it");
                b.delete(a.address());
            } finally {
                b.close();
            }
            assertEquals(0, onLoopViolations.size(), "the non-blocking plugin: on an I/O thread, one callback at a time; "
                    + onLoopViolations.size() + " violations, the first: " + onLoopViolations.stream().limit(5).toList());
            assertEquals(0, violations.size(), "the others: never on an I/O thread; " + violations.size()
                    + " violations, the first: " + violations.stream().limit(5).toList());
            List<String> expected = new ArrayList<>(List.of("startup", "added"));
            for (int i = 0; i < count; i++) {
                expected.addAll(List.of("m" + i, "m" + i));
            }
            expected.addAll(List.of("deleted", "close"));
            assertEquals(expected, onLoopLog.stream().map(e -> e.substring(5)).filter(e -> !e.equals("task")).toList(),
                    "startup first, messages in the sender's order, close last");
            List<String> before = log.stream().filter(e -> e.startsWith("before:")).map(e -> e.substring(7)).toList();
            assertEquals(expected, before, "the plugins that may block hear the same, in the same order");
        }
    }

    @Test
    void aNonBlockingPluginAnswersAndClosesTheNetworkFromTheIoThreadWithoutWaiting() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            List<String> log = new CopyOnWriteArrayList<>();
            Inbox registeredLate = new Inbox();
            b.network().registerPlugin(new Plugin() {
                private Network network;

                @Override
                public boolean nonBlocking() {
                    return true;
                }

                @Override
                public void startup(Network network) {
                    this.network = network;
                }

                @Override
                public void newMessage(Message message) {
                    if (message.type().equals("ping")) {
                        int peers = network.networkState().peers().size(); // read on the loop itself: no hop, no wait
                        network.registerPlugin(registeredLate); // returns without waiting for its startup
                        network.broadcast(network.newMessage("pong", new byte[] {(byte) peers}), message.sender());
                    } else if (message.type().equals("stop")) {
                        network.close(); // returns at once: the socket's close needs this thread
                        log.add("close returned on " + Thread.currentThread().getName().startsWith("gladius-io"));
                    }
                }

                @Override
                public void close() {
                    log.add("close on " + Thread.currentThread().getName().startsWith("gladius-io"));
                }
            });
            NodeAddress at = b.address();
            a.network().add(at);
            Await.sent("ping", () -> a.network().broadcast(a.network().newMessage("ping", new byte[0])));
            Await.until("the answer", () -> a.inbox().count("pong") == 1);
            assertEquals(1, a.inbox().messages().stream().filter(m -> m.type().equals("pong")).findFirst().orElseThrow().bodyBytes()[0],
                    "b read its state on the loop: one peer");
            Await.until("the plugin registered from the callback has started", () -> registeredLate.startups() == 1);

            Await.sent("stop", () -> a.network().broadcast(a.network().newMessage("stop", new byte[0])));
            Await.until("b's plugins closed", () -> log.size() == 2 && registeredLate.closes() == 1, log::toString);
            assertEquals(List.of("close returned on true", "close on true"), log,
                    "close returns first, then the plugins close, on the I/O thread");
            Await.until("b's session closed with notice", () -> a.network().peerState(at).map(p -> !p.connected()).orElse(true));
            assertThrows(IllegalStateException.class, () -> b.network().localAddress(), "b is closed");
        }
    }

    /**
     * Networks share the process's I/O threads, so a non-blocking plugin may close another network
     * whose own plugins and socket wait on the very thread it runs on: that close too must return
     * at once and finish elsewhere. One more network than there are shared threads makes two share one.
     */
    @Test
    void aNonBlockingPluginClosesAnotherNetworkOnItsOwnIoThread() {
        int count = Math.max(3, Runtime.getRuntime().availableProcessors() + 1); // and a third to send from
        List<Network> networks = new ArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        List<String> log = new CopyOnWriteArrayList<>();
        try (Nodes nodes = new Nodes(mode)) {
            Network[] victim = new Network[1];
            for (int i = 0; i < count; i++) {
                Network network = Network.create(nodes.settings());
                int index = i;
                network.registerPlugin(new Plugin() {
                    @Override
                    public boolean nonBlocking() {
                        return true;
                    }

                    @Override
                    public void startup(Network started) {
                        threads.add(index + " " + Thread.currentThread().getName());
                    }

                    @Override
                    public void newMessage(Message message) {
                        long start = System.nanoTime();
                        victim[0].close();
                        log.add("returned in " + (System.nanoTime() - start) / 1_000_000 + " ms");
                    }

                    @Override
                    public void close() {
                        log.add("closed " + index);
                    }
                });
                network.listen(Nodes.ANY_LOOPBACK_PORT);
                networks.add(network);
            }
            // Two networks whose non-blocking plugins run on the same I/O thread: the closer and its victim.
            java.util.Map<String, Integer> byThread = new java.util.HashMap<>();
            int closer = -1;
            for (String started : threads) {
                int index = Integer.parseInt(started.substring(0, started.indexOf(' ')));
                Integer other = byThread.putIfAbsent(started.substring(started.indexOf(' ') + 1), index);
                if (other != null) {
                    closer = other;
                    victim[0] = networks.get(index);
                    break;
                }
            }
            assertTrue(closer >= 0, "two of " + count + " networks share an I/O thread: " + threads);
            Network closing = networks.get(closer);
            Network sender = networks.stream().filter(n -> n != victim[0] && n != closing).findFirst().orElseThrow();
            NodeAddress to = closing.localAddress();
            sender.add(to);
            Await.sent("the message that makes the closer close", () -> sender.broadcast(sender.newMessage("close", new byte[0])));
            Await.until("the victim's plugin closed", () -> log.contains("closed " + networks.indexOf(victim[0])), log::toString);
            assertTrue(log.get(0).startsWith("returned in "), log.toString());
            long millis = Long.parseLong(log.get(0).replaceAll("\\D", ""));
            assertTrue(millis < 1_000, "close from the shared I/O thread returned at once, not after waiting for itself: " + log);
            assertThrows(IllegalStateException.class, victim[0]::localAddress, "the victim is closed");
            assertEquals(0, closing.networkState().pluginFailures(), "the closer's plugin did not throw");
            assertEquals(to, closing.localAddress(), "the closer still runs");
        } finally {
            networks.forEach(Network::close);
        }
    }

    @Test
    void startupRunsOnceAtListenForPluginsRegisteredBeforeAndAtRegistrationAfter() {
        try (Nodes nodes = new Nodes(mode)) {
            Network network = Network.create(nodes.settings());
            try {
                Inbox early = new Inbox();
                network.registerPlugin(early);
                Inbox marker = new Inbox(); // registered after early: once it has started, early's startup has run
                network.registerPlugin(marker);
                Await.quiet("startups before listen", Duration.ofMillis(200), early::startups);
                assertEquals(0, early.startups(), "no startup before listen");

                network.listen(Nodes.ANY_LOOPBACK_PORT);
                // listen returns once the plugins have started: no waiting needed to see it.
                assertEquals(1, early.startups(), "startup has run when listen returns");
                assertEquals(1, marker.startups(), "startup has run when listen returns");
                assertEquals(network, early.network(), "startup gets the network");

                Inbox late = new Inbox();
                network.registerPlugin(late);
                assertEquals(1, late.startups(), "startup has run when registerPlugin returns on a listening network");
                assertEquals(1, early.startups(), "earlier plugins do not start again");
            } finally {
                network.close();
            }
        }
    }

    @Test
    void scheduledTasksRunSeriallyWithTheCallbacksAndOffTheIoThreads() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        AtomicInteger inside = new AtomicInteger();
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            Recorder recorder = new Recorder("r", log, violations, inside);
            b.network().registerPlugin(recorder);
            int tasks = 300;
            AtomicInteger ran = new AtomicInteger();
            CompletableFuture<Void> last = new CompletableFuture<>();
            // A chain of tasks, each scheduling the next as periodic work does, while messages pour in.
            Runnable[] step = new Runnable[1];
            step[0] = () -> {
                recorderTask(recorder);
                if (ran.incrementAndGet() < tasks) {
                    b.network().schedule(recorder, Duration.ofNanos(ran.get() % 3 * 100_000), step[0]);
                } else {
                    last.complete(null);
                }
            };
            Future<?> first = b.network().schedule(recorder, Duration.ZERO, step[0]);
            a.network().add(b.address());
            int count = 500;
            for (int i = 0; i < count; i++) {
                Await.sent("message " + i, () -> a.network().broadcast(a.network().newMessage("m", new byte[64])));
            }
            Await.until("every message and every task", () -> last.isDone() && log.stream().filter("r:m"::equals).count() == count,
                    () -> ran.get() + " tasks, " + log.size() + " events");
            first.get(0, TimeUnit.SECONDS); // it ran, and its future says so
            assertEquals(tasks, log.stream().filter("r:task"::equals).count());
            assertEquals(List.of(), violations, "tasks and callbacks never overlap, never on an I/O thread");
        }
    }

    /** What a scheduled task of the recorder does: records itself like a callback (overlap and thread checked). */
    private static void recorderTask(Recorder recorder) {
        recorder.record("task");
    }

    @Test
    void aRemovedPluginIsClosedOnceThenHearsNothing() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            Recorder removed = new Recorder("gone", log, violations, new AtomicInteger());
            b.network().registerPlugin(removed);
            a.network().add(b.address());
            Await.sent("before", () -> a.network().broadcast(a.network().newMessage("before", new byte[8])));
            Await.until("the first message at both plugins", () -> b.inbox().count("before") == 1 && log.contains("gone:before"));
            Future<?> pending = b.network().schedule(removed, Duration.ofMinutes(1), () -> log.add("gone:task"));

            assertTrue(b.network().removePlugin(removed));
            assertEquals("gone:close", log.get(log.size() - 1), "its close has run when removePlugin returns: " + log);
            assertTrue(pending.isCancelled(), "its scheduled work is cancelled");
            assertEquals(Optional.empty(), b.network().plugin(Recorder.class));
            assertFalse(b.network().removePlugin(removed), "removing it again says it was not there");
            IllegalArgumentException notRegistered = assertThrows(IllegalArgumentException.class,
                    () -> b.network().schedule(removed, Duration.ZERO, () -> { }));
            assertTrue(notRegistered.getMessage().contains("owner"), notRegistered.getMessage());

            Await.sent("after", () -> a.network().broadcast(a.network().newMessage("after", new byte[8])));
            Await.until("the later message at the plugin that stays", () -> b.inbox().count("after") == 1);
            assertEquals(1, log.stream().filter("gone:close"::equals).count(), "closed once: " + log);
            assertEquals("gone:close", log.get(log.size() - 1), "nothing after its close: " + log);
            assertEquals(List.of(), violations);
        }
        assertEquals(1, log.stream().filter("gone:close"::equals).count(), "not closed again with the network: " + log);
    }

    /**
     * What the Network javadoc promises of a removal: the events queued before it still reach the
     * plugin, then its close, then nothing; and one plugin instance is registered once (twice, it
     * would hear everything twice, and after one removal a closed plugin would still hear events).
     */
    @Test
    void eventsQueuedBeforeARemovalReachThePluginBeforeItsCloseAndAPluginIsRegisteredOnce() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        final class Slow implements Plugin {
            @Override
            public void newMessage(Message message) {
                log.add(message.type());
                try {
                    release.await(); // the first message holds the plugins here while the rest queue up
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void close() {
                log.add("close");
            }
        }
        Slow slow = new Slow();
        try (Nodes nodes = new Nodes(mode); gladius.p2p.testing.Workers workers = new gladius.p2p.testing.Workers()) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            b.network().registerPlugin(slow);
            IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> b.network().registerPlugin(slow));
            assertTrue(twice.getMessage().contains("already"), twice.getMessage());
            a.network().add(b.address());
            for (int i = 0; i < 10; i++) {
                String type = "m" + i;
                Await.sent(type, () -> a.network().broadcast(a.network().newMessage(type, new byte[8])));
            }
            Await.until("all ten received, waiting for the plugins", () -> b.network().networkState().messagesReceived() == 10);
            workers.start("removal", () -> b.network().removePlugin(slow));
            Await.until("the removal queued its close behind the ten", () -> b.network().plugin(Slow.class).isEmpty());
            release.countDown();
            workers.join(Duration.ofSeconds(30));
            assertEquals(List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "close"), log);
        }
    }

    @Test
    void aPluginCanRemoveItselfFromItsOwnCallback() {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start();
            List<String> log = new CopyOnWriteArrayList<>();
            Plugin selfRemoving = new Plugin() {
                private Network network;

                @Override
                public void startup(Network network) {
                    this.network = network;
                }

                @Override
                public void newMessage(Message message) {
                    log.add("message");
                    log.add("removed " + network.removePlugin(this)); // cannot wait for its own close: returns at once
                    log.add("returned");
                }

                @Override
                public void close() {
                    log.add("close");
                }
            };
            b.network().registerPlugin(selfRemoving);
            a.network().add(b.address());
            Await.sent("message 0", () -> a.network().broadcast(a.network().newMessage("m", new byte[8])));
            Await.until("the close", () -> log.contains("close"));
            for (int i = 1; i < 3; i++) {
                Await.sent("message " + i, () -> a.network().broadcast(a.network().newMessage("m", new byte[8])));
            }
            Await.until("all three at the inbox", () -> b.inbox().count("m") == 3);
            assertEquals(List.of("message", "removed true", "returned", "close"), log, "one message, then its close, then nothing");
        }
    }

    @Test
    void schedulingIsCheckedAndEndsWithTheNetwork() {
        try (Nodes nodes = new Nodes(mode)) {
            Network network = Network.create(nodes.settings());
            Inbox plugin = new Inbox();
            network.registerPlugin(plugin);
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> network.schedule(plugin, Duration.ofMillis(-1), () -> { }));
            assertTrue(negative.getMessage().contains("delay"), negative.getMessage());
            Future<?> later = network.schedule(plugin, Duration.ofDays(1), () -> { });
            Future<?> never = network.schedule(plugin, Duration.ofMillis(1), () -> { });
            assertTrue(never.cancel(false));
            network.close();
            assertTrue(later.isCancelled(), "closing the network cancels its plugins' scheduled work");
            assertThrows(IllegalStateException.class, () -> network.schedule(plugin, Duration.ZERO, () -> { }));
            assertThrows(IllegalStateException.class, () -> network.removePlugin(plugin));
        }
    }

    @Test
    void aSlowPluginPausesReadingAndLosesNothing() throws InterruptedException {
        try (Nodes nodes = new Nodes(mode)) {
            Nodes.Node a = nodes.start();
            Nodes.Node b = nodes.start("kcp.dispatch-bytes", "65536");
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger blocked = new AtomicInteger();
            b.network().registerPlugin(new Plugin() {
                @Override
                public void newMessage(Message message) {
                    if (message.type().equals("seq") && blocked.getAndIncrement() == 0) {
                        try {
                            assertTrue(release.await(Await.TIMEOUT.toSeconds(), TimeUnit.SECONDS), "released");
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            });
            SequenceChecker checker = new SequenceChecker(21);
            checker.expectFrom(a.address());
            b.network().registerPlugin(checker);
            a.network().add(b.address());

            int count = 3_000; // about 3 MiB: far more than 64 KiB waiting for plugins plus both KCP windows
            DeliveryTest.sendAll(a.network(), b.address(), 21, count);
            Await.until("the slow plugin to hold the first message", () -> blocked.get() == 1);
            long receivedWhilePaused = Await.quiet("messages read while the plugin is stuck", Duration.ofMillis(500),
                    () -> b.network().networkState().messagesReceived());
            assertTrue(receivedWhilePaused < count, "reading paused: " + receivedWhilePaused + " of " + count + " read");
            PeerState towardB = a.network().networkState().peer(b.address()).orElseThrow();
            assertTrue(towardB.queuedMessages() > 0, "the rest waits at the sender: " + towardB);
            assertEquals(0, checker.received.get(), "the plugin after the slow one waits its turn");

            release.countDown();
            Await.until("every message after the slow plugin lets go", () -> checker.received.get() >= count,
                    () -> "received " + checker.received.get());
            assertEquals(count, checker.end(a.network(), b.address()), "nothing lost, nothing duplicated");
            assertEquals(List.of(), checker.problems);
            assertEquals(0, a.network().networkState().messagesDropped(), "back-pressure, not drops");
        }
    }
}
