package gladius.p2p.it;

import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import java.lang.module.ModuleDescriptor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Checks the running module graph from inside: the class path is empty, no automatic module is in
 * the boot layer, every gladius module's services files match its {@code provides}, {@code
 * Network.create} finds the "kcp" transport, and two nodes exchange a message. Prints one line per check; exits non-zero on the first failure.
 */
public final class ModuleGraphCheck {

    private ModuleGraphCheck() {}

    /**
     * Runs the checks.
     *
     * @param args ignored
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        String classPath = System.getProperty("java.class.path", "");
        check(classPath.isEmpty(), "class path is empty: '" + classPath + "'");

        List<String> automatic = ModuleLayer.boot().modules().stream().map(Module::getDescriptor)
                .filter(ModuleDescriptor::isAutomatic).map(ModuleDescriptor::name).sorted().collect(Collectors.toList());
        check(automatic.isEmpty(), "no automatic module in the boot layer: " + automatic);
        check(ModuleLayer.boot().findModule("gladius.p2p.kcp").isPresent(), "gladius.p2p.kcp is resolved as a service provider");
        checkServicesFiles();

        CountDownLatch received = new CountDownLatch(1);
        try (Network a = Network.create(); Network b = Network.create(Map.of("plugins", "none"))) {
            check(a.getClass().getModule().getName().equals("gladius.p2p.kcp"),
                    "Network.create found the kcp transport: " + a.getClass().getModule());
            b.registerPlugin(new Plugin() {
                @Override
                public void newMessage(gladius.p2p.Message message) {
                    received.countDown();
                }
            });
            a.listen(new NodeAddress("127.0.0.1", 0));
            b.listen(new NodeAddress("127.0.0.1", 0));
            a.broadcast(a.newMessage("it/hello", new byte[] {1, 2, 3}), b.localAddress());
            check(received.await(10, TimeUnit.SECONDS), "a message crossed between two nodes");
        }
        System.out.println("MODULE GRAPH OK: " + ModuleLayer.boot().modules().stream().map(Module::getName).sorted()
                .collect(Collectors.joining(", ")));
    }

    /** Every gladius module's META-INF/services files list exactly what its module-info provides. */
    private static void checkServicesFiles() throws java.io.IOException {
        for (Module module : ModuleLayer.boot().modules()) {
            if (!module.getName().startsWith("gladius.p2p.")) {
                continue;
            }
            for (ModuleDescriptor.Provides provides : module.getDescriptor().provides()) {
                List<String> listed;
                try (java.io.InputStream in = module.getResourceAsStream("META-INF/services/" + provides.service())) {
                    listed = in == null ? List.of() : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                            .lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
                }
                check(listed.equals(provides.providers()), module.getName() + " lists " + provides.providers()
                        + " for " + provides.service() + " in META-INF/services too (class-path users): " + listed);
            }
        }
    }

    static void check(boolean ok, String what) {
        System.out.println((ok ? "ok   " : "FAIL ") + what);
        if (!ok) {
            System.exit(1);
        }
    }
}
