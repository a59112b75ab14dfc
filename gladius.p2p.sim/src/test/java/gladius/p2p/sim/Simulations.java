package gladius.p2p.sim;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The simulations a test made, closed after it (their networks' plugins and buffers), as a test
 * on sockets closes its networks: {@code @RegisterExtension final Simulations simulations = new Simulations();}
 * then {@code simulations.closedAfter(Simulation.builder()...build())}.
 */
final class Simulations implements AfterEachCallback {

    private final List<Simulation> made = new ArrayList<>();

    Simulation closedAfter(Simulation sim) {
        made.add(sim);
        return sim;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        made.forEach(Simulation::close);
        made.clear();
    }
}
