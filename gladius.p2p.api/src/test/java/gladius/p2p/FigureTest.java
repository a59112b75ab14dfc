package gladius.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The one description of each figure that every view of a node reads. */
class FigureTest {

    @Test
    void eachFigureReadsTheNetworkStateMethodOfItsName() throws Exception {
        // A snapshot whose every counter has a value of its own: a figure wired to the wrong method shows.
        Map<String, Long> values = new ConcurrentHashMap<>();
        NetworkState state = (NetworkState) Proxy.newProxyInstance(NetworkState.class.getClassLoader(),
                new Class<?>[] {NetworkState.class}, (proxy, method, args) -> {
                    if (method.getName().equals("peers")) {
                        return List.of();
                    }
                    long value = values.computeIfAbsent(method.getName(), name -> 1000L + values.size());
                    return method.getReturnType() == int.class ? (Object) (int) value : (Object) value;
                });
        Set<String> names = new HashSet<>();
        int read = 0;
        for (Figure figure : NetworkState.figures()) {
            assertTrue(names.add(figure.name()), "one description per figure: " + figure.name());
            Method method;
            try {
                method = NetworkState.class.getMethod(figure.name());
            } catch (NoSuchMethodException derived) {
                assertEquals(0, figure.of(state), figure.name() + " counts peers, and there are none");
                continue;
            }
            assertEquals(((Number) method.invoke(state)).longValue(), figure.of(state), figure.name());
            read++;
        }
        assertEquals(14, read, "the counters and relayCircuits");
        assertTrue(names.containsAll(List.of("routeTablePeers", "connectedPeers")), names.toString());
    }

    @Test
    void aFigureIsNamedInLowerCamelCaseAndSaysWhatItIs() {
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> new Figure("messages_sent", "Messages.", Figure.Unit.COUNT, Figure.Kind.COUNTER, s -> 0));
        assertTrue(name.getMessage().startsWith("name"), name.getMessage());
        IllegalArgumentException help = assertThrows(IllegalArgumentException.class,
                () -> new Figure("messagesSent", " ", Figure.Unit.COUNT, Figure.Kind.COUNTER, s -> 0));
        assertTrue(help.getMessage().startsWith("help"), help.getMessage());
        assertThrows(NullPointerException.class, () -> new Figure("messagesSent", "Messages.", null, Figure.Kind.COUNTER, s -> 0));
    }
}
